//! # Consensus pallet
//!
//! Turns evaluators' reports into a consensus quality per output, adapts each evaluator's trust,
//! slashes cheaters and pays the task's pool: the quality consensus of Proof of Quality.
//!
//! ## Overview
//!
//! When the tasks pallet closes a task's reveal phase it calls
//! [`poq_primitives::TaskScoring`]: this pallet fixes the task's candidates and, a few blocks
//! later, draws a **committee** of evaluators for the task (see [Design](#design)). The committee scores the revealed outputs off-chain and goes
//! through a commit-reveal of its own:
//!
//! 1. **Commit** (`commit_blocks` from the draw): each member submits [`Pallet::commit_scores`]
//!    with [`poq_primitives::commitment::scores`] of its reports. The window closes early, at the
//!    next block, once every member has committed.
//! 2. **Reveal** (until `reveal_blocks` after the commit window's planned end): each member
//!    submits [`Pallet::reveal_scores`], one [`ScoreReport`] (structure, semantic, alignment)
//!    per output in the task's output order, the hash of the model set that produced them, and
//!    the salt. The window closes early once every member who committed has revealed.
//! 3. **Settlement**, automatic once the reveal window is over (in the same block's `on_idle`
//!    when the last reveal closed it early, else in a block's `on_initialize`, within
//!    [`Config::ServiceWeight`]; what does not fit carries over to the next block) or by anyone
//!    through [`Pallet::settle`] once due. Settlement runs seven named steps in this order
//!    (`settlement.rs`): **aggregate** the valid reveals per cell, score each output's
//!    **composite**, split the pool into **rewards**, **pay** through the tasks pallet (the one
//!    fallible step, before any other write), move **trust and slash**, update the providers'
//!    **ratings** and the model statistics, and **record** the [`TaskResult`], kept for
//!    `result_retention` blocks.
//!
//! Governance ([`Config::GovernanceOrigin`], a 2/3 council majority or root in the runtime) sets
//! the composite's weights per task family ([`Pallet::set_dimension_weights`]) and every other
//! parameter ([`Pallet::set_params`], [`Params`]).
//!
//! ## Design
//!
//! - **Committee.** Candidates are the active evaluators (chilled ones are excluded by the
//!   evaluators pallet) minus the task's own providers and its submitter. Members are drawn
//!   without replacement with probability proportional to `bond x trust`
//!   ([`poq_consensus_math::draw_committee`]), `k` of them (the task's `committee_size` or the
//!   governed default, at least [`MinCommittee`]). Each evaluator may declare a price per
//!   evaluation ([`Pallet::set_price`]); beyond the minimum's seats, the prices of the members
//!   must fit in the task's evaluation budget (the pool minus the inference share), so a dear
//!   candidate is skipped when it no longer fits and cheap evaluators allow a full committee on
//!   a small bounty (cost-aware sampling); the minimum's seats are filled by weight whatever the
//!   prices ([`poq_consensus_math::fill_minimum`]), and fewer valid reveals than the minimum
//!   make no consensus (the task is unscored, no trust or rating moves). The draw is made [`Config::DrawDelay`] blocks after the
//!   reveal phase closed, over the candidates as they stood at the close, seeded by the
//!   [`Beacon`] of every block's VRF output since: see [`draw`] for why nobody can pick it.
//! - **Aggregation.** Per output and reported dimension, the governed [`AggregationRule`] over
//!   the valid reveals, with each member's trust as weight. The on-chain dimensions: the model
//!   prior (the provider's rating, [`poq_primitives::Rating`], kept in its registration by the
//!   tasks pallet: an average of its settled qualities that keeps following it with a minimum
//!   step; it belongs to the provider's account, not to the model name it claims), the cost prior (quality per declared cost, normalised
//!   within the task) and agreement (`1 - 2 MAD` of the reports, averaged over the three
//!   dimensions; absent when fewer than two members revealed, since one report cannot disagree
//!   with itself). The composite renormalises the family's weights over non-zero weights.
//! - **Trust.** A member's deviation is its mean absolute distance to the consensus over every
//!   cell; the tolerance is `clamp(m x median deviation, tau_min, tau_max)`. Within it trust
//!   climbs towards the maximum; beyond it trust falls in proportion to the excess. The cap
//!   `tau_max` is what keeps a noisy or half-corrupt committee from tolerating attackers
//!   (`docs/adversarial-report.md`). Members who were silent lose `absent_penalty` of their
//!   trust.
//! - **Slashing** (a fraction of the bond, to the evaluators pallet's slash destination):
//!   committed but not revealed ([`SlashReason::NoReveal`]); revealed scores that do not match
//!   the commitment ([`SlashReason::BadReveal`]: such a reveal is recorded, not refused, since
//!   it is the evidence); `outlier_strikes` settled tasks in a row with a deviation above
//!   `outlier_bound` ([`SlashReason::PersistentOutlier`]).
//! - **Rewards.** The pool is the task's bounty. The evaluation budget (pool minus
//!   `inference_share`) is fixed at the draw. Providers are paid for their
//!   output's evaluator-side quality `q_i` (structure, semantic, alignment: no priors, no
//!   agreement): an output below `quality_floor` earns nothing; the others share the rest in
//!   proportion to `max(0, alpha Q'_i - beta c_i)` with `Q'_i = (q_i - floor) / (1 - floor)`
//!   (the floor is the zero of paid quality) and `c_i` the declared cost normalised within the
//!   task ([`poq_consensus_math::gated_inference_weights`]). The priors order the published
//!   composite and the winner but are not paid: the cost prior would count the cost twice. Each member who revealed
//!   validly first gets its declared price times its accuracy `max(0, 1 - d / accuracy_bound)`,
//!   then the rest of the budget is shared by `trust x accuracy`. Every unit is accounted for:
//!   what is not paid (no provider above zero, inaccurate or absent members, rounding, a payout
//!   that cannot land) is refunded to the user who posted the query, and the result records
//!   each payout and the refund. With no valid reveal the task has no quality: nothing is paid
//!   and ratings do not move.
//!
//! ## Terms
//!
//! - *cell*: one output and one evaluator-side dimension.
//! - *deviation*: mean absolute difference between a member's cells and the consensus.
//! - *model set*: the hash an evaluator's engine reports for the models it scored with
//!   ([`poq_primitives::model_set_identity`]). Governance keeps the accepted ones
//!   ([`AcceptedModelSets`], [`Pallet::accept_model_set`], [`Pallet::retire_model_set`]); a
//!   reveal of any other set is left out of the consensus and unpaid but not slashed
//!   ([`Conduct::UnacceptedModelSet`], [`Event::RevealLeftOut`]): running other models is a
//!   configuration error, not an attack. Two accepted sets count side by side during an
//!   upgrade.
//!
//! ## Off-chain worker
//!
//! An evaluator node scores and submits by itself: see [`offchain`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod offchain;
pub mod draw;
mod handoff;
mod invariants;
mod model_sets;
mod queue;
mod settlement;
mod types;
pub use types::*;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Inspect, Randomness},
};
use frame_system::pallet_prelude::*;
pub use poq_consensus_math::{AggregationRule, ToleranceParams, TrustParams, TrustRates};
use poq_consensus_math as math;
use poq_primitives::{
	CompositeGate, EvaluatorRegistry, EvaluatorSlashing, TaskScoring,
	ScoreReport, SlashReason, TaskFamily, TaskId, TaskProvider,
};
use sp_core::H256;
use sp_runtime::traits::{SaturatedConversion, Saturating, Zero};
/// The fixed-point types of the pallet's parameters and results.
pub use sp_runtime::{Perbill, Permill};

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

