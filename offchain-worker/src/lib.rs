//! # Proof-of-Quality scoring engine
//!
//! Turns `(query, outputs, reference?, family)` into the three evaluator-side quality
//! dimensions, natively, with ONNX Runtime (the `ort` crate, the library loaded at run time from
//! the models directory) and `tokenizers`:
//!
//! - [`structure`]: length against the family's norms, repetition and degeneration, truncation,
//!   format checks (no model);
//! - [`semantic`]: cosine similarity of sentence embeddings (all-MiniLM-L6-v2, int8 ONNX,
//!   mean-pooled and L2-normalised, [`embed`]) to the reference when the task has one,
//!   otherwise to the query (for a long source, to the mean of its chunks' embeddings);
//! - [`alignment`]: `P(supported)` of the output given the reference (with its query) or the
//!   query/source, from the project's cross-encoder, claim by claim against the most relevant
//!   chunks of a long source ([`segment`]); for a task with a reference and for a summary, that
//!   score is combined with cheap evidence from the words (the answer's words recalled, names
//!   and numbers the premise never mentions, [`evidence`]) by learned weights.
//!
//! - the judge ([`judge`]): for an Open task without a reference, alignment is the
//!   learned judge's score of the output as an answer to the query (from the query's and the
//!   output's embeddings and cheap features of the text), instead of the cross-encoder;
//!
//! - corroboration ([`corroboration`]): for a QA task without a reference, alignment is how far
//!   the task's other answers support the output (each read as the other's reference, both
//!   ways), around a neutral prior: nothing else can check an answer's facts there;
//!
//! - code with tests ([`code`], [`sandbox`]): a Code task whose reference carries a test
//!   program has each output run against it in a deterministic CPython-for-WASI sandbox; the
//!   squared share of tests passed is the output's alignment.
//!
//! Scores are in `[0, 1]` and rounded to millionths (the chain's `Permill`). The models
//! directory is checked file by file ([`models::ModelSet`]); its [`Engine::identity`] is the
//! hash an evaluator reports with its scores.

pub mod alignment;
pub mod audit;
pub mod code;
pub mod code_bench;
pub mod corroboration;
pub mod embed;
pub mod evidence;
pub mod judge;
pub mod leaderboard;
pub mod models;
pub mod plot;
pub mod runtime;
pub mod sandbox;
pub mod segment;
pub mod semantic;
pub mod stats;
pub mod structure;

use serde::{Deserialize, Serialize};
use std::{path::PathBuf, sync::OnceLock};

pub use models::{ModelError, ModelSet};
pub use runtime::Device;

/// The family of a query. In JSON both the chain's names (`Qa`, `Summarization`, `Code`,
/// `Open`, as in its events and in polkadot.js) and lower case (`qa`, ...) are accepted; it is
/// written in lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Family {
	/// Question answering.
	#[serde(alias = "Qa", alias = "QA")]
	Qa,
	/// Summarization of a source text given in the query.
	#[serde(alias = "Summarization")]
	Summarization,
	/// Code generation.
	#[serde(alias = "Code")]
	Code,
	/// Open-ended generation.
	#[serde(alias = "Open")]
	Open,
}

/// One task to score: a query, optional reference, and the outputs to score.
#[derive(Clone, Debug)]
pub struct TaskInput<'a> {
	/// The family, for the structure norms.
	pub family: Family,
	/// The query (for summarization: the source text to summarise).
	pub query: &'a str,
	/// The reference answer, if any.
	pub reference: Option<&'a str>,
	/// The outputs, in task order.
	pub outputs: Vec<&'a str>,
}

/// The three evaluator-side scores of one output, in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
	/// Structure.
	pub structure: f64,
	/// Semantic.
	pub semantic: f64,
	/// Alignment (for a Code task with tests: the execution score).
	pub alignment: f64,
	/// For a Code task with tests: how many of its tests the output passed.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub tests: Option<TestCounts>,
}

/// Tests passed out of tests counted, for one output of a Code task with tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCounts {
	/// Tests passed.
	pub passed: u32,
	/// Tests counted.
	pub total: u32,
}

/// Rounds a score to millionths, clamped to `[0, 1]`.
pub fn quantize(x: f32) -> f64 {
	((x.clamp(0.0, 1.0) as f64) * 1e6).round() / 1e6
}

