//! # Proof-of-Quality primitives
//!
//! Types and traits shared by the Proof-of-Quality pallets, so that each pallet depends on this
//! small crate instead of on the others:
//!
//! - what is evaluated: [`TaskId`], [`TaskFamily`], [`Dimension`];
//! - how the consensus pallet reads a task and tells the tasks pallet that it settled:
//!   [`TaskProvider`];
//! - how the consensus pallet reads evaluators, adapts their trust and slashes them:
//!   [`EvaluatorRegistry`], [`EvaluatorSlashing`], [`SlashReason`];
//! - how calibration with gold tasks reads settled tasks and gates the composite:
//!   [`SettledTasks`], [`CompositeGate`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::DispatchError, weights::Weight};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{Perbill, Permill};

/// Identifier of a task (a query and everything evaluated about it). Assigned sequentially.
pub type TaskId = u64;

/// The kind of a query. Each family has its own quality-dimension weights and structure norms.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum TaskFamily {
	/// Question answering: short factual answers.
	Qa,
	/// Summarization of a source text (the query carries the source).
	Summarization,
	/// Code generation.
	Code,
	/// Anything else: open-ended generation.
	Open,
}

impl TaskFamily {
	/// Every family, in declaration order.
	pub const ALL: [TaskFamily; 4] =
		[TaskFamily::Qa, TaskFamily::Summarization, TaskFamily::Code, TaskFamily::Open];
}

/// The six quality dimensions of an output (see `docs/design.md`).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Dimension {
	/// Rating of the output's model from earlier settled tasks (on-chain).
	ModelPrior,
	/// The model's quality per declared cost, normalised among models (on-chain).
	CostPrior,
	/// Length, repetition, truncation and format checks (evaluators).
	Structure,
	/// Embedding similarity to the reference or the other answers' medoid (evaluators).
	Semantic,
	/// Entailment of the output given the query (evaluators).
	Alignment,
	/// One minus the committee's normalised dispersion (on-chain).
	Agreement,
}

impl Dimension {
	/// Every dimension, in declaration order.
	pub const ALL: [Dimension; 6] = [
		Dimension::ModelPrior,
		Dimension::CostPrior,
		Dimension::Structure,
		Dimension::Semantic,
		Dimension::Alignment,
		Dimension::Agreement,
	];
}

/// One revealed output of a task, as the consensus pallet sees it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RevealedOutput<AccountId, Balance> {
	/// The inference node (provider) that produced the output.
	pub provider: AccountId,
	/// The model the provider declared at registration.
	pub model_id: Vec<u8>,
	/// The provider's declared cost per output.
	pub declared_cost: Balance,
	/// `blake2_256` of the output text.
	pub output_hash: H256,
	/// The provider's rating from its settled outputs (`None` before its first).
	pub rating: Option<Rating>,
}

/// A provider's rating: the average settled quality of its outputs. It belongs to the provider
/// (its account), not to the model it claims: a claimed model name cannot inherit, or drag down,
/// anybody else's record. It lives in the provider's registration and leaves with it.
#[derive(
	Clone, Copy, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Rating {
	/// Average settled quality, following recent results.
	pub rating: Permill,
	/// Settled results counted.
	pub results: u32,
}

/// What the consensus pallet needs of a task whose outputs are revealed.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ScoringView<AccountId, Balance, BlockNumber> {
	/// Who posted the query (and receives what the pool does not pay out).
	pub submitter: AccountId,
	/// The query's family.
	pub family: TaskFamily,
	/// The held bounty: the task's reward pool.
	pub bounty: Balance,
	/// Committee size asked for by the submitter, if any.
	pub committee_size: Option<u32>,
	/// Whether the task carries a reference answer.
	pub has_reference: bool,
	/// The revealed outputs, in commit order.
	pub outputs: Vec<RevealedOutput<AccountId, Balance>>,
	/// Last block of the scoring window; after it the task expires unsettled.
	pub scoring_ends: BlockNumber,
}