sp_api::decl_runtime_apis! {
	/// Reads quality-consensus state for clients and off-chain workers.
	pub trait ConsensusApi<AccountId, Result, RoundInfo>
	where
		AccountId: Codec,
		Result: Codec,
		RoundInfo: Codec,
	{
		/// The settled result of `task`, while it is retained.
		fn task_result(task: TaskId) -> Option<Result>;
		/// The committee and windows of `task` while it is being scored.
		fn round(task: TaskId) -> Option<RoundInfo>;
		/// The trust of `who`, if `who` is a bonded evaluator.
		fn trust(who: AccountId) -> Option<Perbill>;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// A task's committee round.
	pub type RoundOf<T> = Round<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxCommitteeSize,
	>;
	/// A task's settled result.
	pub type TaskResultOf<T> = TaskResult<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxOutputs,
		<T as Config>::MaxCommitteeSize,
	>;
	/// A member's reveal.
	pub type RevealOf<T> = Reveal<<T as Config>::MaxOutputs>;

	/// The layout of this pallet's storage: 1 is the first versioned one (spec_version 106);
	/// a chain started before it holds version 0 of the same layout (the runtime's
	/// `migrations` module moves it to 1). Every change of layout bumps it and ships a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the consensus pallet.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The key an evaluator node's off-chain worker signs its commits and reveals with
		/// (`poq_primitives::crypto::EvaluatorAuthId` in the runtime).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;

		/// The currency of bounties and prices (only read: payouts go through [`Config::Tasks`]).
		type Currency: Inspect<Self::AccountId>;

		/// The tasks pallet: reads scoring tasks and settles them.
		type Tasks: TaskProvider<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;

		/// The evaluators pallet: active evaluators, trust, slashing.
		type Evaluators: EvaluatorRegistry<Self::AccountId, BalanceOf<Self>>
			+ EvaluatorSlashing<Self::AccountId, BalanceOf<Self>>;

		/// Fresh entropy of every block, folded into the [`Beacon`] that seeds committee draws:
		/// the VRF output of the parent block's author (`pallet_babe::ParentBlockRandomness`) in
		/// the runtime, on every chain. It must be something no single party learns before the
		/// block is published except that block's author; `None` (genesis) adds nothing.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Blocks from the close of a task's reveal phase (its candidates fixed) to its
		/// committee draw: the draw's seed holds the entropy of that many blocks, so knowing it
		/// in advance takes authoring all of them ([`draw`]). At least 2 in a production
		/// runtime; 0 draws at once from the beacon as it stands (tests only). Lengthens every
		/// task's path to settlement by as many blocks.
		#[pallet::constant]
		type DrawDelay: Get<BlockNumberFor<Self>>;

		/// Most members of a committee. At least the tasks pallet's `MaxCommitteeSize`.
		#[pallet::constant]
		type MaxCommitteeSize: Get<u32>;

		/// Most outputs of a task. At least the tasks pallet's `MaxOutputs`.
		#[pallet::constant]
		type MaxOutputs: Get<u32>;

		/// Most evaluators considered in a draw (the first ones the registry lists). At least
		/// the evaluators pallet's `MaxActiveEvaluators` to consider everyone.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// Most weight `on_initialize` spends on due settlements and on pruning results; what
		/// does not fit is done by `on_idle` and the next blocks. At least one settlement at the
		/// maxima ([`Pallet::max_settlement_weight`]), so that every block makes progress.
		#[pallet::constant]
		type ServiceWeight: Get<Weight>;

		/// Parameters at genesis (must pass [`Params::validate`]).
		type DefaultParams: Get<Params<BlockNumberFor<Self>>>;

		/// The committee minimum until governance or genesis sets [`MinCommittee`]: 1 to
		/// `MaxCommitteeSize`, at most the default committee size (3 in the runtime).
		#[pallet::constant]
		type DefaultMinCommittee: Get<u32>;

		/// Most model sets governance can accept at once ([`AcceptedModelSets`]): at least 2, so
		/// that evaluators on an old and a new set can coexist during an upgrade.
		#[pallet::constant]
		type MaxModelSets: Get<u32>;

		/// Who sets weights and parameters and accepts model sets.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Calibration: the weights each family's composite uses after gating
		/// (`pallet-poq-calibration` in the runtime; `()` uses the governed weights as they are).
		/// Told of every settled task.
		type Gate: CompositeGate;

		/// Weights of the calls and of settlement, from the benchmarks.
		type WeightInfo: WeightInfo;

		/// Sets up tasks and evaluators for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, BalanceOf<Self>>;
	}

	/// The governed parameters.
	#[pallet::storage]
	pub type CurrentParams<T: Config> =
		StorageValue<_, Params<BlockNumberFor<T>>, ValueQuery, T::DefaultParams>;

	/// The fewest members a committee may have: queries may not ask for fewer, a draw fills
	/// this many seats whatever the budget, and a task with fewer valid reveals changes no
	/// trust or rating and pays nobody ([`Pallet::set_min_committee`]).
	#[pallet::storage]
	pub type MinCommittee<T: Config> = StorageValue<_, u32, ValueQuery, T::DefaultMinCommittee>;

	/// Default weights of a family without governed ones: [`DEFAULT_WEIGHTS`].
	pub struct DefaultFamilyWeights;
	impl Get<DimensionWeights> for DefaultFamilyWeights {
		fn get() -> DimensionWeights {
			DEFAULT_WEIGHTS
		}
	}

	/// Composite weights per task family, in [`poq_primitives::Dimension::ALL`] order.
	#[pallet::storage]
	pub type Weights<T: Config> =
		StorageMap<_, Twox64Concat, TaskFamily, DimensionWeights, ValueQuery, DefaultFamilyWeights>;

	/// Declared price per evaluation of an evaluator (zero when not declared).
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// Committees of tasks being scored.
	#[pallet::storage]
	pub type Rounds<T: Config> = StorageMap<_, Twox64Concat, TaskId, RoundOf<T>>;

	/// Members' score commitments.
	#[pallet::storage]
	pub type Commits<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, H256>;

	/// Members' reveals.
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, RevealOf<T>>;

	/// Tasks due for automatic settlement at a block (`block -> task -> ()`): one entry per
	/// round, at its `reveal_ends`.
	#[pallet::storage]
	pub type Due<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, TaskId, (), OptionQuery>;

	/// The first block whose [`Due`] entries may not all be settled yet.
	#[pallet::storage]
	pub type DueCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Settled results, kept for `result_retention` blocks.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, TaskId, TaskResultOf<T>>;

	/// Settled tasks in settlement order (`index -> task`), pruned from the head.
	#[pallet::storage]
	pub type ResultQueue<T: Config> = StorageMap<_, Twox64Concat, u64, TaskId>;

	/// `(head, tail)` of [`ResultQueue`]: the entries are `head..tail`.
	#[pallet::storage]
	pub type ResultQueueBounds<T: Config> = StorageValue<_, (u64, u64), ValueQuery>;

	/// Valid reveals of settled tasks and their draw block, kept and pruned with [`Results`]
	/// (calibration reads them when a gold task's labels are revealed).
	#[pallet::storage]
	pub type SettledReports<T: Config> = StorageMap<
		_,
		Twox64Concat,
		TaskId,
		SettledRecord<T::AccountId, BlockNumberFor<T>, T::MaxOutputs, T::MaxCommitteeSize>,
	>;

	/// Outlier strikes in a row per evaluator.
	#[pallet::storage]
	pub type Strikes<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Committees not settled yet that each evaluator sits on: while above zero, the
	/// evaluators pallet refuses its withdrawals ([`poq_primitives::Obligations`]).
	#[pallet::storage]
	pub type Engaged<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The randomness beacon: a hash chain of every block's entropy ([`Config::Randomness`]).
	#[pallet::storage]
	pub type Beacon<T: Config> = StorageValue<_, H256, ValueQuery>;

	/// Candidates of the draws due at a block, fixed when their reveal phases closed.
	#[pallet::storage]
	pub type Snapshots<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		CandidateSnapshot<T::AccountId, BalanceOf<T>, T::MaxCandidates>,
	>;

	/// Draws due at a block (`block -> task -> ()`), serviced oldest first like [`Due`].
	#[pallet::storage]
	pub type DrawQueue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, TaskId, (), OptionQuery>;

	/// The first block whose [`DrawQueue`] entries may not all be drawn yet.
	#[pallet::storage]
	pub type DrawCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Tasks whose reveal phase closed and whose committee is not drawn yet, with the block of
	/// their draw (the key of their [`Snapshots`] entry) and the number of its candidates.
	#[pallet::storage]
	pub type PendingDraws<T: Config> = StorageMap<_, Twox64Concat, TaskId, (BlockNumberFor<T>, u32)>;

	/// The model sets governance accepts, by hash ([`poq_primitives::model_set_identity`]),
	/// with a name and version: reveals of any other set are left out of the consensus
	/// ([`Conduct::UnacceptedModelSet`]). At most [`Config::MaxModelSets`]; governance cannot
	/// retire the last one.
	#[pallet::storage]
	pub type AcceptedModelSets<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, H256, ModelSetInfo, OptionQuery>;

	/// The model sets accepted at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(hash, name, version)` of each accepted model set: 1 to [`Config::MaxModelSets`]
		/// distinct hashes on a chain whose evaluators should be paid, each label 1 to
		/// [`MAX_MODEL_SET_LABEL`] bytes. The node's chain specs accept the default set of
		/// `offchain-worker/models.lock`.
		pub model_sets: Vec<(H256, Vec<u8>, Vec<u8>)>,
		/// The committee minimum ([`MinCommittee`]); `None` keeps
		/// [`Config::DefaultMinCommittee`] (the dev preset sets 1: one evaluator node).
		pub min_committee: Option<u32>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::accept_genesis_model_sets(&self.model_sets);
			if let Some(n) = self.min_committee {
				assert!(Pallet::<T>::valid_min_committee(n), "min_committee out of range");
				MinCommittee::<T>::put(n);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A committee was drawn for a task.
		CommitteeDrawn {
			task: TaskId,
			committee: Vec<T::AccountId>,
			commit_ends: BlockNumberFor<T>,
			reveal_ends: BlockNumberFor<T>,
		},
		/// A member committed to its scores.
		ScoresCommitted { task: TaskId, who: T::AccountId },
		/// Every member committed: the reveal window opens at `reveal_starts`, before the commit
		/// window's planned end.
		AllCommitted { task: TaskId, reveal_starts: BlockNumberFor<T> },
		/// Every member who committed revealed: the task is settled now.
		AllRevealed { task: TaskId },
		/// A member revealed scores matching its commitment.
		ScoresRevealed { task: TaskId, who: T::AccountId, model_set: H256 },
		/// A member revealed scores that do not match its commitment; it is slashed at
		/// settlement.
		RevealMismatch { task: TaskId, who: T::AccountId },
		/// A member revealed matching scores of a model set governance has not accepted: they
		/// are left out of the consensus and earn nothing, and the member is not slashed (a
		/// configuration error: the node runs models other than the accepted ones).
		RevealLeftOut { task: TaskId, who: T::AccountId, model_set: H256 },
		/// Governance accepted a model set.
		ModelSetAccepted { model_set: H256, name: ModelSetLabel, version: ModelSetLabel },
		/// Governance retired a model set: reveals of it are left out from now on.
		ModelSetRetired { model_set: H256 },
		/// A task was settled: scores, winner, every payout and the refund.
		TaskScored {
			task: TaskId,
			winner: Option<T::AccountId>,
			outputs: Vec<OutputResult<T::AccountId, BalanceOf<T>>>,
			evaluators: Vec<EvaluatorResult<T::AccountId, BalanceOf<T>>>,
			refunded: BalanceOf<T>,
		},
		/// A task's round was dropped because the task is no longer scoring (it expired).
		RoundDropped { task: TaskId },
		/// A task's automatic settlement failed: nothing of it was applied and its round was
		/// dropped (the task expires and is refunded by the tasks pallet).
		SettlementFailed { task: TaskId, error: DispatchError },
		/// An evaluator declared its price per evaluation.
		PriceSet { who: T::AccountId, price: BalanceOf<T> },
		/// Governance set a family's composite weights.
		DimensionWeightsSet { family: TaskFamily, weights: DimensionWeights },
		/// Governance set the parameters.
		ParamsSet { params: Params<BlockNumberFor<T>> },
		/// Governance set the committee minimum.
		MinCommitteeSet { min: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not a bonded evaluator.
		NotEvaluator,
		/// The task has no committee round (unknown, not yet scoring, or settled).
		NoRound,
		/// The caller is not in the task's committee.
		NotInCommittee,
		/// The commit window is over.
		CommitClosed,
		/// The caller committed already.
		AlreadyCommitted,
		/// The reveal window is not open (too early or over).
		RevealNotOpen,
		/// The caller did not commit.
		NotCommitted,
		/// The caller revealed already.
		AlreadyRevealed,
		/// The reveal needs exactly one report per output.
		WrongReportCount,
		/// The task is not due for settlement yet.
		NotDue,
		/// Weights must have at least one non-zero entry.
		InvalidWeights,
		/// Parameters that do not pass [`Params::validate`].
		InvalidParams,
		/// The committee minimum is zero, above `MaxCommitteeSize` or above the default
		/// committee size.
		InvalidMinCommittee,
		/// The draw delay and the commit and reveal windows do not fit in the tasks pallet's
		/// scoring phase: every member would miss its windows.
		WindowsExceedScoring,
		/// A model set's name or version is empty or longer than [`MAX_MODEL_SET_LABEL`] bytes.
		InvalidLabel,
		/// The model set is accepted already.
		ModelSetAlreadyAccepted,
		/// [`Config::MaxModelSets`] model sets are accepted already: retire one first.
		TooManyModelSets,
		/// The model set is not accepted.
		UnknownModelSet,
		/// The last accepted model set cannot be retired: every reveal would be left out.
		LastModelSet,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let beacon = Self::update_beacon();
			beacon.saturating_add(Self::service(now, T::ServiceWeight::get().saturating_sub(beacon)))
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::service(now, remaining)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			Self::evaluate_offchain(now);
		}

		fn integrity_test() {
			assert!(
				T::DefaultParams::get().validate(T::MaxCommitteeSize::get()),
				"DefaultParams must pass Params::validate"
			);
			assert!(
				Self::max_settlement_weight().all_lte(T::ServiceWeight::get()),
				"ServiceWeight must hold one settlement at the maxima"
			);
			assert!(
				T::WeightInfo::draw_committee(T::MaxCandidates::get())
					.saturating_add(T::DbWeight::get().reads_writes(3, 2))
					.all_lte(T::ServiceWeight::get()),
				"ServiceWeight must hold one draw at the maxima"
			);
			assert!(T::MaxOutputs::get() > 0 && T::MaxCommitteeSize::get() > 0);
			let min = T::DefaultMinCommittee::get();
			assert!(
				min >= 1 && min <= T::DefaultParams::get().committee_size,
				"DefaultMinCommittee must be 1 to the default committee size"
			);
			assert!(
				Self::blocks_needed(&T::DefaultParams::get()) <= T::Tasks::scoring_blocks(),
				"the draw delay, commit and reveal windows must fit in the scoring phase"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Declares the caller's price per evaluation (bonded evaluators only). A committee's
		/// prices must fit in a task's evaluation budget; a member who reveals accurately is
		/// paid its price times its accuracy before the rest of the budget is shared.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(origin: OriginFor<T>, #[pallet::compact] price: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Evaluators::trust(&who).is_some(), Error::<T>::NotEvaluator);
			if price.is_zero() {
				Prices::<T>::remove(&who);
			} else {
				Prices::<T>::insert(&who, price);
			}
			Self::deposit_event(Event::PriceSet { who, price });
			Ok(())
		}

		/// Commits to the caller's scores of `task`:
		/// [`poq_primitives::commitment::scores`] (of the member's account). Committee members
		/// only, signed by the member or by its registered scoring key
		/// (`evaluators.setScoringKey`), once, in the commit window. The last member's commitment closes the window: reveals open in the next
		/// block.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::commit_scores())]
		pub fn commit_scores(origin: OriginFor<T>, task: TaskId, commitment: H256) -> DispatchResult {
			let who = Self::scorer(origin)?;
			let mut round = Rounds::<T>::get(task).ok_or(Error::<T>::NoRound)?;
			ensure!(round.committee.iter().any(|(m, _)| *m == who), Error::<T>::NotInCommittee);
			let now = Self::now();
			ensure!(now < round.commit_ends, Error::<T>::CommitClosed);
			ensure!(!Commits::<T>::contains_key(task, &who), Error::<T>::AlreadyCommitted);
			Commits::<T>::insert(task, &who, commitment);
			round.committed = round.committed.saturating_add(1);
			let next = now.saturating_add(One::one());
			let all = round.committed as usize >= round.committee.len() && next < round.commit_ends;
			if all {
				round.commit_ends = next;
			}
			Rounds::<T>::insert(task, round);
			Self::deposit_event(Event::ScoresCommitted { task, who });
			if all {
				Self::deposit_event(Event::AllCommitted { task, reveal_starts: next });
			}
			Ok(())
		}

		/// Reveals the caller's scores of `task`: one report per output, in the task's output
		/// order, the model-set hash and the salt of the commitment. A reveal that does not
		/// match the commitment is recorded as such (and slashed at settlement); it cannot be
		/// retried. The last reveal of the members who committed closes the window: the task is
		/// settled in this block (or the next, when this block has no weight left).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reveal_scores(reports.len() as u32))]
		pub fn reveal_scores(
			origin: OriginFor<T>,
			task: TaskId,
			reports: Vec<ScoreReport>,
			model_set: H256,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = Self::scorer(origin)?;
			let mut round = Rounds::<T>::get(task).ok_or(Error::<T>::NoRound)?;
			ensure!(round.committee.iter().any(|(m, _)| *m == who), Error::<T>::NotInCommittee);
			let now = Self::now();
			ensure!(now >= round.commit_ends && now < round.reveal_ends, Error::<T>::RevealNotOpen);
			let commitment = Commits::<T>::get(task, &who).ok_or(Error::<T>::NotCommitted)?;
			ensure!(!Reveals::<T>::contains_key(task, &who), Error::<T>::AlreadyRevealed);
			ensure!(reports.len() as u32 == round.outputs, Error::<T>::WrongReportCount);
			if poq_primitives::commitment::scores(&who, task, &reports, &model_set, &salt) == commitment {
				let reports: BoundedVec<_, T::MaxOutputs> =
					reports.try_into().map_err(|_| Error::<T>::WrongReportCount)?;
				Reveals::<T>::insert(task, &who, Reveal::Valid { reports, model_set });
				if AcceptedModelSets::<T>::contains_key(model_set) {
					Self::deposit_event(Event::ScoresRevealed { task, who, model_set });
				} else {
					Self::deposit_event(Event::RevealLeftOut { task, who, model_set });
				}
			} else {
				Reveals::<T>::insert(task, &who, Reveal::Mismatch);
				Self::deposit_event(Event::RevealMismatch { task, who });
			}
			round.revealed = round.revealed.saturating_add(1);
			let all = round.revealed >= round.committed;
			if all {
				Self::reschedule_settlement(task, round.reveal_ends, now);
				round.reveal_ends = now;
			}
			Rounds::<T>::insert(task, round);
			if all {
				Self::deposit_event(Event::AllRevealed { task });
			}
			Ok(())
		}

		/// Settles `task` once its reveal window is over (anyone may call; settlement is
		/// otherwise automatic). On a task that expired meanwhile it drops the round.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::settle(T::MaxCommitteeSize::get(), T::MaxOutputs::get()))]
		pub fn settle(origin: OriginFor<T>, task: TaskId) -> DispatchResult {
			ensure_signed(origin)?;
			let round = Rounds::<T>::get(task).ok_or(Error::<T>::NoRound)?;
			ensure!(Self::now() >= round.reveal_ends, Error::<T>::NotDue);
			Self::do_settle(task)
		}

		/// Sets the composite weights of `family`, in [`poq_primitives::Dimension::ALL`] order. At least one must
		/// be non-zero; zero disables a dimension. Applies to tasks settled from now on.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_dimension_weights())]
		pub fn set_dimension_weights(
			origin: OriginFor<T>,
			family: TaskFamily,
			weights: DimensionWeights,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(weights.iter().any(|w| !w.is_zero()), Error::<T>::InvalidWeights);
			Weights::<T>::insert(family, weights);
			Self::deposit_event(Event::DimensionWeightsSet { family, weights });
			Ok(())
		}

		/// Sets every governed parameter at once (see [`Params`]). Windows apply to committees
		/// drawn from now on; the rest to tasks settled from now on. The draw delay, the windows
		/// and the settlement block must fit in the tasks pallet's scoring phase
		/// ([`Error::WindowsExceedScoring`]).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: Params<BlockNumberFor<T>>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(params.validate(T::MaxCommitteeSize::get()), Error::<T>::InvalidParams);
			ensure!(params.committee_size >= MinCommittee::<T>::get(), Error::<T>::InvalidParams);
			ensure!(
				Self::blocks_needed(&params) <= T::Tasks::scoring_blocks(),
				Error::<T>::WindowsExceedScoring
			);
			CurrentParams::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// Sets the committee minimum (governance): 1 to `MaxCommitteeSize`, at most the
		/// governed default committee size. Applies to queries posted and committees drawn from
		/// now on, and to tasks settled from now on.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_min_committee())]
		pub fn set_min_committee(origin: OriginFor<T>, min: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Self::valid_min_committee(min), Error::<T>::InvalidMinCommittee);
			MinCommittee::<T>::put(min);
			Self::deposit_event(Event::MinCommitteeSet { min });
			Ok(())
		}

		/// Accepts the model set `model_set` ([`poq_primitives::model_set_identity`] of its
		/// lock: what an evaluator node reports with its reveals) under a name and version of 1
		/// to [`MAX_MODEL_SET_LABEL`] bytes each. Reveals of it count from now on, beside those
		/// of the sets accepted before: that is how a new set is rolled out
		/// ([`Pallet::retire_model_set`] ends the old one).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::accept_model_set())]
		pub fn accept_model_set(
			origin: OriginFor<T>,
			model_set: H256,
			name: Vec<u8>,
			version: Vec<u8>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_accept_model_set(model_set, name, version)
		}

		/// Retires the accepted model set `model_set`: its reveals are left out of the
		/// consensus from now on, also those of tasks not settled yet. The last accepted set
		/// cannot be retired ([`Error::LastModelSet`]).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::retire_model_set())]
		pub fn retire_model_set(origin: OriginFor<T>, model_set: H256) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_retire_model_set(model_set)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The evaluator a signed origin scores for: itself, or the owner of its scoring key.
		fn scorer(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
			let signer = ensure_signed(origin)?;
			Ok(T::Evaluators::scorer_of(&signer).ok_or(Error::<T>::NotEvaluator)?)
		}

		pub(crate) fn now() -> BlockNumberFor<T> {
			frame_system::Pallet::<T>::block_number()
		}

		/// Whether `min` can be the committee minimum.
		pub(crate) fn valid_min_committee(min: u32) -> bool {
			(1..=T::MaxCommitteeSize::get()).contains(&min) && min <= CurrentParams::<T>::get().committee_size
		}

		/// The committee round of `task`, if it is being scored.
		pub fn round(task: TaskId) -> Option<RoundOf<T>> {
			Rounds::<T>::get(task)
		}

		/// The settled result of `task`, while retained.
		pub fn result(task: TaskId) -> Option<TaskResultOf<T>> {
			Results::<T>::get(task)
		}
	}
}

impl<T: Config> poq_primitives::Obligations<T::AccountId> for Pallet<T> {
	fn is_owed(who: &T::AccountId) -> bool {
		Engaged::<T>::get(who) > 0
	}
}

/// Sets up the state the benchmarks need, through the runtime's other pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Balance> {
	/// Creates a task with `outputs` revealed outputs of distinct providers and brings it to
	/// its scoring phase (which draws its committee); returns the task.
	fn scoring_task(outputs: u32) -> TaskId;
	/// Creates and returns the `i`-th bonded, active evaluator.
	fn evaluator(i: u32) -> AccountId;
}