/// Whether the judge gives a task's alignment: an Open task without a reference. (With a
/// reference, alignment stays support by the reference; a summary is read against its source;
/// code against its tests or its query. A Qa task without a reference is not judged: the judge
/// learned from long assistant answers and rates every short answer low, right or wrong; its
/// outputs corroborate each other instead, [`corroborated`].)
pub fn judged(task: &TaskInput) -> bool {
	task.reference.is_none() && task.family == Family::Open
}

/// Whether a task's alignment is its outputs' corroboration of each other ([`corroboration`]):
/// a QA task without a reference.
pub fn corroborated(task: &TaskInput) -> bool {
	task.reference.is_none() && task.family == Family::Qa
}

/// How to run the engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
	/// The models directory.
	pub models_dir: PathBuf,
	/// Intra-op threads per model (0: ONNX Runtime's default, one per core).
	pub threads: usize,
	/// Execution device; CUDA falls back to the CPU with a log line.
	pub device: Device,
	/// Texts per model run.
	pub batch: usize,
}

/// Why the engine cannot start or score.
#[derive(Debug)]
pub enum EngineError {
	/// The models directory is incomplete or wrong.
	Models(ModelError),
	/// ONNX Runtime, a model or a tokenizer failed.
	Runtime(String),
	/// The code sandbox could not start or run.
	Sandbox(sandbox::SandboxError),
}

impl std::fmt::Display for EngineError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Models(e) => e.fmt(f),
			Self::Runtime(e) => f.write_str(e),
			Self::Sandbox(e) => e.fmt(f),
		}
	}
}

impl std::error::Error for EngineError {}

impl From<ModelError> for EngineError {
	fn from(e: ModelError) -> Self {
		Self::Models(e)
	}
}

impl From<String> for EngineError {
	fn from(e: String) -> Self {
		Self::Runtime(e)
	}
}

/// The scoring engine: the checked model set, loaded.
pub struct Engine {
	set: ModelSet,
	embedder: embed::Embedder,
	cross_encoder: alignment::CrossEncoder,
	combiner: evidence::Combiner,
	judge: judge::Judge,
	device: Device,
	/// The code sandbox, compiled on first use ([`Engine::sandbox`]).
	sandbox: OnceLock<Result<sandbox::Sandbox, sandbox::SandboxError>>,
}

impl Engine {
	/// Checks the models directory and loads the models.
	pub fn new(opts: &EngineOptions) -> Result<Self, EngineError> {
		let set = ModelSet::open(&opts.models_dir)?;
		let env = runtime::environment(&set)?;
		let (session, device) =
			runtime::session(&env, &set.path(models::EMBEDDING_MODEL), opts.threads, opts.device)?;
		let tokenizer = embed::load_tokenizer(&set.path(models::EMBEDDING_TOKENIZER))?;
		let embedder = embed::Embedder::new(session, tokenizer, opts.batch);
		let (session, _) = runtime::session(&env, &set.path(models::CROSS_ENCODER), opts.threads, device)?;
		let cross_encoder = alignment::CrossEncoder::new(
			session,
			&set.path(models::CROSS_ENCODER_TOKENIZER),
			&set.path(models::CROSS_ENCODER_CONFIG),
			opts.batch,
		)?;
		let combiner = evidence::Combiner::load(&set.path(models::ALIGNMENT_CONFIG))?;
		let (session, _) = runtime::session(&env, &set.path(models::JUDGE_MODEL), opts.threads, device)?;
		let judge = judge::Judge::new(session)?;
		Ok(Self { set, embedder, cross_encoder, combiner, judge, device, sandbox: OnceLock::new() })
	}

	/// The code sandbox (`python.wasm` and `code-harness.py` of the model set), compiled on the
	/// first call (a few seconds); later calls return it at once.
	pub fn sandbox(&self) -> Result<&sandbox::Sandbox, EngineError> {
		self.sandbox
			.get_or_init(|| {
				sandbox::Sandbox::load(&self.set.path(models::PYTHON_WASM), &self.set.path(models::CODE_HARNESS))
			})
			.as_ref()
			.map_err(|e| EngineError::Sandbox(e.clone()))
	}

