//! # Calibration pallet
//!
//! Gold tasks with committed labels measure every quality dimension on chain; a dimension that
//! fails stops counting in its family's composite until it recovers; evaluators' errors against
//! the labels feed their trust.
//!
//! ## Overview
//!
//! A **gold poster** (an account governance approved with [`Pallet::add_gold_poster`]) posts a
//! task like any user, answers it through its own providers, and commits to the task's labels
//! with [`Pallet::commit_gold`]: only the hash [`poq_primitives::commitment::gold`] of poster,
//! task, labels and a salt goes on chain, with a deposit held ([`Config::GoldDeposit`]). The
//! commitment does not name the task: to the committee and its off-chain workers a gold task is an ordinary task,
//! with the same calls, phases and payouts. After the task is settled (`TaskScored`) the poster
//! reveals the labels with [`Pallet::reveal_gold`]; the pallet then
//!
//! 1. measures, per family, the pairwise accuracy of each dimension's consensus, of the
//!    published composite and of the fallback composite against the labels, and keeps the last
//!    [`CalibrationParams::window`] gold tasks ([`Windows`]);
//! 2. moves each dimension's **gate** ([`Gated`]): a dimension whose reliability falls below the
//!    governed threshold stops counting in the family's composite, and counts again only once it
//!    reaches the threshold plus a margin; the consensus pallet asks [`CompositeGate`] for the
//!    weights at every settlement, and the composite renormalises; with nothing left the
//!    governed fallback (semantic alone by default) carries it. Governance can pin a dimension
//!    on or off ([`Pallet::pin_dimension`]), overriding the gate;
//! 3. moves each member's **trust** by its error against the labels, beside the consensus
//!    pallet's update by deviation from the committee;
//! 4. keeps a [`GoldRecord`] of the task (labels, consensus, accuracies) for audits, the last
//!    [`Config::MaxGoldHistory`] of them.
//!
//! A reveal that does not match its commitment, that comes while the task is still being
//! scored (the labels would leak to the committee), whose commitment came after the committee
//! was drawn, or whose labels do not fit the task is refused: its labels are not used, its
//! commitment is removed and its deposit slashed ([`Event::GoldRejected`]).
//!
//! ## Design
//!
//! - **Share of traffic.** Each family earns [`CalibrationParams::gold_share`] of a gold credit
//!   per settled task, at most one credit saved (a family starts with one); a counted reveal
//!   spends a whole credit. Gold tasks are thereby at most that share of a family's settled
//!   traffic (plus the first). A reveal without credit is refused without penalty and can be
//!   retried while the task's result is retained.
//! - **Reliability** is pairwise accuracy: both kinds of label (a quality per output, or
//!   preferences between outputs) state ordered pairs, and a series earns one per pair it orders
//!   the same way, one half per tie ([`poq_consensus_math::calibration`]). It is pooled over the
//!   window's pairs and needs [`GateRule::min_tasks`] gold tasks before a gate can move.
//! - **Trust.** A member's gold error is the mean absolute difference between its own
//!   evaluator-side quality of each output and the label (with preferences: the share it orders
//!   the other way). The tolerance is relative: `clamp(m x median error, min, max)` over the
//!   committee ([`CalibrationParams::gold_tolerance`]), so a model set that differs from the
//!   labellers' scale in the same way for everyone costs no one trust, while a member far from
//!   the labels and from its honest peers loses up to [`CalibrationParams::gold_trust`]'s
//!   `lambda`. Only the better half (error at most the median) gains (`rho` of the gap), so a
//!   merely tolerated, noisy member cannot buy trust back ([`poq_consensus_math::calibration::gold_trust`]).
//!   Gold is the one anchor outside the committee's own reports: it is what separates a
//!   colluding bloc that agrees with itself from the honest members.
//!
//! ## Terms
//!
//! - *series*: one of the six dimensions, the published composite ([`SERIES_COMPOSITE`]) or the
//!   fallback composite ([`SERIES_FALLBACK`]), whose accuracy is measured.
//! - *gold credit*: the budget of counted gold reveals of a family, in millionths.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod gold;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{self, BalancedHold, Inspect, MutateHold},
		tokens::Precision,
		OnUnbalanced,
	},
};
use frame_system::pallet_prelude::*;
pub use poq_consensus_math::calibration::{GateRule, PairCount};
use poq_consensus_math::{calibration as cal, ToleranceParams, TrustRates};
use poq_primitives::{CompositeGate, EvaluatorRegistry, SettledTasks, TaskFamily, TaskId};
use sp_core::H256;
use sp_runtime::{Perbill, Permill};

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Funds taken by a penalty, on their way to [`Config::Slashed`].
pub type CreditOf<T> = fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// Series measured per gold task: the six dimensions, the composite and the fallback.
pub const SERIES: usize = 8;
/// Index of the published composite among the series.
pub const SERIES_COMPOSITE: usize = 6;
/// Index of the fallback composite among the series.
pub const SERIES_FALLBACK: usize = 7;
/// A gold credit, in millionths.
pub const CREDIT_UNIT: u32 = 1_000_000;