/// The tasks pallet, seen from the consensus pallet.
pub trait TaskProvider<AccountId, Balance, BlockNumber> {
	/// The task if it is in its scoring phase (outputs revealed, not yet settled or expired).
	fn scoring_view(task: TaskId) -> Option<ScoringView<AccountId, Balance, BlockNumber>>;

	/// Settles the task: pays `payouts` out of the held bounty (their sum must not exceed it),
	/// returns the rest of the bounty and the storage deposit to the submitter, and removes the
	/// task's texts and outputs from state. The output deposits of the providers in
	/// `below_floor` (outputs the committee scored below the quality floor) are forfeited, the
	/// others returned. Returns what each payout actually moved (a payout that cannot land, e.g.
	/// below the existential deposit of a new account, moves nothing and is refunded). Fails
	/// without any change if the task is not in its scoring phase or the payouts exceed the
	/// bounty.
	fn settle(
		task: TaskId,
		payouts: &[(AccountId, Balance)],
		below_floor: &[AccountId],
	) -> Result<Vec<Balance>, DispatchError>;

	/// The texts of a task in its scoring phase: query, reference (if any), and the revealed
	/// outputs in the order of [`ScoringView::outputs`]. For off-chain workers.
	fn texts(task: TaskId) -> Option<TaskTexts>;

	/// The governed length of the scoring phase of new tasks, in blocks.
	fn scoring_blocks() -> BlockNumber;

	/// Records `provider`'s new rating (no-op for an account that is not a provider).
	fn set_rating(provider: &AccountId, rating: Rating);

	/// Counts a settled output of `model` (a [`RevealedOutput::model_id`]) in `family`, with
	/// its evaluator-side `quality`, in the model leaderboard's statistics (no-op for a model
	/// that is not registered).
	fn record_quality(model: &[u8], family: TaskFamily, quality: Permill);
}

/// The texts an evaluator scores.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct TaskTexts {
	/// The query.
	pub query: Vec<u8>,
	/// The reference answer, if any.
	pub reference: Option<Vec<u8>>,
	/// The revealed outputs, in output order.
	pub outputs: Vec<Vec<u8>>,
}

/// How the tasks pallet hands a task to its scorers (the consensus pallet): [`TaskScoring::begin`]
/// when the task's reveal phase closes with at least one revealed output (the consensus pallet
/// queues its committee's draw), [`TaskScoring::forget`] when it expires without a result (the
/// consensus pallet removes what it kept of the task), and the weights and phase length these
/// need.
pub trait TaskScoring {
	/// `task` is now in its scoring phase.
	fn begin(task: TaskId);
	/// The largest weight one call of [`TaskScoring::begin`] can take; the tasks
	/// pallet charges it for every reveal phase it closes.
	fn begin_weight() -> Weight {
		Weight::zero()
	}
	/// The weight of one call of [`TaskScoring::begin`] in the current state (at
	/// most [`TaskScoring::begin_weight`]), the reads that tell it included. The tasks pallet asks
	/// before each reveal phase it closes and charges it for that close (the consensus pallet
	/// charges a candidate snapshot only to the first close of a block, which takes it).
	fn current_begin_weight() -> Weight {
		Self::begin_weight()
	}
	/// `task` expired without a result: forget its round, commits and reveals.
	fn forget(_task: TaskId) {}
	/// The fewest blocks of scoring phase a task needs to be scored in full (the tasks pallet
	/// refuses shorter scoring phases).
	fn scoring_blocks_needed() -> u32 {
		0
	}
	/// The largest weight one call of [`TaskScoring::forget`] can take; the tasks pallet
	/// charges it for every task it expires.
	fn forget_weight() -> Weight {
		Weight::zero()
	}
	/// The weight of [`TaskScoring::forget`] for `task` in the current state (at most
	/// [`TaskScoring::forget_weight`]), the reads that tell it included: a task that never
	/// reached a draw costs a few reads, not a full committee's clean-up.
	fn current_forget_weight(_task: TaskId) -> Weight {
		Self::forget_weight()
	}
	/// The fewest members a committee may have (the governed minimum): the tasks pallet
	/// refuses queries that ask for fewer.
	fn min_committee() -> u32 {
		1
	}
	/// The rating of a provider without settled results (its weight in output admission).
	fn initial_rating() -> Permill {
		Permill::from_percent(50)
	}
	/// The quality floor: the answer phase closes early once a task has `max_outputs`
	/// commitments of providers rated at least this (unrated ones count at the initial rating).
	fn quality_floor() -> Permill {
		Permill::zero()
	}
	/// Randomness for the admission of outputs, which nobody could know when the outputs were
	/// committed (the consensus pallet's beacon). Zero when there is none.
	fn entropy() -> [u8; 32] {
		[0; 32]
	}
}

