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
//!   otherwise to the centroid of the other outputs of the task, otherwise to the query;
//! - [`alignment`]: NLI (the default set's head, or an operator's cross-encoder) blended with
//!   query-output relevance.
//!
//! Scores are in `[0, 1]` and rounded to millionths (the chain's `Permill`). The models
//! directory is checked file by file ([`models::ModelSet`]); its [`Engine::identity`] is the
//! hash an evaluator reports with its scores.

pub mod alignment;
pub mod embed;
pub mod models;
pub mod runtime;
pub mod semantic;
pub mod structure;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub use models::{ModelError, ModelSet};
pub use runtime::Device;

/// The family of a query. In JSON both the chain's names (`Qa`, `Summarization`, `Code`,
/// `Open`, as in its events and in polkadot.js) and lower case (`qa`, ...) are accepted; it is
/// written in lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
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
	/// Alignment.
	pub alignment: f64,
}

/// Rounds a score to millionths, clamped to `[0, 1]`.
pub fn quantize(x: f32) -> f64 {
	((x.clamp(0.0, 1.0) as f64) * 1e6).round() / 1e6
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
}

impl std::fmt::Display for EngineError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Models(e) => e.fmt(f),
			Self::Runtime(e) => f.write_str(e),
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

enum Nli {
	Head(alignment::NliHead),
	CrossEncoder(alignment::CrossEncoder),
}

/// The scoring engine: the checked model set, loaded.
pub struct Engine {
	set: ModelSet,
	embedder: embed::Embedder,
	nli: Nli,
	device: Device,
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
		let nli = if set.cross_encoder {
			let (session, _) = runtime::session(&env, &set.path(models::CROSS_ENCODER), opts.threads, device)?;
			let tokenizer = embed::load_tokenizer(&set.path(models::CROSS_ENCODER_TOKENIZER))?;
			let config = set.path(models::CROSS_ENCODER_CONFIG);
			let config = config.is_file().then_some(config.as_path());
			Nli::CrossEncoder(alignment::CrossEncoder::new(session, tokenizer, config, opts.batch)?)
		} else {
			Nli::Head(alignment::NliHead::load(&set.path(models::NLI_HEAD))?)
		};
		Ok(Self { set, embedder, nli, device })
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

	/// Whether alignment uses an operator's cross-encoder.
	pub fn uses_cross_encoder(&self) -> bool {
		matches!(self.nli, Nli::CrossEncoder(_))
	}

	/// Embeddings of `texts` (for benchmarks and tools).
	pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EngineError> {
		Ok(self.embedder.embed(texts)?)
	}

	/// Scores every output of `task`. Empty outputs score zero on every dimension.
	pub fn score_task(&self, task: &TaskInput) -> Result<Vec<Scores>, EngineError> {
		let n = task.outputs.len();
		// One embedding run for the query, the reference and every output.
		let mut texts: Vec<&str> = vec![task.query];
		if let Some(r) = task.reference {
			texts.push(r);
		}
		texts.extend(task.outputs.iter().copied());
		let emb = self.embedder.embed(&texts)?;
		let query = &emb[0];
		let reference = task.reference.map(|_| &emb[1]);
		let outs = &emb[texts.len() - n..];
		let empty: Vec<bool> = task.outputs.iter().map(|o| o.trim().is_empty()).collect();

		let premise_text = task.reference.unwrap_or(task.query);
		let premise = reference.unwrap_or(query);
		let nli: Vec<alignment::Nli> = match &self.nli {
			Nli::Head(h) => outs.iter().map(|o| h.nli(premise, o)).collect(),
			Nli::CrossEncoder(c) => {
				let pairs: Vec<(&str, &str)> = task.outputs.iter().map(|o| (premise_text, *o)).collect();
				c.nli(&pairs)?
			},
		};

		let mut scores = Vec::with_capacity(n);
		for i in 0..n {
			if empty[i] {
				scores.push(Scores { structure: 0.0, semantic: 0.0, alignment: 0.0 });
				continue;
			}
			let semantic = semantic::score(i, outs, &empty, reference.map(Vec::as_slice), query);
			let relevance = embed::cosine(query, &outs[i]);
			scores.push(Scores {
				structure: quantize(structure::score(task.family, task.query, task.outputs[i])),
				semantic: quantize(semantic),
				alignment: quantize(alignment::blend(nli[i].score(), relevance)),
			});
		}
		Ok(scores)
	}
}