/// The fallback weights by default: semantic alone.
pub const SEMANTIC_ONLY: [Permill; 6] =
	[Permill::zero(), Permill::zero(), Permill::zero(), Permill::one(), Permill::zero(), Permill::zero()];

/// The labels of a gold task's outputs.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub enum GoldLabels {
	/// A quality per output, in the task's output order; at least two must differ.
	Quality(Vec<Permill>),
	/// Preferences `(better, worse)` between outputs, by index in the task's output order.
	Preferences(Vec<(u32, u32)>),
}

impl GoldLabels {
	/// The labels as the math reads them.
	pub fn as_ref(&self) -> cal::LabelsRef<'_> {
		match self {
			GoldLabels::Quality(q) => cal::LabelsRef::Quality(q),
			GoldLabels::Preferences(p) => cal::LabelsRef::Preferences(p),
		}
	}
	/// Number of entries.
	pub fn len(&self) -> usize {
		match self {
			GoldLabels::Quality(q) => q.len(),
			GoldLabels::Preferences(p) => p.len(),
		}
	}
	/// Whether there is no entry.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// Gold labels as stored, at most `S` entries.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(S))]
pub enum StoredLabels<S: Get<u32>> {
	/// A quality per output.
	Quality(BoundedVec<Permill, S>),
	/// Preferences `(better, worse)`.
	Preferences(BoundedVec<(u32, u32), S>),
}

impl<S: Get<u32>> StoredLabels<S> {
	/// Bounds `labels`; `None` when they have more than `S` entries.
	pub fn bound(labels: GoldLabels) -> Option<Self> {
		Some(match labels {
			GoldLabels::Quality(q) => StoredLabels::Quality(q.try_into().ok()?),
			GoldLabels::Preferences(p) => StoredLabels::Preferences(p.try_into().ok()?),
		})
	}
}

/// The governed parameters of calibration. [`CalibrationParams::validate`] states the
/// constraints.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct CalibrationParams {
	/// Gold tasks in a family's rolling window (1 ..= `MaxWindow`).
	pub window: u32,
	/// The gate: threshold, margin, gold tasks needed.
	pub gate: GateRule,
	/// The composite's weights when every dimension is gated off (at least one non-zero).
	pub fallback: [Permill; 6],
	/// Share of a family's settled tasks that may be counted gold tasks.
	pub gold_share: Perbill,
	/// The tolerance of gold errors, relative to the committee's median error.
	pub gold_tolerance: ToleranceParams,
	/// The trust update by gold error.
	pub gold_trust: TrustRates,
}