impl TaskScoring for () {
	fn begin(_task: TaskId) {}
}

/// One evaluator's scores of one output: the three evaluator-side dimensions.
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
pub struct ScoreReport {
	/// [`Dimension::Structure`].
	pub structure: Permill,
	/// [`Dimension::Semantic`].
	pub semantic: Permill,
	/// [`Dimension::Alignment`].
	pub alignment: Permill,
}

impl ScoreReport {
	/// The three scores in the order structure, semantic, alignment.
	pub fn cells(&self) -> [Permill; 3] {
		[self.structure, self.semantic, self.alignment]
	}
}

/// The identity of a model set from its lock (`offchain-worker/models.lock`: one line per file,
/// `file <TAB> source <TAB> path-in-source <TAB> sha256`; blank lines and `#` comments skipped):
/// sha256 over `file:sha256\n` of every file in lock order except the ONNX Runtime library
/// (`libonnxruntime*`, whose version is in its name). The scoring engine reports the same hash
/// for a models directory that matches the lock (`poq_scorer::ModelSet::identity`); governance
/// accepts model sets by it (`pallet-poq-consensus`).
pub fn model_set_identity(lock: &str) -> H256 {
	let mut text = alloc::vec::Vec::new();
	for line in lock.lines() {
		if line.trim().is_empty() || line.starts_with('#') {
			continue;
		}
		let cols: alloc::vec::Vec<&str> = line.split('\t').collect();
		if cols.len() != 4 || cols[0].starts_with("libonnxruntime") {
			continue;
		}
		text.extend_from_slice(cols[0].as_bytes());
		text.push(b':');
		text.extend_from_slice(cols[3].as_bytes());
		text.push(b'\n');
	}
	H256(sp_io::hashing::sha2_256(&text))
}

/// Why an evaluator is slashed.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum SlashReason {
	/// Committed scores but did not reveal them.
	NoReveal,
	/// Revealed scores that do not match the commitment.
	BadReveal,
	/// Deviated beyond the outlier bound over several tasks.
	PersistentOutlier,
	/// Any other governance decision (e.g. a council motion).
	Governance,
}

/// A bonded evaluator, as the committee selection sees it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EvaluatorView<AccountId, Balance> {
	/// The evaluator's account.
	pub who: AccountId,
	/// Actively bonded funds (unbonding funds excluded).
	pub bonded: Balance,
	/// Current trust weight, within the governed bounds.
	pub trust: Perbill,
}

