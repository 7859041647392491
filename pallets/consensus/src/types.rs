//! The pallet's types: composite weights and their profiles, the governed parameters, and what a
//! round, a reveal and a settled result hold.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use poq_consensus_math::{AggregationRule, ToleranceParams, TrustRates};
use poq_primitives::{ScoreReport, TaskFamily};
use sp_core::H256;
use alloc::vec::Vec;
use sp_runtime::{traits::Zero, Perbill, Permill};

/// The weights of the six dimensions in the composite, in [`poq_primitives::Dimension::ALL`] order.
pub type DimensionWeights = [Permill; 6];

/// The paper's default weights: model prior 0.15, cost prior 0.10, structure 0.20, semantic
/// 0.25, alignment 0.15, agreement 0.15.
pub const PAPER_WEIGHTS: DimensionWeights = [
	Permill::from_percent(15),
	Permill::from_percent(10),
	Permill::from_percent(20),
	Permill::from_percent(25),
	Permill::from_percent(15),
	Permill::from_percent(15),
];

/// The chain's default weights, from the audit of the default model set on the permitted
/// development data (`docs/scoring-engine.md`, `docs/design.md`): model prior 0.15, cost prior
/// 0.10, structure 0.05, semantic 0.25, alignment 0.45, agreement 0.15. With the paper's weights
/// the evaluator-side composite ranked the better of two assistant responses right only 40% of
/// the time (structure and semantic favour the fluent hallucination); with these, 71%.
pub const DEFAULT_WEIGHTS: DimensionWeights = [
	Permill::from_percent(15),
	Permill::from_percent(10),
	Permill::from_percent(5),
	Permill::from_percent(25),
	Permill::from_percent(45),
	Permill::from_percent(15),
];

/// The paper's calibrated profile: alignment and agreement at zero, the other four as in
/// [`PAPER_WEIGHTS`] (the composite renormalises over them).
pub const CALIBRATED_WEIGHTS: DimensionWeights = [
	Permill::from_percent(15),
	Permill::from_percent(10),
	Permill::from_percent(20),
	Permill::from_percent(25),
	Permill::zero(),
	Permill::zero(),
];

/// The governed parameters of quality consensus. [`Params::validate`] states the constraints.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Params<BlockNumber> {
	/// How the reports of a committee become one score per output and dimension.
	pub rule: AggregationRule,
	/// Committee size when the task does not ask for one (1 ..= `MaxCommitteeSize`).
	pub committee_size: u32,
	/// Blocks in which members commit, from the draw (at least one).
	pub commit_blocks: BlockNumber,
	/// Blocks in which members reveal, after the commit window (at least one).
	pub reveal_blocks: BlockNumber,
	/// The tolerance rule (multiplier of the median deviation, floor, cap).
	pub tolerance: ToleranceParams,
	/// The rates of the trust update within and beyond tolerance (`rho`, `lambda`); its bounds
	/// are the evaluators pallet's trust bounds.
	pub trust: TrustRates,
	/// Share of its trust that a member who did not reveal validly loses.
	pub absent_penalty: Perbill,
	/// Share of the bond slashed for committing without revealing.
	pub slash_no_reveal: Perbill,
	/// Share of the bond slashed for a reveal that does not match the commitment.
	pub slash_bad_reveal: Perbill,
	/// Share of the bond slashed for a persistent outlier.
	pub slash_outlier: Perbill,
	/// Deviation above which a settled task counts as an outlier strike.
	pub outlier_bound: Permill,
	/// Strikes in a row that make a persistent outlier (at least one).
	pub outlier_strikes: u32,
	/// Share of the pool for the inference providers (`phi`); the rest is the evaluation budget.
	pub inference_share: Perbill,
	/// Weight of quality in the providers' rewards (`alpha`).
	pub alpha: Permill,
	/// Weight of normalised cost in the providers' rewards (`beta`).
	pub beta: Permill,
	/// Deviation at which a member's accuracy, and so its reward, reaches zero (`d_max`).
	pub accuracy_bound: Permill,
	/// The quality floor: an output whose evaluator-side quality (the composite over structure,
	/// semantic and alignment alone, [`poq_consensus_math::evaluator_quality`]) is below it earns
	/// no inference reward, whatever its priors, agreement or declared cost; above it, paid
	/// quality is measured from the floor. Any value is valid (zero: no floor).
	pub quality_floor: Permill,
	/// Rating of a model without settled results.
	pub initial_rating: Permill,
	/// Smallest step of a rating towards a new result.
	pub rating_step_min: Permill,
	/// Blocks a task's result stays in storage (at least one).
	pub result_retention: BlockNumber,
	/// The most a provider is paid for one output, in multiples of its declared cost (zero: no
	/// cap). The declared cost is a price: declaring less than the real cost to win the cost
	/// prior and escape the cost penalty caps what the provider can earn.
	pub cost_cap: u32,
}