impl CalibrationParams {
	/// The recommended parameters: a window of 10 gold tasks, gated below a pairwise accuracy of
	/// 0.6 and back at 0.65 after 3 gold tasks, semantic alone as fallback, gold at most 10% of
	/// traffic, gold tolerance `clamp(2 x median error, 0.05, 0.5)`, and a strong update (half
	/// the gap up within tolerance, up to 95% down beyond it, within [1%, 100%]): a gold task is
	/// rare and its verdict is not a matter of opinion (`docs/calibration.md`).
	pub const fn recommended() -> Self {
		CalibrationParams {
			window: 10,
			gate: GateRule {
				threshold: Permill::from_percent(60),
				margin: Permill::from_percent(5),
				min_tasks: 3,
			},
			fallback: SEMANTIC_ONLY,
			gold_share: Perbill::from_percent(10),
			gold_tolerance: ToleranceParams {
				multiplier_pct: 150,
				min: Permill::from_percent(5),
				max: Permill::from_percent(50),
			},
			gold_trust: TrustRates { rho: Perbill::from_percent(50), lambda: Perbill::from_percent(95) },
		}
	}

	/// Whether the parameters are usable with a window of at most `max_window`: window in
	/// `1..=max_window`; a threshold plus margin of at most one; a non-zero fallback; a positive
	/// tolerance multiplier and `min <= max`.
	pub fn validate(&self, max_window: u32) -> bool {
		(1..=max_window).contains(&self.window) &&
			self.gate.threshold.deconstruct() as u64 + self.gate.margin.deconstruct() as u64 <= 1_000_000 &&
			self.fallback.iter().any(|w| !w.is_zero()) &&
			self.gold_tolerance.multiplier_pct > 0 &&
			self.gold_tolerance.min <= self.gold_tolerance.max
	}
}

/// A pending commitment to gold labels.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct GoldCommit<AccountId, Balance, BlockNumber> {
	/// The gold poster.
	pub poster: AccountId,
	/// The deposit held.
	pub deposit: Balance,
	/// Block of the commitment.
	pub committed_at: BlockNumber,
}

/// Why a gold reveal was refused and its deposit slashed.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum RejectReason {
	/// The labels, task or salt do not match the commitment.
	Mismatch,
	/// The task is still being scored: the labels would leak to its committee.
	EarlyReveal,
	/// The commitment came after the task's committee was drawn.
	LateCommitment,
	/// The labels do not fit the task's outputs (count, range, or no ordered pair).
	MalformedLabels,
}

/// A revealed gold task, kept for audits.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxOutputs, MaxLabels))]
pub struct GoldRecord<AccountId, BlockNumber, MaxOutputs: Get<u32>, MaxLabels: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The task.
	pub task: TaskId,
	/// Its family.
	pub family: TaskFamily,
	/// The gold poster.
	pub poster: AccountId,
	/// The labels.
	pub labels: StoredLabels<MaxLabels>,
	/// The consensus per output and dimension at settlement.
	pub scores: BoundedVec<[Option<Permill>; 6], MaxOutputs>,
	/// The published composite per output.
	pub composites: BoundedVec<Permill, MaxOutputs>,
	/// Pairwise agreement of each series with the labels.
	pub concordance: [PairCount; SERIES],
	/// Block of the reveal.
	pub revealed_at: BlockNumber,
}

/// The calibration state of a family, for clients.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct FamilyCalibration {
	/// Reliability (pooled pairwise accuracy) of each series over the window.
	pub reliability: [Option<Permill>; SERIES],
	/// Gold tasks in the window that counted a pair, per series.
	pub gold_tasks: [u32; SERIES],
	/// Which dimensions the gate has turned off.
	pub gated: [bool; 6],
	/// Governance's pins (`Some(true)`: always counts; `Some(false)`: never).
	pub pinned: [Option<bool>; 6],
	/// The weights the family's composite uses now (governed weights after gates and pins).
	pub weights: [Permill; 6],
	/// Gold credit left, in millionths of a counted gold task.
	pub credit: u32,
}