/// The evaluators pallet, seen from the consensus pallet.
pub trait EvaluatorRegistry<AccountId, Balance> {
	/// Evaluators that opted in to committees and have at least the minimum bond.
	fn active_evaluators() -> Vec<EvaluatorView<AccountId, Balance>>;
	/// How many evaluators [`EvaluatorRegistry::active_evaluators`] lists at most (one read).
	fn active_count() -> u32 {
		Self::active_evaluators().len() as u32
	}
	/// Whether `who` is listed by [`EvaluatorRegistry::active_evaluators`].
	fn is_active(who: &AccountId) -> bool
	where
		AccountId: PartialEq,
	{
		Self::active_evaluators().iter().any(|e| e.who == *who)
	}
	/// The trust of `who`, if `who` is a bonded evaluator.
	fn trust(who: &AccountId) -> Option<Perbill>;
	/// Sets the trust of `who`, clamped to the governed bounds, and returns the trust it now
	/// holds (what [`EvaluatorRegistry::trust`] reads next). No-op for unknown accounts, which
	/// get `trust` back unchanged.
	fn set_trust(who: &AccountId, trust: Perbill) -> Perbill;
	/// The governed trust bounds `(lowest, highest)`: the one source of truth for them, which
	/// every trust update uses.
	fn trust_bounds() -> (Perbill, Perbill);
	/// The evaluator that `signer` commits and reveals scores for: the owner of the scoring key
	/// `signer`, or `signer` itself when it is a bonded evaluator without a scoring key.
	fn scorer_of(signer: &AccountId) -> Option<AccountId>;
}

/// Whether an evaluator may still owe a slash: the evaluators pallet keeps its funds
/// slashable (no withdrawal) while this holds.
pub trait Obligations<AccountId> {
	/// Whether `who` sits on a committee whose task is not settled yet.
	fn is_owed(who: &AccountId) -> bool;
}

impl<AccountId> Obligations<AccountId> for () {
	fn is_owed(_who: &AccountId) -> bool {
		false
	}
}

/// Slashing of evaluators' bonds.
pub trait EvaluatorSlashing<AccountId, Balance> {
	/// Slashes `fraction` of everything `who` has bonded or unbonding (each part in
	/// proportion), sends it to the runtime's slash destination and returns the amount.
	fn slash(who: &AccountId, fraction: Perbill, reason: SlashReason) -> Balance;
}

/// A settled task as calibration reads it, while the consensus pallet retains its result.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SettledTask<AccountId, BlockNumber> {
	/// The query's family.
	pub family: TaskFamily,
	/// Block at which the committee was drawn: the first block at which any evaluator knew it
	/// would score the task.
	pub drawn_at: BlockNumber,
	/// The consensus per output and dimension, in [`Dimension::ALL`] order.
	pub scores: Vec<[Option<Permill>; 6]>,
	/// The published composite per output.
	pub composites: Vec<Permill>,
	/// The weights the composite used (the family's, after calibration's gates).
	pub weights: [Permill; 6],
	/// Every valid reveal: the member and its reports, one per output.
	pub reports: Vec<(AccountId, Vec<ScoreReport>)>,
}

/// The consensus pallet's settled tasks, seen from calibration.
pub trait SettledTasks<AccountId, BlockNumber> {
	/// `task`'s settled consensus and valid reveals, while retained.
	fn settled(task: TaskId) -> Option<SettledTask<AccountId, BlockNumber>>;
	/// Whether `task` has a committee still scoring it (its reports are not all revealed yet).
	fn scoring(task: TaskId) -> bool;
}

/// Calibration seen from the consensus pallet: which dimensions count in a family's composite,
/// and how much traffic each family settles.
pub trait CompositeGate {
	/// The weights the composite of a `family` task uses, given the governed `weights`: gated
	/// dimensions at zero, never all zero.
	fn effective_weights(family: TaskFamily, weights: [Permill; 6]) -> [Permill; 6];
	/// A task of `family` settled.
	fn on_settled(family: TaskFamily);
	/// The largest weight of one [`CompositeGate::effective_weights`] and one
	/// [`CompositeGate::on_settled`] together.
	fn weight() -> Weight {
		Weight::zero()
	}
}

/// No calibration: the governed weights as they are.
impl CompositeGate for () {
	fn effective_weights(_family: TaskFamily, weights: [Permill; 6]) -> [Permill; 6] {
		weights
	}
	fn on_settled(_family: TaskFamily) {}
}

/// Key type of evaluator keys: the key an evaluator node's off-chain worker signs its
/// `commit_scores` and `reveal_scores` transactions with. Part of the session keys, so
/// `--alice`-style dev keys and `author_insertKey` provide it.
pub const EVALUATOR_KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"poqe");