impl<BlockNumber> Params<BlockNumber> {
	/// The recommended parameters with the given windows (the runtime's and the tests'; see
	/// `docs/adversarial-report.md` for why): trust-weighted median, committees of 5, tolerance
	/// `clamp(2 x median deviation, 0.02, 0.15)`, trust up 5% of the gap within tolerance and
	/// down up to 80% beyond it (within the evaluators pallet's trust bounds), absentees lose 10% of their trust, slashes of
	/// 10% (no reveal), 20% (bad reveal) and 5% (3 strikes above a deviation of 0.4), 70% of the
	/// pool to providers whose evaluator-side quality reaches the floor of 0.45, weighed by
	/// `Q' - 0.2 x normalised cost` with `Q'` their quality above the floor, rescaled
	/// (`docs/design.md` argues both from the measured scores), accuracy zero at a deviation of 0.25, ratings from 0.5 with a minimum
	/// step of 5%; a provider is paid at most 10 times its declared cost per output.
	pub fn recommended(commit_blocks: BlockNumber, reveal_blocks: BlockNumber, result_retention: BlockNumber) -> Self {
		Params {
			rule: AggregationRule::TrustWeightedMedian,
			committee_size: 5,
			commit_blocks,
			reveal_blocks,
			tolerance: ToleranceParams {
				multiplier_pct: 200,
				min: Permill::from_percent(2),
				max: Permill::from_percent(15),
			},
			trust: TrustRates { rho: Perbill::from_percent(5), lambda: Perbill::from_percent(80) },
			absent_penalty: Perbill::from_percent(10),
			slash_no_reveal: Perbill::from_percent(10),
			slash_bad_reveal: Perbill::from_percent(20),
			slash_outlier: Perbill::from_percent(5),
			outlier_bound: Permill::from_percent(40),
			outlier_strikes: 3,
			inference_share: Perbill::from_percent(70),
			alpha: Permill::one(),
			beta: Permill::from_percent(20),
			accuracy_bound: Permill::from_percent(25),
			quality_floor: Permill::from_percent(45),
			initial_rating: Permill::from_percent(50),
			rating_step_min: Permill::from_percent(5),
			result_retention,
			cost_cap: 10,
		}
	}
}

impl<BlockNumber: Zero + Copy> Params<BlockNumber> {
	/// Whether the parameters are usable with at most `max_committee` members: committee size
	/// in `1..=max_committee`; commit, reveal and retention windows of at least one block;
	/// a trimmed mean's `alpha` below one half; a positive tolerance multiplier with
	/// `min <= max`; at least one strike; a non-zero accuracy bound; an inference share and a
	/// quality floor below 100% (at 100% the committee or every output would earn nothing).
	pub fn validate(&self, max_committee: u32) -> bool {
		let trim_ok = match self.rule {
			AggregationRule::TrimmedMean(a) => a < Permill::from_percent(50),
			_ => true,
		};
		(1..=max_committee).contains(&self.committee_size) &&
			!self.commit_blocks.is_zero() &&
			!self.reveal_blocks.is_zero() &&
			!self.result_retention.is_zero() &&
			trim_ok && self.tolerance.multiplier_pct > 0 &&
			self.tolerance.min <= self.tolerance.max &&
			self.outlier_strikes > 0 &&
			!self.accuracy_bound.is_zero() &&
			self.inference_share < Perbill::one() &&
			self.quality_floor < Permill::one()
	}
}

/// How a committee member took part in a task.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Conduct {
	/// Committed and revealed matching scores.
	Revealed,
	/// Never committed.
	Silent,
	/// Committed, never revealed.
	NoReveal,
	/// Revealed scores that do not match the commitment.
	BadReveal,
	/// Revealed matching scores of a model set that governance has not accepted
	/// ([`crate::AcceptedModelSets`]): left out of the consensus and unpaid, not slashed; trust
	/// as an absentee's.
	UnacceptedModelSet,
}

/// What a member revealed.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxOutputs))]
pub enum Reveal<MaxOutputs: Get<u32>> {
	/// Scores that match the commitment.
	Valid {
		/// One report per output, in the task's output order.
		reports: BoundedVec<ScoreReport, MaxOutputs>,
		/// Hash of the model set that produced them.
		model_set: H256,
	},
	/// A reveal that did not match the commitment.
	Mismatch,
}

/// A task's committee and its windows.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxCommittee))]
pub struct Round<AccountId, Balance, BlockNumber, MaxCommittee: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Members and the price each declared when drawn.
	pub committee: BoundedVec<(AccountId, Balance), MaxCommittee>,
	/// Outputs to score.
	pub outputs: u32,
	/// The evaluation budget: the pool minus the inference share, fixed at the draw.
	pub budget: Balance,
	/// Block of the draw.
	pub drawn_at: BlockNumber,
	/// First block of the reveal window (the commit window is the draw block up to it); the
	/// block after the last member's commitment when everyone committed sooner.
	pub commit_ends: BlockNumber,
	/// First block at which the task can be settled (end of the reveal window); the block of
	/// the last reveal when everyone who committed revealed sooner.
	pub reveal_ends: BlockNumber,
	/// Members who committed.
	pub committed: u32,
	/// Members who revealed (validly or not).
	pub revealed: u32,
}