sp_api::decl_runtime_apis! {
	/// Reads calibration state for clients.
	pub trait CalibrationApi<Record>
	where
		Record: Codec,
	{
		/// Reliability, gates, pins and effective weights of `family`.
		fn calibration(family: TaskFamily) -> FamilyCalibration;
		/// The revealed gold tasks kept for audits, oldest first.
		fn gold_records() -> Vec<Record>;
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// A pending commitment of this configuration.
	pub type GoldCommitOf<T> =
		GoldCommit<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A gold record of this configuration.
	pub type GoldRecordOf<T> = GoldRecord<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		<T as Config>::MaxOutputs,
		<T as Config>::MaxLabels,
	>;

	/// The layout of this pallet's storage: 1 is the first versioned one (spec_version 106);
	/// a chain started before it holds version 0 of the same layout (the runtime's
	/// `migrations` module moves it to 1). Every change of layout bumps it and ships a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the calibration pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Holds gold deposits and slashes refused ones.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>;

		/// The runtime's hold reason, which includes this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The consensus pallet: settled tasks and their valid reveals.
		type Settled: SettledTasks<Self::AccountId, BlockNumberFor<Self>>;

		/// The evaluators pallet: trust.
		type Evaluators: EvaluatorRegistry<Self::AccountId, BalanceOf<Self>>;

		/// Deposit held per pending gold commitment, slashed when its reveal is refused.
		/// At least the existential deposit.
		#[pallet::constant]
		type GoldDeposit: Get<BalanceOf<Self>>;

		/// Where slashed gold deposits go.
		type Slashed: OnUnbalanced<CreditOf<Self>>;

		/// Most outputs of a task. At least the consensus pallet's `MaxOutputs`.
		#[pallet::constant]
		type MaxOutputs: Get<u32>;

		/// Most label entries (qualities or preferences) of a gold task. At least `MaxOutputs`.
		#[pallet::constant]
		type MaxLabels: Get<u32>;

		/// Largest governed window of gold tasks per family. Positive.
		#[pallet::constant]
		type MaxWindow: Get<u32>;

		/// Most pending commitments of one gold poster. Positive.
		#[pallet::constant]
		type MaxPendingGold: Get<u32>;

		/// Gold records kept for audits (the oldest is dropped first). Positive.
		#[pallet::constant]
		type MaxGoldHistory: Get<u32>;

		/// Parameters at genesis (must pass [`CalibrationParams::validate`]).
		type DefaultParams: Get<CalibrationParams>;

		/// Who approves gold posters, sets parameters and pins dimensions.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of the calls, from the benchmarks.
		type WeightInfo: WeightInfo;

		/// Sets up a settled task for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Reasons for holding funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a pending gold commitment.
		#[codec(index = 0)]
		GoldDeposit,
	}

	/// The governed parameters.
	#[pallet::storage]
	pub type CurrentParams<T: Config> = StorageValue<_, CalibrationParams, ValueQuery, T::DefaultParams>;

	/// Approved gold posters and their number of pending commitments.
	#[pallet::storage]
	pub type GoldPosters<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32>;

	/// Removed gold posters that still have pending commitments (which they can only cancel),
	/// and how many: approving one again resumes its count.
	#[pallet::storage]
	pub type FormerPosters<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32>;

	/// Pending commitments to gold labels.
	#[pallet::storage]
	pub type GoldCommits<T: Config> = StorageMap<_, Identity, H256, GoldCommitOf<T>>;

	/// Per family, the pairwise agreement of each series on the last gold tasks, oldest first.
	#[pallet::storage]
	pub type Windows<T: Config> =
		StorageMap<_, Twox64Concat, TaskFamily, BoundedVec<[PairCount; SERIES], T::MaxWindow>, ValueQuery>;

	/// Per family, the dimensions the gate has turned off.
	#[pallet::storage]
	pub type Gated<T: Config> = StorageMap<_, Twox64Concat, TaskFamily, [bool; 6], ValueQuery>;

	/// Per family, governance's pins of dimensions.
	#[pallet::storage]
	pub type Pins<T: Config> = StorageMap<_, Twox64Concat, TaskFamily, [Option<bool>; 6], ValueQuery>;

	/// One gold credit: a family starts able to count one gold task.
	pub struct OneCredit;
	impl Get<u32> for OneCredit {
		fn get() -> u32 {
			CREDIT_UNIT
		}
	}

	/// Per family, the gold credit in millionths (see the module docs).
	#[pallet::storage]
	pub type GoldCredit<T: Config> = StorageMap<_, Twox64Concat, TaskFamily, u32, ValueQuery, OneCredit>;

	/// Revealed gold tasks kept for audits.
	#[pallet::storage]
	pub type GoldRecords<T: Config> = StorageMap<_, Twox64Concat, TaskId, GoldRecordOf<T>>;

	/// The tasks of [`GoldRecords`], oldest first.
	#[pallet::storage]
	pub type GoldHistory<T: Config> = StorageValue<_, BoundedVec<TaskId, T::MaxGoldHistory>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance approved a gold poster.
		GoldPosterAdded { who: T::AccountId },
		/// Governance removed a gold poster (its pending commitments can only be cancelled).
		GoldPosterRemoved { who: T::AccountId },
		/// A gold poster committed to labels (the task is not named).
		GoldCommitted { commitment: H256, poster: T::AccountId },
		/// A gold poster withdrew a pending commitment; its deposit was released.
		GoldCancelled { commitment: H256, poster: T::AccountId },
		/// A gold task's labels were revealed and counted: the pairwise accuracy of each series
		/// on it (six dimensions, composite, fallback).
		GoldRevealed { task: TaskId, family: TaskFamily, poster: T::AccountId, accuracy: [Option<Permill>; SERIES] },
		/// A gold reveal was refused and its deposit slashed.
		GoldRejected { commitment: H256, poster: T::AccountId, reason: RejectReason, slashed: BalanceOf<T> },
		/// A family's reliability after a gold task (pooled over its window).
		ReliabilityUpdated { family: TaskFamily, reliability: [Option<Permill>; SERIES], gold_tasks: [u32; SERIES] },
		/// A dimension's reliability fell below the threshold: it no longer counts in the
		/// family's composite.
		DimensionGated { family: TaskFamily, dimension: u8, reliability: Permill, threshold: Permill },
		/// A gated dimension's reliability reached the threshold plus the margin: it counts again.
		DimensionRestored { family: TaskFamily, dimension: u8, reliability: Permill, required: Permill },
		/// Governance pinned a dimension on (`Some(true)`), off (`Some(false)`) or released it
		/// to the gate (`None`).
		DimensionPinned { family: TaskFamily, dimension: u8, pin: Option<bool> },
		/// Members' trust moved by their error against a gold task's labels.
		GoldTrustApplied { task: TaskId, tolerance: Permill, members: Vec<(T::AccountId, Permill, Perbill)> },
		/// Governance set the parameters.
		ParamsSet { params: CalibrationParams },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not an approved gold poster.
		NotGoldPoster,
		/// The account is already a gold poster.
		AlreadyGoldPoster,
		/// The poster has `MaxPendingGold` pending commitments.
		TooManyPending,
		/// This commitment is already pending.
		DuplicateCommitment,
		/// No such pending commitment.
		UnknownCommitment,
		/// The commitment belongs to another poster.
		NotYourCommitment,
		/// The deposit cannot be held.
		InsufficientBalance,
		/// The task has no retained settled result (unknown, expired, or pruned): nothing to
		/// calibrate against.
		NotSettled,
		/// The task's labels were already revealed.
		AlreadyCalibrated,
		/// The family has no gold credit left: reveal after more of its tasks have settled.
		GoldShareExceeded,
		/// More label entries than `MaxLabels`.
		TooManyLabels,
		/// Dimension index out of range (0 ..= 5).
		InvalidDimension,
		/// Parameters that do not pass [`CalibrationParams::validate`].
		InvalidParams,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::DefaultParams::get().validate(T::MaxWindow::get()),
				"DefaultParams must pass CalibrationParams::validate"
			);
			assert!(T::MaxWindow::get() > 0 && T::MaxPendingGold::get() > 0 && T::MaxGoldHistory::get() > 0);
			assert!(T::MaxLabels::get() >= T::MaxOutputs::get(), "MaxLabels must be at least MaxOutputs");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Approves `who` as a gold poster.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_gold_poster())]
		pub fn add_gold_poster(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!GoldPosters::<T>::contains_key(&who), Error::<T>::AlreadyGoldPoster);
			GoldPosters::<T>::insert(&who, FormerPosters::<T>::take(&who).unwrap_or(0));
			Self::deposit_event(Event::GoldPosterAdded { who });
			Ok(())
		}

		/// Removes a gold poster. Its pending commitments can no longer be revealed, only
		/// cancelled.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_gold_poster())]
		pub fn remove_gold_poster(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let pending = GoldPosters::<T>::take(&who).ok_or(Error::<T>::NotGoldPoster)?;
			if pending > 0 {
				FormerPosters::<T>::insert(&who, pending);
			}
			Self::deposit_event(Event::GoldPosterRemoved { who });
			Ok(())
		}

		/// Commits to a gold task's labels: `commitment` is
		/// [`poq_primitives::commitment::gold`] of the caller, the task, the labels and a salt. Approved posters only, at most `MaxPendingGold`
		/// pending; holds [`Config::GoldDeposit`]. Commit no later than the block in which the
		/// task is posted: a commitment made after its committee was drawn is refused at reveal.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit_gold())]
		pub fn commit_gold(origin: OriginFor<T>, commitment: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let pending = GoldPosters::<T>::get(&who).ok_or(Error::<T>::NotGoldPoster)?;
			ensure!(pending < T::MaxPendingGold::get(), Error::<T>::TooManyPending);
			ensure!(!GoldCommits::<T>::contains_key(commitment), Error::<T>::DuplicateCommitment);
			let deposit = T::GoldDeposit::get();
			T::Currency::hold(&HoldReason::GoldDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			GoldCommits::<T>::insert(
				commitment,
				GoldCommit { poster: who.clone(), deposit, committed_at: frame_system::Pallet::<T>::block_number() },
			);
			GoldPosters::<T>::insert(&who, pending + 1);
			Self::deposit_event(Event::GoldCommitted { commitment, poster: who });
			Ok(())
		}

		/// Reveals the labels of `commitment`'s task once it is settled (see the module docs):
		/// counted, they update reliability, gates and the committee's trust, and the deposit
		/// is released; refused ([`RejectReason`]), the deposit is slashed. Fails without any
		/// change when the task has no retained result, its labels are already revealed, or the
		/// family has no gold credit.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::reveal_gold())]
		pub fn reveal_gold(
			origin: OriginFor<T>,
			commitment: H256,
			task: TaskId,
			labels: GoldLabels,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_gold(who, commitment, task, labels, salt)
		}

		/// Withdraws a pending commitment and releases its deposit (for instance after the task
		/// expired unsettled, or after the poster was removed).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_gold())]
		pub fn cancel_gold(origin: OriginFor<T>, commitment: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let c = GoldCommits::<T>::get(commitment).ok_or(Error::<T>::UnknownCommitment)?;
			ensure!(c.poster == who, Error::<T>::NotYourCommitment);
			Self::remove_commit(commitment, &c);
			T::Currency::release(&HoldReason::GoldDeposit.into(), &who, c.deposit, Precision::BestEffort)?;
			Self::deposit_event(Event::GoldCancelled { commitment, poster: who });
			Ok(())
		}

		/// Sets the governed parameters (see [`CalibrationParams`]). A shorter window drops the
		/// oldest gold tasks at the next reveal.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: CalibrationParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(params.validate(T::MaxWindow::get()), Error::<T>::InvalidParams);
			CurrentParams::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// Pins `dimension` (index in [`poq_primitives::Dimension::ALL`] order) of `family`:
		/// `Some(true)` counts it whatever its reliability, `Some(false)` never counts it, `None`
		/// leaves it to the gate. Applies to tasks settled from now on.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::pin_dimension())]
		pub fn pin_dimension(
			origin: OriginFor<T>,
			family: TaskFamily,
			dimension: u8,
			pin: Option<bool>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(dimension < 6, Error::<T>::InvalidDimension);
			Pins::<T>::mutate(family, |p| p[dimension as usize] = pin);
			Self::deposit_event(Event::DimensionPinned { family, dimension, pin });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The weights `family`'s composite uses given the governed `weights`.
		pub fn effective(family: TaskFamily, weights: [Permill; 6]) -> [Permill; 6] {
			cal::effective_weights(
				&weights,
				&Gated::<T>::get(family),
				&Pins::<T>::get(family),
				&CurrentParams::<T>::get().fallback,
			)
		}

		/// The calibration state of `family` (for the runtime API), with the governed `weights`.
		pub fn family_calibration(family: TaskFamily, weights: [Permill; 6]) -> FamilyCalibration {
			let (reliability, gold_tasks) = Self::reliability(family);
			FamilyCalibration {
				reliability,
				gold_tasks,
				gated: Gated::<T>::get(family),
				pinned: Pins::<T>::get(family),
				weights: Self::effective(family, weights),
				credit: GoldCredit::<T>::get(family),
			}
		}

		/// The kept gold records, oldest first.
		pub fn gold_records() -> Vec<GoldRecordOf<T>> {
			GoldHistory::<T>::get().iter().filter_map(GoldRecords::<T>::get).collect()
		}

		/// Pooled reliability and gold-task count of every series of `family`.
		pub fn reliability(family: TaskFamily) -> ([Option<Permill>; SERIES], [u32; SERIES]) {
			let window = Windows::<T>::get(family);
			let mut r = [None; SERIES];
			let mut n = [0u32; SERIES];
			for s in 0..SERIES {
				(r[s], n[s]) = cal::reliability(window.iter().map(|w| &w[s]));
			}
			(r, n)
		}

		pub(crate) fn remove_commit(commitment: H256, c: &GoldCommitOf<T>) {
			GoldCommits::<T>::remove(commitment);
			GoldPosters::<T>::mutate_exists(&c.poster, |p| {
				if let Some(n) = p {
					*n = n.saturating_sub(1);
				}
			});
			FormerPosters::<T>::mutate_exists(&c.poster, |p| {
				*p = p.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
		}

		/// Invariants: every poster's pending count matches its commitments; every commitment's
		/// deposit is held; the history and the records match; windows within the governed
		/// length; credits at most one unit.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let mut pending: alloc::collections::BTreeMap<T::AccountId, u32> = Default::default();
			let mut held: alloc::collections::BTreeMap<T::AccountId, BalanceOf<T>> = Default::default();
			for (_, c) in GoldCommits::<T>::iter() {
				*pending.entry(c.poster.clone()).or_default() += 1;
				let h = held.entry(c.poster).or_default();
				*h += c.deposit;
			}
			for (who, n) in GoldPosters::<T>::iter() {
				ensure!(pending.remove(&who).unwrap_or(0) == n, "pending count differs from commitments");
			}
			for (who, n) in FormerPosters::<T>::iter() {
				ensure!(pending.remove(&who).unwrap_or(0) == n, "a former poster's count differs from its commitments");
			}
			ensure!(pending.is_empty(), "commitments of a poster without a count");
			for (who, h) in held {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::GoldDeposit.into(), &who) == h,
					"gold deposits held differ from commitments"
				);
			}
			let history = GoldHistory::<T>::get();
			ensure!(history.len() as u64 == GoldRecords::<T>::iter_keys().count() as u64, "records without history");
			for t in history.iter() {
				ensure!(GoldRecords::<T>::contains_key(t), "history names a missing record");
			}
			for (_, c) in GoldCredit::<T>::iter() {
				ensure!(c <= CREDIT_UNIT, "gold credit above one unit");
			}
			Ok(())
		}
	}
}

impl<T: Config> CompositeGate for Pallet<T> {
	fn effective_weights(family: TaskFamily, weights: [Permill; 6]) -> [Permill; 6] {
		Self::effective(family, weights)
	}

	fn on_settled(family: TaskFamily) {
		let add = cal::credit_per_task(CurrentParams::<T>::get().gold_share);
		GoldCredit::<T>::mutate(family, |c| *c = c.saturating_add(add).min(CREDIT_UNIT));
	}

	fn weight() -> Weight {
		T::WeightInfo::gate()
	}
}

/// Sets up the state the benchmarks need, through the runtime's other pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Creates a task of `outputs` outputs settled with `members` valid reveals, drawn at the
	/// current block or later; returns the task.
	fn settled_task(outputs: u32, members: u32) -> TaskId;
}
