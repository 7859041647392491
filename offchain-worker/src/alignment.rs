//! The alignment dimension: does the output follow from (entail) the query or source, or
//! contradict it? An NLI signal blended with query-output relevance:
//!
//! `alignment = 0.5 x nli + 0.5 x relevance`, with `nli = (1 + P(entailment) - P(contradiction)) / 2`
//! for the pair (premise = the reference if the task has one, else the query; hypothesis = the
//! output) and `relevance = max(0, cos(query, output))`.
//!
//! The NLI signal comes from an operator's cross-encoder when the models directory has one, and
//! otherwise from the default set's NLI head: a softmax regression over `(u, v, |u-v|, u*v)` of
//! the embeddings, trained on VitaminC by `offchain-worker/python/train_nli_head.py`.

use crate::embed::{self, Batch};
use ort::session::Session;
use serde::Deserialize;
use std::{path::Path, sync::Mutex};
use tokenizers::Tokenizer;

/// Weight of the NLI signal in the blend (the rest is relevance).
pub const NLI_WEIGHT: f32 = 0.5;

/// Probabilities of entailment and contradiction of one pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nli {
	/// P(entailment).
	pub entailment: f32,
	/// P(contradiction).
	pub contradiction: f32,
}

impl Nli {
	/// `(1 + P(e) - P(c)) / 2`, in `[0, 1]`.
	pub fn score(&self) -> f32 {
		((1.0 + self.entailment - self.contradiction) / 2.0).clamp(0.0, 1.0)
	}
}

/// The blend of the NLI score and relevance.
pub fn blend(nli: f32, relevance: f32) -> f32 {
	(NLI_WEIGHT * nli + (1.0 - NLI_WEIGHT) * relevance.max(0.0)).clamp(0.0, 1.0)
}

/// Softmax of logits.
pub fn softmax(z: &[f32]) -> Vec<f32> {
	let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
	let e: Vec<f32> = z.iter().map(|x| (x - m).exp()).collect();
	let s: f32 = e.iter().sum();
	e.iter().map(|x| x / s).collect()
}

fn nli_from(labels: &[String], p: &[f32]) -> Nli {
	let find = |name: &str| labels.iter().position(|l| l.to_lowercase().starts_with(name)).map(|i| p[i]).unwrap_or(0.0);
	Nli { entailment: find("entail"), contradiction: find("contradict") }
}

#[derive(Deserialize)]
struct HeadFile {
	labels: Vec<String>,
	weights: Vec<Vec<f32>>,
	bias: Vec<f32>,
	heldback_accuracy: Option<f32>,
}

/// The NLI head of the default model set.
pub struct NliHead {
	labels: Vec<String>,
	weights: Vec<Vec<f32>>,
	bias: Vec<f32>,
	/// Accuracy on the held-back VitaminC pairs, as trained.
	pub heldback_accuracy: Option<f32>,
}

impl NliHead {
	/// Reads `nli-head.json`.
	pub fn load(path: &Path) -> Result<Self, String> {
		let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
		let h: HeadFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
		let dim = 4 * embed::DIM;
		if h.weights.len() != h.labels.len() || h.bias.len() != h.labels.len() || h.weights.iter().any(|w| w.len() != dim) {
			return Err(format!("{}: expected {} rows of {dim} weights", path.display(), h.labels.len()));
		}
		Ok(Self { labels: h.labels, weights: h.weights, bias: h.bias, heldback_accuracy: h.heldback_accuracy })
	}

	/// Probabilities of the labels for premise embedding `u` and hypothesis embedding `v`.
	pub fn probabilities(&self, u: &[f32], v: &[f32]) -> Vec<f32> {
		let d = embed::DIM;
		let feature = |i: usize| -> f32 {
			match i / d {
				0 => u[i % d],
				1 => v[i % d],
				2 => (u[i % d] - v[i % d]).abs(),
				_ => u[i % d] * v[i % d],
			}
		};
		let z: Vec<f32> = self
			.weights
			.iter()
			.zip(&self.bias)
			.map(|(w, b)| b + w.iter().enumerate().map(|(i, wi)| wi * feature(i)).sum::<f32>())
			.collect();
		softmax(&z)
	}

