//! The alignment dimension: is what the output says supported by what it should agree with?
//!
//! A cross-encoder (`cross-encoder.onnx`, trained by `scripts/train-cross-encoder.sh`) reads
//! `[CLS] premise [SEP] claim [SEP]` and gives two logits, (not supported, supported); the
//! score of a pair is `P(supported)`. The premise is, in this order:
//! - the task's **reference**, preceded by its query (`query\nreference`), when it has one;
//! - otherwise the **query**, which for summarization carries the source text.
//!
//! A premise of at most [`WHOLE_PREMISE_TOKENS`] tokens is read whole with the whole output.
//! A longer one (a source to summarise, a long reference) is cut into chunks of whole sentences
//! of at most [`CHUNK_TOKENS`] tokens, and the output into claims of whole sentences (at most
//! [`MAX_CLAIMS`] of them, each at least [`CLAIM_TOKENS`] tokens when there are more); each claim
//! is read against the [`TOP_CHUNKS`] chunks sharing most of its words, its support is the
//! highest of those, and the output's alignment is the mean support of its claims: every claim
//! must be supported by some part of the source.

use crate::{
	embed::Batch,
	segment::{best_chunks, pack, sentences, words},
};
use ort::session::Session;
use serde::Deserialize;
use std::{path::Path, sync::Mutex};
use tokenizers::{Tokenizer, TruncationParams, TruncationStrategy};

/// Most tokens of a pair (premise and claim, special tokens included); longer pairs lose tokens
/// from the longer side.
pub const MAX_PAIR_TOKENS: usize = 256;
/// Longest premise read whole.
pub const WHOLE_PREMISE_TOKENS: usize = 200;
/// Most tokens of a chunk of a long premise.
pub const CHUNK_TOKENS: usize = 180;
/// Smallest claim budget when an output is cut into claims.
pub const CLAIM_TOKENS: usize = 64;
/// Most claims of an output.
pub const MAX_CLAIMS: usize = 4;
/// Chunks each claim is read against.
pub const TOP_CHUNKS: usize = 2;

/// Softmax of logits.
pub fn softmax(z: &[f32]) -> Vec<f32> {
	let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
	let e: Vec<f32> = z.iter().map(|x| (x - m).exp()).collect();
	let s: f32 = e.iter().sum();
	e.iter().map(|x| x / s).collect()
}

/// What `cross-encoder.json` says of the model (the rest of the file documents its training).
#[derive(Deserialize)]
struct Config {
	labels: Vec<String>,
}

/// A premise as the cross-encoder reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Premise {
	/// Short enough to read whole.
	Whole(String),
	/// Chunks of whole sentences, each with its words.
	Chunks(Vec<String>),
}

impl Premise {
	/// The texts that stand for the premise (one, or the chunks).
	pub fn texts(&self) -> Vec<&str> {
		match self {
			Self::Whole(t) => vec![t.as_str()],
			Self::Chunks(c) => c.iter().map(String::as_str).collect(),
		}
	}
}

/// The cross-encoder with its tokenizers.
pub struct CrossEncoder {
	session: Mutex<Session>,
	/// Pair tokenizer, truncating to [`MAX_PAIR_TOKENS`].
	tokenizer: Tokenizer,
	/// The same vocabulary without truncation, for counting.
	counter: Tokenizer,
	supported: usize,
	batch: usize,
}

impl CrossEncoder {
	/// Wraps a loaded session, its tokenizer file and `cross-encoder.json` (which must name a
	/// `supported` label among two).
	pub fn new(session: Session, tokenizer: &Path, config: &Path, batch: usize) -> Result<Self, String> {
		let text = std::fs::read_to_string(config).map_err(|e| format!("{}: {e}", config.display()))?;
		let c: Config = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", config.display()))?;
		let supported = c
			.labels
			.iter()
			.position(|l| l == "supported")
			.filter(|_| c.labels.len() == 2)
			.ok_or_else(|| format!("{}: labels must be two, one of them \"supported\"", config.display()))?;
		let load = || Tokenizer::from_file(tokenizer).map_err(|e| format!("cannot read tokenizer {}: {e}", tokenizer.display()));
		let mut pair = load()?;
		pair.with_padding(None);
		pair.with_truncation(Some(TruncationParams {
			max_length: MAX_PAIR_TOKENS,
			strategy: TruncationStrategy::LongestFirst,
			..Default::default()
		}))
		.map_err(|e| e.to_string())?;
		let mut counter = load()?;
		counter.with_padding(None);
		counter.with_truncation(None).map_err(|e| e.to_string())?;
		Ok(Self { session: Mutex::new(session), tokenizer: pair, counter, supported, batch: batch.max(1) })
	}

