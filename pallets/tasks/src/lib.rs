//! # Tasks pallet
//!
//! Queries, their bounties, the inference nodes (providers) that answer them, and the
//! commit-reveal of their outputs.
//!
//! ## Overview
//!
//! A user posts a query with [`Pallet::submit_query`]: a [`TaskFamily`], the query text, an
//! optional reference answer, a bounty and [`QueryOptions`]. The bounty and a storage deposit
//! are held (`fungible` holds). The task then goes through phases of governed lengths
//! ([`PhaseLengths`]):
//!
//! 1. **Answer**: registered providers ([`Pallet::register_provider`]) commit to an output with
//!    [`Pallet::commit_output`], giving [`poq_primitives::commitment::output`] and holding an
//!    output deposit: up to twice `max_outputs` commitments, of which `max_outputs` are
//!    admitted by a draw weighted by rating when there are more (`admission.rs`).
//! 2. **Reveal**: providers reveal output and salt ([`Pallet::reveal_output`]). When the phase
//!    closes, unrevealed outputs forfeit their deposit to [`Config::Slashed`]; revealed ones keep
//!    it held until the task ends (returned, unless scored below the quality floor).
//! 3. **Scoring**: the consensus pallet (through [`poq_primitives::TaskProvider`]) reads the
//!    revealed outputs and, once it has a result, settles the task: it pays out of the bounty
//!    and the rest returns to the user. A task not settled by the end of the scoring phase
//!    expires and the whole bounty returns to the user.
//!
//! A user can [`Pallet::cancel_query`] while no output is committed.
//!
//! Providers declare their model from a **governed registry** ([`Models`]; governance calls
//! [`Pallet::register_model`], [`Pallet::retire_model`], [`Pallet::remove_model`]). When a
//! task settles, the consensus pallet records each output's evaluator-side quality under its
//! model and family ([`ModelStats`]); [`TasksApi::model_stats`] returns these statistics, from
//! which `poq-scorer leaderboard` prints the model leaderboard (`models` module).
//!
//! ## Design
//!
//! - **Phase ends are fixed at submission**, from the lengths in force then, as upper bounds:
//!   the phase of a task is derived from the block number and those ends; governance changes
//!   apply to new tasks. A phase **closes early** when nobody it waits for is left: the answer
//!   phase when the task has twice its `max_outputs` commitments, or `max_outputs` of them from
//!   providers rated at least the quality floor (the reveal phase starts in the next block), the reveal phase when every committed output is revealed (it is closed in the same
//!   block's `on_idle`, else in the next block's `on_initialize`). Deadlines, forfeits and
//!   expiry are those of the fixed windows.
//! - **Work at phase ends is queued, not bucketed.** Closing reveals, expiring and pruning are
//!   entries of the [`Schedule`] keyed by `(block, (task, action))`, with no per-block cap: a
//!   submission never fails for want of room. `on_initialize` services due entries up to
//!   [`Config::ServiceWeight`], `on_idle` with the block's remaining weight, and whatever does
//!   not fit carries over to the next block ([`ScheduleCursor`]); each entry is charged its
//!   benchmarked weight for its own task (its outputs, the draw over the current candidates)
//!   before it runs. A cancelled task removes its entries.
//! - **Texts do not stay in state.** Query, reference and outputs are removed when a task
//!   settles or expires; the compact [`TaskInfo`] (with the hashes of the texts) stays for
//!   [`Config::RecordRetention`] blocks and is then pruned, as are the outputs' hashes.
//! - **The commitment binds the account**, so a provider cannot copy another's commitment.
//! - **Admission is not first come**: see `admission.rs` (the draw) and `docs/security.md`.
//! - **Whoever posts pays for the hooks**: `submit_query`'s weight includes the most its
//!   schedule entries can weigh ([`Pallet::scheduled_weight`]).
//! - **Nothing is lost**: the bounty is paid out or returned, deposits are returned, except the
//!   output deposits of unrevealed outputs and of outputs scored below the quality floor, which
//!   go to [`Config::Slashed`] (treasury or burn).
//!
//! ## Terms
//!
//! - *provider*: an inference node, registered with a model id and a declared cost per output.
//! - *model id*: `name@version` of a model in the registry, e.g. `llama-3@8b-instruct`.
//! - *commitment*: `blake2_256(SCALE((b"poq/output", account, task, output, salt)))`, with `task`
//!   a `u64`, `output` a byte vector (compact length prefix) and `salt` 32 bytes
//!   ([`poq_primitives::commitment::output`]).
//! - *bounty*: the user's reward pool for the task.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod invariants;
mod models;
pub use models::*;
mod admission;
pub use admission::{admission_weight, draw_admitted, MaxCommitments};
mod schedule;
mod scoring;
mod texts;
mod types;
pub use types::*;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{self, BalancedHold, Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		OnUnbalanced,
	},
};
use frame_system::pallet_prelude::*;
use poq_primitives::{TaskScoring, RevealedOutput, ScoringView, TaskFamily, TaskId, TaskProvider};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Forfeited funds, on their way to [`Config::Slashed`].
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The task record type of this configuration.
	pub type TaskInfoOf<T> =
		TaskInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// The provider record type of this configuration.
	pub type ProviderInfoOf<T> = ProviderInfo<BalanceOf<T>, <T as Config>::MaxModelIdLen>;
	/// A model id (`name@version`) of this configuration.
	pub type ModelIdOf<T> = BoundedVec<u8, <T as Config>::MaxModelIdLen>;
	/// The model registry's record type of this configuration.
	pub type ModelInfoOf<T> = ModelInfo<<T as Config>::MaxModelIdLen>;

	/// The layout of this pallet's storage: 1 is the first versioned one (spec_version 106);
	/// a chain started before it holds version 0 of the same layout (the runtime's
	/// `migrations` module moves it to 1). Every change of layout bumps it and ships a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency of bounties and deposits (held with this pallet's [`HoldReason`]s).
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The runtime's hold reason, which includes this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Longest query, in bytes. Also bounds the PoV of every call that reads the query.
		#[pallet::constant]
		type MaxQueryLen: Get<u32>;

		/// Longest reference answer, in bytes.
		#[pallet::constant]
		type MaxReferenceLen: Get<u32>;

		/// Longest output, in bytes.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// Longest model id (`name@version`), in bytes (at least 3).
		#[pallet::constant]
		type MaxModelIdLen: Get<u32>;

		/// Most models in the registry, retired ones included (at least 1). Bounds
		/// [`Models`] and, with the four families, [`ModelStats`].
		#[pallet::constant]
		type MaxModels: Get<u32>;

		/// Most outputs per task (at least 1).
		#[pallet::constant]
		type MaxOutputs: Get<u32>;

		/// Largest committee a query may ask for (at least 1).
		#[pallet::constant]
		type MaxCommitteeSize: Get<u32>;

		/// Most weight `on_initialize` spends on due phase ends (closing reveals with their
		/// committee draws, expiring, pruning); what does not fit is serviced by `on_idle` and
		/// the next blocks. At least the costliest single entry
		/// ([`Pallet::max_action_weight`]), so that every block makes progress; together with
		/// the other pallets' hook budgets, small enough to leave the normal dispatch class its
		/// share of the block.
		#[pallet::constant]
		type ServiceWeight: Get<Weight>;

		/// Most tasks a provider may have outputs in at once.
		#[pallet::constant]
		type MaxOpenTasksPerProvider: Get<u32>;

		/// Smallest bounty (at least the existential deposit).
		#[pallet::constant]
		type MinBounty: Get<BalanceOf<Self>>;

		/// Storage deposit of a task: base part.
		#[pallet::constant]
		type TaskDepositBase: Get<BalanceOf<Self>>;

		/// Storage deposit of a task: per byte of query and reference.
		#[pallet::constant]
		type TaskDepositPerByte: Get<BalanceOf<Self>>;

		/// Deposit of a provider's registration.
		#[pallet::constant]
		type ProviderDeposit: Get<BalanceOf<Self>>;

		/// Deposit per committed output, returned on reveal, forfeited otherwise.
		#[pallet::constant]
		type OutputDeposit: Get<BalanceOf<Self>>;

		/// Phase lengths used until governance sets [`Phases`]. Each at least 1 block.
		#[pallet::constant]
		type DefaultPhaseLengths: Get<PhaseLengths<BlockNumberFor<Self>>>;

		/// Longest phase governance may set.
		#[pallet::constant]
		type MaxPhaseLength: Get<BlockNumberFor<Self>>;

		/// Blocks a task's record stays after its scoring phase ends (at least 1).
		#[pallet::constant]
		type RecordRetention: Get<BlockNumberFor<Self>>;

		/// Where forfeited output deposits go: a treasury's `OnUnbalanced`, or `()` to burn.
		type Slashed: OnUnbalanced<CreditOf<Self>>;

		/// Told when a task's reveal phase closes with revealed outputs (the consensus pallet
		/// draws a committee). `()` when no consensus pallet is present.
		type Scoring: TaskScoring;

		/// Who may change the phase lengths and the model registry (the runtime: root or 2/3
		/// of the council).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A task's bounty.
		#[codec(index = 0)]
		Bounty,
		/// A task's storage deposit.
		#[codec(index = 1)]
		TaskDeposit,
		/// A provider's registration deposit.
		#[codec(index = 2)]
		ProviderDeposit,
		/// A committed, not yet revealed output.
		#[codec(index = 3)]
		OutputDeposit,
	}

	/// The id the next task gets.
	#[pallet::storage]
	pub type NextTaskId<T> = StorageValue<_, TaskId, ValueQuery>;

	/// Every task that has not been pruned.
	#[pallet::storage]
	pub type Tasks<T: Config> = StorageMap<_, Twox64Concat, TaskId, TaskInfoOf<T>>;

	/// Query texts of running tasks.
	#[pallet::storage]
	pub type Queries<T: Config> =
		StorageMap<_, Twox64Concat, TaskId, BoundedVec<u8, T::MaxQueryLen>>;

	/// Reference answers of running tasks.
	#[pallet::storage]
	pub type References<T: Config> =
		StorageMap<_, Twox64Concat, TaskId, BoundedVec<u8, T::MaxReferenceLen>>;

	/// Providers with an output in a task, in commit order: up to twice `max_outputs` during
	/// the answer phase, the admitted ones (at most `max_outputs`) after it.
	#[pallet::storage]
	pub type Committers<T: Config> =
		StorageMap<_, Twox64Concat, TaskId, BoundedVec<T::AccountId, MaxCommitments<T>>, ValueQuery>;

	/// Commitments and output hashes (kept until the task is pruned).
	#[pallet::storage]
	pub type Outputs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, OutputEntry>;

	/// Revealed output texts of running tasks.
	#[pallet::storage]
	pub type OutputTexts<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		TaskId,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<u8, T::MaxOutputLen>,
	>;

	/// Registered providers.
	#[pallet::storage]
	pub type Providers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProviderInfoOf<T>>;

	/// Actions due at a block: `block -> (task, action) -> ()`. At most three per task.
	#[pallet::storage]
	pub type Schedule<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		(TaskId, Action),
		(),
		OptionQuery,
	>;

	/// The first block whose [`Schedule`] entries may not all be serviced yet.
	#[pallet::storage]
	pub type ScheduleCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The governed registry of inference models, by id (`name@version`); at most
	/// [`Config::MaxModels`].
	#[pallet::storage]
	pub type Models<T: Config> = CountedStorageMap<_, Blake2_128Concat, ModelIdOf<T>, ModelInfoOf<T>>;

	/// Statistics of the settled, evaluator-side quality of a registered model's outputs, per
	/// family: the model leaderboard's data. Written at settlement, removed with the model.
	#[pallet::storage]
	pub type ModelStats<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ModelIdOf<T>, Twox64Concat, TaskFamily, QualityStats>;

	/// Governed phase lengths; [`Config::DefaultPhaseLengths`] until set.
	#[pallet::storage]
	pub type Phases<T: Config> =
		StorageValue<_, PhaseLengths<BlockNumberFor<T>>, ValueQuery, T::DefaultPhaseLengths>;

	/// The models registered at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(name, version)` of each model registered at genesis: distinct, each a valid id
		/// `name@version` ([`model_id_of`]), at most [`Config::MaxModels`].
		pub models: Vec<(Vec<u8>, Vec<u8>)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::register_genesis_models(&self.models);
		}
	}

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A query was posted.
		QuerySubmitted {
			task: TaskId,
			submitter: T::AccountId,
			family: TaskFamily,
			bounty: BalanceOf<T>,
			query_hash: H256,
			reference_hash: Option<H256>,
			answer_ends: BlockNumberFor<T>,
			reveal_ends: BlockNumberFor<T>,
			scoring_ends: BlockNumberFor<T>,
		},
		/// The submitter cancelled a query; bounty and deposit returned.
		QueryCancelled { task: TaskId },
		/// A provider registered.
		ProviderRegistered { who: T::AccountId, model_id: Vec<u8>, declared_cost: BalanceOf<T> },
		/// A provider changed its model or declared cost.
		ProviderUpdated { who: T::AccountId, model_id: Vec<u8>, declared_cost: BalanceOf<T> },
		/// A provider deregistered; deposit returned.
		ProviderDeregistered { who: T::AccountId },
		/// A provider committed an output.
		OutputCommitted { task: TaskId, provider: T::AccountId, commitment: H256 },
		/// The task has twice its `max_outputs` commitments, or `max_outputs` of providers rated
		/// at least the quality floor: the reveal phase starts at `reveal_starts`, before the
		/// answer window's end.
		AnswerClosed { task: TaskId, reveal_starts: BlockNumberFor<T> },
		/// The answer window closed with more commitments than `max_outputs`: these were
		/// admitted (a draw weighted by rating), in commit order; the others' deposits returned.
		OutputsAdmitted { task: TaskId, admitted: Vec<T::AccountId>, refused: Vec<T::AccountId> },
		/// A revealed output scored below the quality floor: its deposit went to the slash
		/// destination.
		OutputBelowFloor { task: TaskId, provider: T::AccountId, amount: BalanceOf<T> },
		/// A provider revealed its output.
		OutputRevealed { task: TaskId, provider: T::AccountId, output_hash: H256 },
		/// An output was not revealed in time; its deposit went to the slash destination.
		OutputForfeited { task: TaskId, provider: T::AccountId, amount: BalanceOf<T> },
		/// The reveal phase closed; the task is scored now.
		ScoringStarted { task: TaskId, outputs: u32 },
		/// The task settled: `paid` went out of the bounty, `refunded` back to the submitter.
		TaskSettled { task: TaskId, paid: BalanceOf<T>, refunded: BalanceOf<T> },
		/// The task ended without result; the bounty returned to the submitter.
		TaskExpired { task: TaskId, refunded: BalanceOf<T> },
		/// Governance set new phase lengths (for new tasks).
		PhaseLengthsSet { lengths: PhaseLengths<BlockNumberFor<T>> },
		/// Governance registered the model `name@version`.
		ModelRegistered { model: Vec<u8>, name: Vec<u8>, version: Vec<u8> },
		/// Governance retired a model: no provider may declare it any more.
		ModelRetired { model: Vec<u8> },
		/// Governance removed a retired model nobody declared, with its statistics.
		ModelRemoved { model: Vec<u8> },
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The query is empty.
		EmptyQuery,
		/// The query is longer than `MaxQueryLen`.
		QueryTooLong,
		/// The reference is longer than `MaxReferenceLen`.
		ReferenceTooLong,
		/// The bounty is below `MinBounty`.
		BountyTooLow,
		/// `max_outputs` or `committee_size` out of range.
		InvalidOptions,
		/// The account cannot hold the bounty or deposit.
		InsufficientBalance,
		/// No such task (never existed, or pruned).
		TaskNotFound,
		/// Not allowed in the task's current phase.
		WrongPhase,
		/// Only the submitter may do this.
		NotSubmitter,
		/// The query has committed outputs and cannot be cancelled.
		HasOutputs,
		/// The account is a registered provider already.
		AlreadyRegistered,
		/// The account is not a registered provider.
		NotRegistered,
		/// The model id (or a model's name or version) is empty, longer than `MaxModelIdLen`,
		/// or not visible ASCII (a name also without `@`).
		InvalidModelId,
		/// No such model in the registry.
		UnknownModel,
		/// The model is retired: providers cannot declare it, governance cannot retire it again.
		ModelRetired,
		/// The model is registered already.
		ModelExists,
		/// The registry holds `MaxModels` models.
		TooManyModels,
		/// Only a retired model can be removed.
		ModelNotRetired,
		/// Providers still declare the model.
		ModelInUse,
		/// The provider has outputs in tasks that have not ended.
		ProviderBusy,
		/// The provider has `MaxOpenTasksPerProvider` tasks open.
		TooManyOpenTasks,
		/// The provider committed to this task already.
		AlreadyCommitted,
		/// The task accepts no more outputs.
		TooManyOutputs,
		/// The provider has no commitment for this task.
		NotCommitted,
		/// The output was revealed already.
		AlreadyRevealed,
		/// The output is longer than `MaxOutputLen`.
		OutputTooLong,
		/// Output and salt do not match the commitment.
		BadReveal,
		/// The task's outputs are being admitted (more commitments than `max_outputs`): reveal
		/// in the next block.
		AdmissionPending,
		/// The committee asked for is below the governed minimum.
		CommitteeTooSmall,
		/// A phase length is zero or above `MaxPhaseLength`.
		InvalidPhaseLength,
		/// The scoring phase is shorter than the consensus pallet's draw delay, commit and reveal
		/// windows and settlement block: every committee would miss its windows.
		ScoringTooShort,
		/// Settlement: the task is not in its scoring phase.
		NotScoring,
		/// Settlement: the payouts exceed the bounty.
		PayoutExceedsBounty,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::service(now, T::ServiceWeight::get())
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			// Half of what is left, so that settlement (the consensus pallet) gets its turn.
			Self::service(now, remaining / 2)
		}

		fn integrity_test() {
			Self::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Posts a query with a bounty. Holds the bounty and a storage deposit of
		/// `TaskDepositBase + TaskDepositPerByte * (query + reference bytes)`. A committee size,
		/// if given, is at least the governed minimum ([`TaskScoring::min_committee`]). The
		/// call's weight includes the most its schedule entries can weigh when the hooks
		/// service them ([`Pallet::scheduled_weight`]): the submitter pays for the work its
		/// task causes later, and a block holds no more queries than the hooks can end.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::submit_weight(query.len() as u32, reference.as_ref().map_or(0, |r| r.len() as u32)))]
		pub fn submit_query(
			origin: OriginFor<T>,
			family: TaskFamily,
			query: Vec<u8>,
			reference: Option<Vec<u8>>,
			#[pallet::compact] bounty: BalanceOf<T>,
			options: QueryOptions,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!query.is_empty(), Error::<T>::EmptyQuery);
			let query: BoundedVec<u8, T::MaxQueryLen> =
				query.try_into().map_err(|_| Error::<T>::QueryTooLong)?;
			let reference: Option<BoundedVec<u8, T::MaxReferenceLen>> = reference
				.map(|r| r.try_into().map_err(|_| Error::<T>::ReferenceTooLong))
				.transpose()?;
			ensure!(bounty >= T::MinBounty::get(), Error::<T>::BountyTooLow);
			let max_outputs = options.max_outputs.unwrap_or(T::MaxOutputs::get());
			ensure!((1..=T::MaxOutputs::get()).contains(&max_outputs), Error::<T>::InvalidOptions);
			if let Some(k) = options.committee_size {
				ensure!((1..=T::MaxCommitteeSize::get()).contains(&k), Error::<T>::InvalidOptions);
				ensure!(k >= T::Scoring::min_committee(), Error::<T>::CommitteeTooSmall);
			}

			let bytes = query.len().saturating_add(reference.as_ref().map_or(0, |r| r.len()));
			let deposit = T::TaskDepositBase::get()
				.saturating_add(T::TaskDepositPerByte::get().saturating_mul((bytes as u32).into()));
			T::Currency::hold(&HoldReason::Bounty.into(), &who, bounty)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			T::Currency::hold(&HoldReason::TaskDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let now = frame_system::Pallet::<T>::block_number();
			let lengths = Phases::<T>::get();
			let answer_ends = now.saturating_add(lengths.answer);
			let reveal_ends = answer_ends.saturating_add(lengths.reveal);
			let scoring_ends = reveal_ends.saturating_add(lengths.scoring);
			let prune_at = scoring_ends.saturating_add(T::RecordRetention::get());

			let task = NextTaskId::<T>::get();
			NextTaskId::<T>::put(task.saturating_add(1));
			Self::schedule(reveal_ends, task, Action::CloseReveal);
			Self::schedule(scoring_ends, task, Action::Expire);
			Self::schedule(prune_at, task, Action::Prune);

			let query_hash = H256(sp_io::hashing::blake2_256(&query));
			let reference_hash = reference.as_ref().map(|r| H256(sp_io::hashing::blake2_256(r)));
			Tasks::<T>::insert(
				task,
				TaskInfo {
					submitter: who.clone(),
					family,
					bounty,
					deposit,
					query_hash,
					reference_hash,
					options: QueryOptions { max_outputs: Some(max_outputs), ..options },
					answer_ends,
					reveal_ends,
					scoring_ends,
					commits: 0,
					reveals: 0,
					ended: None,
					scoring: false,
				},
			);
			Queries::<T>::insert(task, query);
			if let Some(r) = reference {
				References::<T>::insert(task, r);
			}
			Self::deposit_event(Event::QuerySubmitted {
				task,
				submitter: who,
				family,
				bounty,
				query_hash,
				reference_hash,
				answer_ends,
				reveal_ends,
				scoring_ends,
			});
			Ok(())
		}

		/// Cancels a query that has no committed output; returns bounty and deposit and removes
		/// everything the task had reserved (its record and its schedule entries).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_query())]
		pub fn cancel_query(origin: OriginFor<T>, task: TaskId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
			ensure!(info.submitter == who, Error::<T>::NotSubmitter);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(info.phase(now) == Phase::Answer, Error::<T>::WrongPhase);
			ensure!(info.commits == 0, Error::<T>::HasOutputs);
			Self::release_task_funds(&info, info.bounty);
			Self::unschedule(info.reveal_ends, task, Action::CloseReveal);
			Self::unschedule(info.scoring_ends, task, Action::Expire);
			Self::unschedule(info.scoring_ends.saturating_add(T::RecordRetention::get()), task, Action::Prune);
			Tasks::<T>::remove(task);
			Queries::<T>::remove(task);
			References::<T>::remove(task);
			Self::deposit_event(Event::QueryCancelled { task });
			Ok(())
		}

		/// Registers the caller as an inference node serving `model_id` at `declared_cost`
		/// per output; holds `ProviderDeposit`. `model_id` is a registered, not retired model
		/// of [`Models`] (`name@version`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_provider())]
		pub fn register_provider(
			origin: OriginFor<T>,
			model_id: Vec<u8>,
			#[pallet::compact] declared_cost: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let model = Self::declarable_model(model_id.clone())?;
			let deposit = T::ProviderDeposit::get();
			T::Currency::hold(&HoldReason::ProviderDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Self::count_provider(&model, true);
			Providers::<T>::insert(
				&who,
				ProviderInfo { model_id: model, declared_cost, deposit, open_tasks: 0, rating: None },
			);
			Self::deposit_event(Event::ProviderRegistered { who, model_id, declared_cost });
			Ok(())
		}

		/// Changes the caller's model or declared cost. Not while it has open tasks. A new
		/// model must be registered and not retired; keeping a retired model is allowed.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::update_provider())]
		pub fn update_provider(
			origin: OriginFor<T>,
			model_id: Vec<u8>,
			#[pallet::compact] declared_cost: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut p = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(p.open_tasks == 0, Error::<T>::ProviderBusy);
			if p.model_id.as_slice() != model_id.as_slice() {
				let model = Self::declarable_model(model_id.clone())?;
				Self::count_provider(&p.model_id, false);
				Self::count_provider(&model, true);
				p.model_id = model;
			}
			p.declared_cost = declared_cost;
			Providers::<T>::insert(&who, p);
			Self::deposit_event(Event::ProviderUpdated { who, model_id, declared_cost });
			Ok(())
		}

		/// Deregisters the caller and returns its deposit. Not while it has open tasks.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deregister_provider())]
		pub fn deregister_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let p = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(p.open_tasks == 0, Error::<T>::ProviderBusy);
			T::Currency::release(
				&HoldReason::ProviderDeposit.into(),
				&who,
				p.deposit,
				Precision::BestEffort,
			)?;
			Self::count_provider(&p.model_id, false);
			Providers::<T>::remove(&who);
			Self::deposit_event(Event::ProviderDeregistered { who });
			Ok(())
		}

		/// Commits to an output in the answer phase: `commitment` is
		/// [`poq_primitives::commitment::output`]`(caller, task, output, salt)`. Holds
		/// `OutputDeposit` until the task settles (returned unless the output is left unrevealed
		/// or scored below the quality floor). A task accepts up to twice its `max_outputs`
		/// commitments; the answer phase closes early (the reveal phase starts in the next
		/// block) at the last of them, or once `max_outputs` of them come from providers rated
		/// at least the quality floor (unrated ones at the initial rating). When it has more
		/// than `max_outputs`, they are admitted at the answer phase's end by a draw weighted by
		/// the providers' ratings (`Action::Admit`), not in the order they came.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::commit_output())]
		pub fn commit_output(origin: OriginFor<T>, task: TaskId, commitment: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut p = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let mut info = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(info.phase(now) == Phase::Answer, Error::<T>::WrongPhase);
			ensure!(!Outputs::<T>::contains_key(task, &who), Error::<T>::AlreadyCommitted);
			let max = Self::max_outputs_of(&info);
			let cap = max.saturating_mul(2);
			ensure!(info.commits < cap, Error::<T>::TooManyOutputs);
			ensure!(p.open_tasks < T::MaxOpenTasksPerProvider::get(), Error::<T>::TooManyOpenTasks);
			Committers::<T>::try_mutate(task, |c| c.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyOutputs)?;
			T::Currency::hold(&HoldReason::OutputDeposit.into(), &who, T::OutputDeposit::get())
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Outputs::<T>::insert(task, &who, OutputEntry { commitment, output_hash: None });
			info.commits += 1;
			if info.commits == max.saturating_add(1) {
				Self::schedule(info.answer_ends, task, Action::Admit);
			}
			let next = now.saturating_add(One::one());
			let full = (info.commits >= cap || Self::qualified_commitments(task) >= max) && next < info.answer_ends;
			if full {
				if info.commits > max {
					Self::unschedule(info.answer_ends, task, Action::Admit);
					Self::schedule(next, task, Action::Admit);
				}
				info.answer_ends = next;
			}
			Tasks::<T>::insert(task, info);
			p.open_tasks += 1;
			Providers::<T>::insert(&who, p);
			Self::deposit_event(Event::OutputCommitted { task, provider: who, commitment });
			if full {
				Self::deposit_event(Event::AnswerClosed { task, reveal_starts: next });
			}
			Ok(())
		}

		/// Reveals the committed, admitted output in the reveal phase (refused with
		/// [`Error::AdmissionPending`] while the admission draw has not run). A reveal that does
		/// not match the commitment fails and changes nothing (the provider may still reveal
		/// correctly before the phase closes). The reveal of the last committed output closes
		/// the reveal phase in this block (or the next, when this block has no weight left).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::reveal_output(output.len() as u32))]
		pub fn reveal_output(
			origin: OriginFor<T>,
			task: TaskId,
			output: Vec<u8>,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(info.phase(now) == Phase::Reveal, Error::<T>::WrongPhase);
			ensure!(!Self::admission_pending(&info, task), Error::<T>::AdmissionPending);
			let mut entry = Outputs::<T>::get(task, &who).ok_or(Error::<T>::NotCommitted)?;
			ensure!(entry.output_hash.is_none(), Error::<T>::AlreadyRevealed);
			ensure!(
				poq_primitives::commitment::output(&who, task, &output, &salt) == entry.commitment,
				Error::<T>::BadReveal
			);
			let text: BoundedVec<u8, T::MaxOutputLen> =
				output.try_into().map_err(|_| Error::<T>::OutputTooLong)?;
			let output_hash = H256(sp_io::hashing::blake2_256(&text));
			entry.output_hash = Some(output_hash);
			Outputs::<T>::insert(task, &who, entry);
			OutputTexts::<T>::insert(task, &who, text);
			info.reveals += 1;
			let all_revealed = info.reveals >= info.commits;
			let scheduled_close = info.reveal_ends;
			Tasks::<T>::insert(task, info);
			Self::deposit_event(Event::OutputRevealed { task, provider: who, output_hash });
			if all_revealed && now < scheduled_close {
				Self::unschedule(scheduled_close, task, Action::CloseReveal);
				Self::schedule(now, task, Action::CloseReveal);
			}
			Ok(())
		}

		/// Sets the phase lengths of new tasks (governance). The scoring phase must hold what the
		/// consensus pallet needs to score a task ([`Error::ScoringTooShort`]).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_phase_lengths())]
		pub fn set_phase_lengths(
			origin: OriginFor<T>,
			lengths: PhaseLengths<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let ok = |b: BlockNumberFor<T>| !b.is_zero() && b <= T::MaxPhaseLength::get();
			ensure!(
				ok(lengths.answer) && ok(lengths.reveal) && ok(lengths.scoring),
				Error::<T>::InvalidPhaseLength
			);
			ensure!(
				lengths.scoring >= T::Scoring::scoring_blocks_needed().into(),
				Error::<T>::ScoringTooShort
			);
			Phases::<T>::put(lengths);
			Self::deposit_event(Event::PhaseLengthsSet { lengths });
			Ok(())
		}

		/// Registers the model `name@version` (governance). Both parts visible ASCII, the name
		/// without `@`, the id at most `MaxModelIdLen` bytes.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::register_model())]
		pub fn register_model(origin: OriginFor<T>, name: Vec<u8>, version: Vec<u8>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_register_model(name, version)
		}

		/// Retires `model_id` (governance): providers cannot declare it any more; those that do
		/// keep serving it, and its statistics stay.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::retire_model())]
		pub fn retire_model(origin: OriginFor<T>, model_id: Vec<u8>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_retire_model(model_id)
		}

		/// Removes a retired `model_id` that no provider declares, with its statistics
		/// (governance).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_model())]
		pub fn remove_model(origin: OriginFor<T>, model_id: Vec<u8>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_remove_model(model_id)
		}
	}

}