	/// The hash of the model set (see [`ModelSet::identity`]).
	pub fn identity(&self) -> [u8; 32] {
		self.set.identity()
	}

	/// The checked model set.
	pub fn model_set(&self) -> &ModelSet {
		&self.set
	}

	/// The device the models run on.
	pub fn device(&self) -> Device {
		self.device
	}

	/// The cross-encoder of the alignment dimension (for tools and benchmarks).
	pub fn cross_encoder(&self) -> &alignment::CrossEncoder {
		&self.cross_encoder
	}

	/// Embeddings of `texts` (for benchmarks and tools).
	pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EngineError> {
		Ok(self.embedder.embed(texts)?)
	}

	/// Scores every output of `task`. Empty outputs score zero on every dimension.
	pub fn score_task(&self, task: &TaskInput) -> Result<Vec<Scores>, EngineError> {
		Ok(self.score_task_with_evidence(task)?.into_iter().map(|(s, _)| s).collect())
	}

	/// Which combination of evidence a task's alignment takes, if any: a task with a reference
	/// (code without tests aside), or a summary.
	pub fn setting(task: &TaskInput) -> Option<evidence::Setting> {
		match (task.family, task.reference) {
			(Family::Code, _) => None,
			(_, Some(_)) => Some(evidence::Setting::Reference),
			(Family::Summarization, None) => Some(evidence::Setting::Source),
			_ => None,
		}
	}

	/// [`Engine::score_task`], with each output's evidence where the alignment combines it (see
	/// [`evidence`]): the cross-encoder's own score and the features of the text.
	pub fn score_task_with_evidence(&self, task: &TaskInput) -> Result<Vec<(Scores, Option<evidence::Evidence>)>, EngineError> {
		// A Code task with tests: the solution part is the reference, the tests run each output.
		let code = match (task.family, task.reference) {
			(Family::Code, Some(r)) => code::split_reference(r),
			_ => None,
		};
		let reference = match code {
			Some(c) => c.solution,
			None => task.reference,
		};
		let executed = match code {
			Some(c) => self.execute(c.tests, &task.outputs)?,
			None => None,
		};
		let task = &TaskInput { reference, ..task.clone() };
		let n = task.outputs.len();
		// The premise: the reference with its query, else the query (or source).
		let premise_text = match task.reference {
			Some(r) => format!("{}\n{r}", task.query),
			None => task.query.to_string(),
		};
		let premise = self.cross_encoder.premise(&premise_text)?;

		// One embedding run for what semantic compares with, and every output.
		let mut texts: Vec<&str> = match (task.reference, &premise) {
			(Some(r), _) => vec![r],
			(None, p) => p.texts(),
		};
		let anchors = texts.len();
		texts.extend(task.outputs.iter().copied());
		let emb = self.embedder.embed(&texts)?;
		let anchor = semantic::anchor(&emb[..anchors]);
		let outs = &emb[anchors..];

		let setting = match executed {
			None if !judged(task) && !corroborated(task) => Self::setting(task),
			_ => None,
		};
		let structure: Vec<f32> = task.outputs.iter().map(|o| structure::score(task.family, task.query, o)).collect();
		let sem: Vec<f32> = outs.iter().map(|o| semantic::score(o, &anchor)).collect();
		let alignment: Vec<Option<(f32, Option<TestCounts>)>> = match executed {
			Some(runs) => runs,
			None if judged(task) => self.judge_outputs(task, &anchor, outs)?,
			None if corroborated(task) => self.corroborate(task, outs, &structure)?,
			None => self.cross_encoder.alignment(&premise, &task.outputs)?.into_iter().map(|a| a.map(|a| (a, None))).collect(),
		};
		let mut scores = Vec::with_capacity(n);
		for i in 0..n {
			match alignment[i] {
				None => scores.push((Scores { structure: 0.0, semantic: 0.0, alignment: 0.0, tests: None }, None)),
				Some((a, tests)) => {
					let evidence = setting.map(|_| evidence::Evidence::of(task.query, task.reference, task.outputs[i], a, sem[i]));
					let alignment = match (setting, &evidence) {
						(Some(s), Some(e)) => self.combiner.combine(s, e),
						_ => a,
					};
					scores.push((
						Scores {
							structure: quantize(structure[i]),
							semantic: quantize(sem[i]),
							alignment: quantize(alignment),
							tests,
						},
						evidence,
					))
				},
			}
		}
		Ok(scores)
	}