/// One output's result.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct OutputResult<AccountId, Balance> {
	/// The provider of the output.
	pub provider: AccountId,
	/// Score per dimension in [`poq_primitives::Dimension::ALL`] order; `None` where nothing was measured.
	pub scores: [Option<Permill>; 6],
	/// The composite quality (zero when the committee revealed nothing).
	pub composite: Permill,
	/// What the provider was paid.
	pub reward: Balance,
}

/// One committee member's result.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct EvaluatorResult<AccountId, Balance> {
	/// The member.
	pub who: AccountId,
	/// How it took part.
	pub conduct: Conduct,
	/// Its deviation from the consensus, if it revealed validly.
	pub deviation: Option<Permill>,
	/// Its trust after the task.
	pub trust: Perbill,
	/// What it was paid.
	pub reward: Balance,
	/// What was slashed from its bond.
	pub slashed: Balance,
}

/// The settled result of a task.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxOutputs, MaxCommittee))]
pub struct TaskResult<AccountId, Balance, BlockNumber, MaxOutputs: Get<u32>, MaxCommittee: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The query's family (whose weights made the composite).
	pub family: TaskFamily,
	/// Per output, in the task's output order.
	pub outputs: BoundedVec<OutputResult<AccountId, Balance>, MaxOutputs>,
	/// Per committee member, in draw order.
	pub evaluators: BoundedVec<EvaluatorResult<AccountId, Balance>, MaxCommittee>,
	/// The provider of the output with the highest composite (first on ties), if scored.
	pub winner: Option<AccountId>,
	/// The tolerance the task applied.
	pub tolerance: Permill,
	/// The pool (the bounty).
	pub pool: Balance,
	/// What went back to the user: `pool - sum of rewards`.
	pub refunded: Balance,
	/// Block of settlement.
	pub settled_at: BlockNumber,
	/// Block from which the result may be pruned.
	pub expires_at: BlockNumber,
}

/// What calibration needs of a settled task beyond its [`TaskResult`]: when its committee was
/// drawn and every valid reveal. Kept as long as the result.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxOutputs, MaxCommittee))]
pub struct SettledRecord<AccountId, BlockNumber, MaxOutputs: Get<u32>, MaxCommittee: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Block of the committee draw.
	pub drawn_at: BlockNumber,
	/// The weights the composite used.
	pub weights: [Permill; 6],
	/// Members who revealed validly, in draw order, with their reports.
	pub reports: BoundedVec<(AccountId, BoundedVec<ScoreReport, MaxOutputs>), MaxCommittee>,
}

/// The most bytes of a model set's name or of its version.
pub const MAX_MODEL_SET_LABEL: u32 = 64;

/// A model set's name or version (UTF-8 by convention, 1 to [`MAX_MODEL_SET_LABEL`] bytes).
pub type ModelSetLabel = BoundedVec<u8, ConstU32<MAX_MODEL_SET_LABEL>>;

/// What governance records of an accepted model set; its hash is the key.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct ModelSetInfo {
	/// Its name (for example `poq-default`).
	pub name: ModelSetLabel,
	/// Its version (for example `0.1.0`).
	pub version: ModelSetLabel,
}

impl ModelSetInfo {
	/// The record of `name` and `version`, if both are 1 to [`MAX_MODEL_SET_LABEL`] bytes.
	pub fn new(name: Vec<u8>, version: Vec<u8>) -> Option<Self> {
		if name.is_empty() || version.is_empty() {
			return None;
		}
		Some(Self { name: name.try_into().ok()?, version: version.try_into().ok()? })
	}
}

/// A provider's rating (the model prior): see [`poq_primitives::Rating`].
pub type ModelRating = poq_primitives::Rating;

/// One candidate of a committee draw, as it stood when the task's reveal phase closed.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct SnapshotEntry<AccountId, Balance> {
	/// The evaluator.
	pub who: AccountId,
	/// Its selection weight: bond times trust (parts per billion).
	pub weight: u128,
	/// Its declared price per evaluation.
	pub price: Balance,
}

/// The candidates of every draw due at one block, fixed when the first of them was queued (the
/// block its reveal phase closed), and how many of those draws are still pending.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound)]
#[scale_info(skip_type_params(MaxCandidates))]
pub struct CandidateSnapshot<AccountId, Balance, MaxCandidates: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Active evaluators with their weights and prices, in the registry's order.
	pub candidates: BoundedVec<SnapshotEntry<AccountId, Balance>, MaxCandidates>,
	/// Draws still to be made from this snapshot; it is removed with the last one.
	pub pending: u32,
}