	/// Entailment and contradiction of the pair.
	pub fn nli(&self, u: &[f32], v: &[f32]) -> Nli {
		nli_from(&self.labels, &self.probabilities(u, v))
	}
}

#[derive(Deserialize)]
struct CrossEncoderConfig {
	labels: Vec<String>,
}

/// An operator's cross-encoder: `(premise, hypothesis)` in, 2 or 3 logits out.
pub struct CrossEncoder {
	session: Mutex<Session>,
	tokenizer: Tokenizer,
	with_types: bool,
	labels: Option<Vec<String>>,
	batch: usize,
}

impl CrossEncoder {
	/// Wraps a loaded session, its tokenizer, and the optional `cross-encoder.json`.
	pub fn new(session: Session, tokenizer: Tokenizer, config: Option<&Path>, batch: usize) -> Result<Self, String> {
		let labels = match config {
			Some(p) => {
				let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
				let c: CrossEncoderConfig = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
				Some(c.labels)
			},
			None => None,
		};
		let with_types = session.inputs().iter().any(|i| i.name() == "token_type_ids");
		Ok(Self { session: Mutex::new(session), tokenizer, with_types, labels, batch: batch.max(1) })
	}

	/// The NLI signal of each `(premise, hypothesis)` pair. Two logits are read as
	/// (not entailed, entailed); three as the configured labels, by default
	/// (contradiction, entailment, neutral), the sentence-transformers NLI convention.
	pub fn nli(&self, pairs: &[(&str, &str)]) -> Result<Vec<Nli>, String> {
		let mut out = Vec::with_capacity(pairs.len());
		for chunk in pairs.chunks(self.batch) {
			let inputs: Vec<tokenizers::EncodeInput> = chunk.iter().map(|(a, b)| (*a, *b).into()).collect();
			let enc = self.tokenizer.encode_batch(inputs, true).map_err(|e| format!("tokenizer: {e}"))?;
			let batch = Batch::new(&enc);
			let mut session = self.session.lock().map_err(|_| "cross-encoder session poisoned".to_string())?;
			let outputs = batch.run(&mut session, self.with_types)?;
			let (shape, logits) = outputs[0].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
			let k = *shape.last().unwrap_or(&0) as usize;
			if !(2..=3).contains(&k) {
				return Err(format!("cross-encoder returned {k} logits per pair; 2 or 3 are supported"));
			}
			for r in 0..batch.rows {
				let p = softmax(&logits[r * k..(r + 1) * k]);
				out.push(match (&self.labels, k) {
					(Some(l), _) if l.len() == k => nli_from(l, &p),
					(_, 2) => Nli { entailment: p[1], contradiction: p[0] },
					_ => Nli { entailment: p[1], contradiction: p[0] },
				});
			}
		}
		Ok(out)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn nli_score_and_blend_are_bounded_and_ordered() {
		let e = Nli { entailment: 0.9, contradiction: 0.05 };
		let c = Nli { entailment: 0.05, contradiction: 0.9 };
		assert!(e.score() > 0.9 && c.score() < 0.1);
		assert_eq!(blend(1.0, 1.0), 1.0);
		assert_eq!(blend(0.0, -0.5), 0.0);
		assert!(blend(e.score(), 0.6) > blend(c.score(), 0.6));
	}

	#[test]
	fn softmax_sums_to_one() {
		let p = softmax(&[1.0, 2.0, 3.0]);
		assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
		assert!(p[2] > p[1] && p[1] > p[0]);
	}

	#[test]
	fn labels_are_found_by_name() {
		let labels: Vec<String> = ["entailment", "neutral", "contradiction"].map(String::from).to_vec();
		assert_eq!(nli_from(&labels, &[0.7, 0.2, 0.1]), Nli { entailment: 0.7, contradiction: 0.1 });
	}
}
