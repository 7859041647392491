//! The pallet's types: query options, phase lengths and phases, scheduled actions, and the
//! records of tasks, providers and outputs.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use scale_info::TypeInfo;
use poq_primitives::TaskFamily;
use sp_core::H256;

/// Options of a query.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct QueryOptions {
	/// Most outputs accepted (1 ..= `MaxOutputs`); `None` is `MaxOutputs`.
	pub max_outputs: Option<u32>,
	/// Evaluators asked for (1 ..= `MaxCommitteeSize`); `None` is the governed default.
	pub committee_size: Option<u32>,
}

/// Lengths of a task's phases, in blocks.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct PhaseLengths<BlockNumber> {
	/// Blocks in which providers commit outputs.
	pub answer: BlockNumber,
	/// Blocks in which providers reveal outputs.
	pub reveal: BlockNumber,
	/// Blocks in which evaluators score; after them an unsettled task expires.
	pub scoring: BlockNumber,
}

/// Where a task is.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Phase {
	/// Providers commit outputs.
	Answer,
	/// Providers reveal outputs.
	Reveal,
	/// Evaluators score the revealed outputs.
	Scoring,
	/// Paid out; texts removed.
	Settled,
	/// Ended without a result (no output revealed, or not settled in time); bounty returned.
	Expired,
}

/// What the schedule does at a block.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Action {
	/// Close the reveal phase: forfeit unrevealed outputs, hand over to scoring.
	CloseReveal,
	/// End of the scoring phase: expire the task if it is not settled.
	Expire,
	/// Remove the task's record.
	Prune,
	/// The answer window closed with more commitments than `max_outputs`: admit `max_outputs`
	/// of them by a draw weighted by the providers' ratings, return the others' deposits.
	Admit,
}

/// Compact record of a task.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct TaskInfo<AccountId, Balance, BlockNumber> {
	/// Who posted the query.
	pub submitter: AccountId,
	/// The query's family.
	pub family: TaskFamily,
	/// Held reward pool.
	pub bounty: Balance,
	/// Held storage deposit.
	pub deposit: Balance,
	/// `blake2_256` of the query text.
	pub query_hash: H256,
	/// `blake2_256` of the reference answer, if there is one.
	pub reference_hash: Option<H256>,
	/// The options of the query, resolved (`max_outputs` always set).
	pub options: QueryOptions,
	/// First block of the reveal phase (earlier than set at submission when the task got its
	/// `max_outputs` commitments sooner).
	pub answer_ends: BlockNumber,
	/// First block of the scoring phase (the block the reveal phase was closed in, when every
	/// output was revealed sooner).
	pub reveal_ends: BlockNumber,
	/// Block at which an unsettled task expires.
	pub scoring_ends: BlockNumber,
	/// Outputs committed.
	pub commits: u32,
	/// Outputs revealed.
	pub reveals: u32,
	/// `None` while the task runs; then `Settled` or `Expired`.
	pub ended: Option<Phase>,
	/// Whether the reveal phase was closed (scoring handed over).
	pub scoring: bool,
}

impl<AccountId, Balance, BlockNumber: PartialOrd + Copy> TaskInfo<AccountId, Balance, BlockNumber> {
	/// The task's phase at block `now`.
	pub fn phase(&self, now: BlockNumber) -> Phase {
		match self.ended {
			Some(p) => p,
			None if now < self.answer_ends => Phase::Answer,
			None if now < self.reveal_ends && !self.scoring => Phase::Reveal,
			None => Phase::Scoring,
		}
	}
}

/// A registered inference node.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxModelIdLen))]
pub struct ProviderInfo<Balance, MaxModelIdLen: Get<u32>> {
	/// The model that produces this provider's outputs.
	pub model_id: BoundedVec<u8, MaxModelIdLen>,
	/// Declared cost per output, in the native token.
	pub declared_cost: Balance,
	/// Held registration deposit.
	pub deposit: Balance,
	/// Tasks with an output of this provider that have not ended.
	pub open_tasks: u32,
	/// The provider's rating from its settled outputs (set by the consensus pallet; kept when
	/// the model or cost changes, removed with the registration).
	pub rating: Option<poq_primitives::Rating>,
}

/// A provider's output to a task.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct OutputEntry {
	/// The commitment given in the answer phase.
	pub commitment: H256,
	/// `blake2_256` of the revealed output, once revealed.
	pub output_hash: Option<H256>,
}

/// An inference model of the governed registry ([`crate::Models`]). Its id is
/// `name@version` ([`crate::model_id_of`]).
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxModelIdLen))]
pub struct ModelInfo<MaxModelIdLen: Get<u32>> {
	/// The model's name (visible ASCII, no `@`).
	pub name: BoundedVec<u8, MaxModelIdLen>,
	/// The model's version (visible ASCII).
	pub version: BoundedVec<u8, MaxModelIdLen>,
	/// A retired model cannot be declared by a provider any more; providers that declare it
	/// already keep serving it, and its statistics stay on the leaderboard.
	pub retired: bool,
	/// Registered providers that declare the model.
	pub providers: u32,
}

/// Running statistics of the settled quality of a model's outputs in one family: enough for
/// a mean and its confidence interval. Qualities are in parts per million.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct QualityStats {
	/// Settled outputs counted.
	pub count: u32,
	/// Sum of their qualities (parts per million).
	pub sum: u64,
	/// Sum of their squared qualities (parts per million, squared).
	pub sum_sq: u128,
}

impl QualityStats {
	/// The statistics with one more quality counted (saturating: a `u32` count of outputs
	/// each at most 10^6 never overflows the sums).
	pub fn with(self, quality: sp_runtime::Permill) -> Self {
		let q = quality.deconstruct() as u64;
		Self {
			count: self.count.saturating_add(1),
			sum: self.sum.saturating_add(q),
			sum_sq: self.sum_sq.saturating_add((q as u128) * (q as u128)),
		}
	}

	/// The mean quality, `None` before the first output.
	pub fn mean(&self) -> Option<sp_runtime::Permill> {
		(self.count > 0).then(|| {
			sp_runtime::Permill::from_parts((self.sum / self.count as u64).min(1_000_000) as u32)
		})
	}
}

/// One row of the model leaderboard's data ([`crate::TasksApi::model_stats`]): a registered
/// model, a family, and the statistics of its settled outputs there.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ModelStanding {
	/// The model's id, `name@version`.
	pub model: alloc::vec::Vec<u8>,
	/// The model's name.
	pub name: alloc::vec::Vec<u8>,
	/// The model's version.
	pub version: alloc::vec::Vec<u8>,
	/// Whether governance retired the model.
	pub retired: bool,
	/// The family of the tasks counted.
	pub family: TaskFamily,
	/// The statistics of the model's settled outputs in that family.
	pub stats: QualityStats,
}