	/// Tokens of `text`, without special tokens.
	pub fn count(&self, text: &str) -> Result<usize, String> {
		Ok(self.counter.encode(text, false).map_err(|e| format!("tokenizer: {e}"))?.len())
	}

	/// Whole, or cut into chunks of whole sentences.
	pub fn premise(&self, text: &str) -> Result<Premise, String> {
		if self.count(text)? <= WHOLE_PREMISE_TOKENS {
			return Ok(Premise::Whole(text.to_string()));
		}
		let sents = sentences(text);
		let tokens = sents.iter().map(|s| self.count(s)).collect::<Result<Vec<_>, _>>()?;
		Ok(Premise::Chunks(pack(&tokens, CHUNK_TOKENS).into_iter().map(|g| sents[g].join(" ")).collect()))
	}

	/// The claims of an output: its sentences packed into at most about [`MAX_CLAIMS`] groups.
	pub fn claims(&self, output: &str) -> Result<Vec<String>, String> {
		let sents = sentences(output);
		let tokens = sents.iter().map(|s| self.count(s)).collect::<Result<Vec<_>, _>>()?;
		let total: usize = tokens.iter().sum();
		let budget = CLAIM_TOKENS.max(total.div_ceil(MAX_CLAIMS));
		Ok(pack(&tokens, budget).into_iter().map(|g| sents[g].join(" ")).collect())
	}

	/// `P(supported)` of each `(premise, claim)` pair.
	pub fn support(&self, pairs: &[(&str, &str)]) -> Result<Vec<f32>, String> {
		let mut out = Vec::with_capacity(pairs.len());
		for chunk in pairs.chunks(self.batch) {
			let inputs: Vec<tokenizers::EncodeInput> = chunk.iter().map(|(a, b)| (*a, *b).into()).collect();
			let enc = self.tokenizer.encode_batch(inputs, true).map_err(|e| format!("tokenizer: {e}"))?;
			let batch = Batch::new(&enc);
			let mut session = self.session.lock().map_err(|_| "cross-encoder session poisoned".to_string())?;
			let outputs = batch.run(&mut session, true)?;
			let (shape, logits) = outputs[0].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
			if shape.last().copied() != Some(2) {
				return Err(format!("cross-encoder returned shape {shape:?}; two logits per pair expected"));
			}
			for r in 0..batch.rows {
				out.push(softmax(&logits[r * 2..r * 2 + 2])[self.supported]);
			}
		}
		Ok(out)
	}

	/// The alignment of each output against `premise`; `None` for an empty output.
	pub fn alignment(&self, premise: &Premise, outputs: &[&str]) -> Result<Vec<Option<f32>>, String> {
		// Every pair to read, and for each output the pairs of each of its claims.
		let mut pairs: Vec<(&str, String)> = Vec::new();
		let mut plan: Vec<Option<Vec<Vec<usize>>>> = Vec::with_capacity(outputs.len());
		let chunk_words: Vec<_> = premise.texts().iter().map(|c| words(c)).collect();
		for out in outputs {
			if out.trim().is_empty() {
				plan.push(None);
				continue;
			}
			let claims = match premise {
				Premise::Whole(_) => vec![out.to_string()],
				Premise::Chunks(_) => self.claims(out)?,
			};
			let mut per_claim = Vec::with_capacity(claims.len());
			for claim in claims {
				let chosen = match premise {
					Premise::Whole(_) => vec![0],
					Premise::Chunks(_) => best_chunks(&words(&claim), &chunk_words, TOP_CHUNKS),
				};
				let texts = premise.texts();
				per_claim.push(chosen.iter().map(|&c| {
					pairs.push((texts[c], claim.clone()));
					pairs.len() - 1
				}).collect());
			}
			plan.push(Some(per_claim));
		}
		let refs: Vec<(&str, &str)> = pairs.iter().map(|(p, c)| (*p, c.as_str())).collect();
		let support = self.support(&refs)?;
		Ok(plan
			.into_iter()
			.map(|claims| {
				claims.map(|claims| {
					let best: Vec<f32> = claims.iter().map(|ps| ps.iter().map(|&p| support[p]).fold(0f32, f32::max)).collect();
					best.iter().sum::<f32>() / best.len().max(1) as f32
				})
			})
			.collect())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn softmax_sums_to_one() {
		let p = softmax(&[1.0, 2.0, 3.0]);
		assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
		assert!(p[2] > p[1] && p[1] > p[0]);
	}

	#[test]
	fn a_premise_stands_for_its_texts() {
		assert_eq!(Premise::Whole("a".into()).texts(), ["a"]);
		assert_eq!(Premise::Chunks(vec!["a".into(), "b".into()]).texts(), ["a", "b"]);
	}
}