pub mod commitment;
pub mod due;

/// The evaluator key's crypto (sr25519) and its signing adapter for off-chain transactions.
pub mod crypto {
	use super::EVALUATOR_KEY_TYPE;
	use sp_runtime::{
		app_crypto::{app_crypto, sr25519},
		MultiSignature, MultiSigner,
	};
	app_crypto!(sr25519, EVALUATOR_KEY_TYPE);

	/// Signs off-chain transactions with an evaluator key, for accounts of `MultiSigner`.
	pub struct EvaluatorAuthId;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for EvaluatorAuthId {
		type RuntimeAppPublic = Public;
		type GenericSignature = sp_core::sr25519::Signature;
		type GenericPublic = sp_core::sr25519::Public;
	}
}

/// What an evaluator's off-chain worker asks the node's scoring engine.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ScoringRequest {
	/// The query's family (structure norms).
	pub family: TaskFamily,
	/// The query text.
	pub query: Vec<u8>,
	/// The reference answer, if the task has one.
	pub reference: Option<Vec<u8>>,
	/// The revealed outputs, in the task's output order.
	pub outputs: Vec<Vec<u8>>,
}

/// The engine's answer: one report per output and the identity of the models that made them.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ScoringResponse {
	/// Hash identifying the model set (every model file's sha256).
	pub model_set: H256,
	/// One report per output, in request order.
	pub reports: Vec<ScoreReport>,
}

/// A scoring engine the node provides to its off-chain workers (the ONNX engine in the node; a
/// deterministic one in tests).
#[cfg(feature = "std")]
pub trait Scorer: Send + Sync {
	/// Scores every output of `request`.
	fn score(&self, request: &ScoringRequest) -> Result<ScoringResponse, String>;
}

#[cfg(feature = "std")]
use sp_externalities::ExternalitiesExt;

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The externalities extension that carries the node's scoring engine. The node registers
	/// it for off-chain workers only, so the host function cannot score during block execution.
	pub struct ScoringExt(std::sync::Arc<dyn Scorer>);
}

/// The host function of the scoring engine (a runtime interface).
#[sp_runtime_interface::runtime_interface]
pub trait PoqScoring {
	/// Scores a task's outputs with the node's engine. Errs (with a UTF-8 reason) where the
	/// node registered no engine: on a node that does not evaluate, and always during block
	/// execution.
	fn score(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<ScoringRequest>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<Result<ScoringResponse, Vec<u8>>> {
		match self.extension::<ScoringExt>() {
			Some(ext) => ext.0.score(&request).map_err(String::into_bytes),
			None => Err(b"this node has no scoring engine (it does not evaluate)".to_vec()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	struct Fixed;
	impl Scorer for Fixed {
		fn score(&self, r: &ScoringRequest) -> Result<ScoringResponse, String> {
			Ok(ScoringResponse { model_set: H256::repeat_byte(1), reports: r.outputs.iter().map(|_| ScoreReport::default()).collect() })
		}
	}

	fn request() -> ScoringRequest {
		ScoringRequest { family: TaskFamily::Qa, query: b"q".to_vec(), reference: None, outputs: vec![b"a".to_vec(), b"b".to_vec()] }
	}

	#[test]
	fn the_host_function_scores_only_where_the_extension_is_registered() {
		// Block execution (no extension): an error, nothing scored.
		sp_io::TestExternalities::default().execute_with(|| {
			let e = poq_scoring::score(request()).unwrap_err();
			assert!(String::from_utf8(e).unwrap().contains("no scoring engine"));
		});
		// An off-chain worker of an evaluator node (extension registered).
		let mut ext = sp_io::TestExternalities::default();
		ext.register_extension(ScoringExt(std::sync::Arc::new(Fixed)));
		ext.execute_with(|| {
			let r = poq_scoring::score(request()).unwrap();
			assert_eq!(r.reports.len(), 2);
			assert_eq!(r.model_set, H256::repeat_byte(1));
		});
		}
}