	/// The corroboration of every non-empty output by the others (`None` for an empty one): each
	/// live output is read as the reference of every other, by the cross-encoder combined with
	/// the word evidence as in a task with a reference; [`corroboration::alignments`] weighs the
	/// support. `outs` are the outputs' embeddings, `structure` their structure scores.
	#[allow(clippy::type_complexity)]
	fn corroborate(&self, task: &TaskInput, outs: &[Vec<f32>], structure: &[f32]) -> Result<Vec<Option<(f32, Option<TestCounts>)>>, EngineError> {
		let n = task.outputs.len();
		let live: Vec<usize> = (0..n).filter(|&i| !task.outputs[i].trim().is_empty()).collect();
		let mut support = vec![vec![0f32; n]; n];
		for &j in &live {
			// Read whole (the tokenizer truncates a long pair): one reading a pair, so a task of
			// 8 long answers costs 56 readings, not 56 x claims x chunks.
			let premise = alignment::Premise::Whole(format!("{}\n{}", task.query, task.outputs[j]));
			let others: Vec<usize> = live.iter().copied().filter(|&i| i != j).collect();
			let texts: Vec<&str> = others.iter().map(|&i| task.outputs[i]).collect();
			let read = self.cross_encoder.alignment(&premise, &texts)?;
			for (&i, a) in others.iter().zip(read) {
				let a = a.unwrap_or(0.0);
				let e = evidence::Evidence::of(task.query, Some(task.outputs[j]), task.outputs[i], a, semantic::score(&outs[i], &outs[j]));
				support[j][i] = self.combiner.combine(evidence::Setting::Reference, &e);
			}
		}
		let likeness: Vec<Option<f32>> = (0..n)
			.map(|i| live.contains(&i).then(|| corroboration::answer_likeness(structure[i])))
			.collect();
		Ok(corroboration::alignments(&likeness, &support).into_iter().map(|a| a.map(|a| (a, None))).collect())
	}

	/// The judge's score of every non-empty output (`None` for an empty one).
	#[allow(clippy::type_complexity)]
	fn judge_outputs(&self, task: &TaskInput, query: &[f32], outs: &[Vec<f32>]) -> Result<Vec<Option<(f32, Option<TestCounts>)>>, EngineError> {
		let live: Vec<usize> = (0..task.outputs.len()).filter(|&i| !task.outputs[i].trim().is_empty()).collect();
		let responses: Vec<&[f32]> = live.iter().map(|&i| outs[i].as_slice()).collect();
		let features: Vec<_> = live.iter().map(|&i| judge::hand_features(task.query, task.outputs[i])).collect();
		let scores = self.judge.score(query, &responses, &features)?;
		let mut out = vec![None; task.outputs.len()];
		for (&i, s) in live.iter().zip(scores) {
			out[i] = Some((s, None));
		}
		Ok(out)
	}

	/// Runs every non-empty output against `tests`: its execution score and test counts (`None`
	/// for an empty output). `Ok(None)` when the test program does not parse: the task is then
	/// scored as if it had no tests (the submitter's mistake must not zero every output).
	#[allow(clippy::type_complexity)]
	fn execute(&self, tests: &str, outputs: &[&str]) -> Result<Option<Vec<Option<(f32, Option<TestCounts>)>>>, EngineError> {
		let sandbox = self.sandbox()?;
		let mut runs = Vec::with_capacity(outputs.len());
		for output in outputs {
			if output.trim().is_empty() {
				runs.push(None);
				continue;
			}
			match sandbox.run(&code::program_of(output), tests) {
				Ok(v) => runs.push(Some((
					code::execution_score(&v) as f32,
					Some(TestCounts { passed: v.passed() as u32, total: v.total() as u32 }),
				))),
				Err(sandbox::SandboxError::TestsInvalid(why)) => {
					log::warn!(target: "poq-scorer", "the task's test program does not parse ({why}): scored without running it");
					return Ok(None);
				},
				Err(e) => return Err(EngineError::Sandbox(e)),
			}
		}
		Ok(Some(runs))
	}
}
