//! The judge: how good a response is as an answer to its query, learned from a strong judge's
//! verdicts on real language models' answers.
//!
//! `judge.onnx` (trained by `scripts/train-judge.sh` from AlpacaEval's community models, see
//! `docs/scoring-engine.md`, "The judge") reads, per response, the sentence embedding of the
//! query, the sentence embedding of the response (both from the engine's embedding model, which
//! the engine computes anyway for the semantic dimension) and the [`HAND_FEATURES`] cheap
//! features of the text computed here. Perceptrons learned the probability that the strong judge
//! (GPT-4 Turbo) prefers the response to a reference assistant's answer (GPT-4 Preview's,
//! AlpacaEval's baseline); the score is where that lands among the training answers (the share
//! of the community models' answers it beats), so a typical model's answer scores about 0.5.
//! Each row is computed alone, so a response's score does not depend on the responses it is
//! batched with.
//!
//! The features are defined on Unicode scalar values and ASCII classes only (no locale, no
//! Unicode tables) so that the training script's Python (`offchain-worker/python/judge_features.py`)
//! computes exactly the same numbers; `tests/judge_features.json` holds both sides' values.

use ort::{session::Session, value::Tensor};
use std::sync::Mutex;

use crate::embed::DIM;

/// Number of hand features, in the order of [`hand_features`].
pub const HAND_FEATURES: usize = 14;

/// What separates words: ASCII space, tab, line feed, carriage return, form feed.
fn is_space(c: char) -> bool {
	matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Punctuation stripped from both ends of a word before it is compared.
const EDGE_PUNCT: &str = ".,;:!?\"'()[]{}<>*`_#";

/// Phrases of a hedge or refusal, looked for in the ASCII-lowercased response.
const HEDGES: [&str; 6] = ["as an ai", "i'm sorry", "i am sorry", "i cannot", "i can't", "i apologize"];

/// Characters that end a finished response.
const FINAL: &str = ".!?)\"'`*:";

fn core_word(w: &str) -> String {
	w.to_ascii_lowercase().trim_matches(|c| EDGE_PUNCT.contains(c)).to_string()
}

/// Whether a line (leading spaces ignored) is a list item: `-`, `*` or `•` and a space, or one
/// to three digits and `.` or `)`.
fn is_list_item(line: &str) -> bool {
	let s = line.trim_start_matches([' ', '\t']);
	let mut it = s.chars();
	match it.next() {
		Some('-' | '*' | '\u{2022}') => matches!(it.next(), Some(' ' | '\t')),
		Some(_) => {
			let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
			(1..=3).contains(&digits) && matches!(s[digits..].chars().next(), Some('.' | ')'))
		},
		None => false,
	}
}

/// The cheap features of a response to a query, in this order: ln(1+chars), ln(1+words),
/// ln(1+non-empty lines), share of list lines, has a code fence, share of heading lines,
/// ln(1+bold pairs), ln(1+query chars), ln(1+chars) - ln(1+query chars), ends finished, distinct
/// share of words, share of the query's words (4+ characters) the response uses, has a hedge,
/// words per line / 50.
pub fn hand_features(query: &str, out: &str) -> [f32; HAND_FEATURES] {
	let words: Vec<&str> = out.split(is_space).filter(|w| !w.is_empty()).collect();
	let lines: Vec<&str> = out.split('\n').filter(|l| !l.trim_matches([' ', '\t', '\r', '\x0c']).is_empty()).collect();
	let (nc, nw, nl) = (out.chars().count() as f64, words.len() as f64, lines.len() as f64);
	let qc = query.chars().count() as f64;
	let cores: Vec<String> = words.iter().map(|w| core_word(w)).filter(|w| !w.is_empty()).collect();
	let distinct: std::collections::BTreeSet<&str> = cores.iter().map(String::as_str).collect();
	let query_words: std::collections::BTreeSet<String> = query
		.split(is_space)
		.filter(|w| !w.is_empty())
		.map(core_word)
		.filter(|w| w.chars().count() >= 4)
		.collect();
	let low = out.to_ascii_lowercase();
	let tail = out.trim_end_matches(is_space);
	let per_line = |n: usize| n as f64 / nl.max(1.0);
	let f = [
		nc.ln_1p(),
		nw.ln_1p(),
		nl.ln_1p(),
		per_line(lines.iter().filter(|l| is_list_item(l)).count()),
		if out.contains("```") { 1.0 } else { 0.0 },
		per_line(lines.iter().filter(|l| l.trim_start_matches([' ', '\t']).starts_with('#')).count()),
		((out.matches("**").count() / 2) as f64).ln_1p(),
		qc.ln_1p(),
		nc.ln_1p() - qc.ln_1p(),
		if tail.chars().last().is_some_and(|c| FINAL.contains(c)) { 1.0 } else { 0.0 },
		distinct.len() as f64 / (cores.len().max(1) as f64),
		query_words.iter().filter(|w| distinct.contains(w.as_str())).count() as f64 / (query_words.len().max(1) as f64),
		if HEDGES.iter().any(|h| low.contains(h)) { 1.0 } else { 0.0 },
		nw / nl.max(1.0) / 50.0,
	];
	f.map(|x| x as f32)
}

/// The judge model.
pub struct Judge {
	session: Mutex<Session>,
}

impl Judge {
	/// Wraps a loaded `judge.onnx`; checks its inputs.
	pub fn new(session: Session) -> Result<Self, String> {
		let names: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
		if names != ["query", "response", "features"] {
			return Err(format!("judge.onnx has inputs {names:?}, expected [\"query\", \"response\", \"features\"]"));
		}
		Ok(Self { session: Mutex::new(session) })
	}

	/// The judge's score of each response, in `[0, 1]`: `query` is the query's embedding,
	/// `responses[i]` the i-th response's embedding and `features[i]` its [`hand_features`].
	pub fn score(&self, query: &[f32], responses: &[&[f32]], features: &[[f32; HAND_FEATURES]]) -> Result<Vec<f32>, String> {
		let n = responses.len();
		if n == 0 {
			return Ok(Vec::new());
		}
		if query.len() != DIM || responses.iter().any(|r| r.len() != DIM) || features.len() != n {
			return Err("judge: embeddings of the wrong dimension".into());
		}
		let q: Vec<f32> = (0..n).flat_map(|_| query.iter().copied()).collect();
		let r: Vec<f32> = responses.iter().flat_map(|r| r.iter().copied()).collect();
		let h: Vec<f32> = features.iter().flat_map(|f| f.iter().copied()).collect();
		let t = |shape: [usize; 2], v: Vec<f32>| Tensor::from_array((shape, v)).map_err(|e| e.to_string());
		let inputs = ort::inputs![
			"query" => t([n, DIM], q)?,
			"response" => t([n, DIM], r)?,
			"features" => t([n, HAND_FEATURES], h)?,
		];
		let mut session = self.session.lock().map_err(|_| "judge session poisoned".to_string())?;
		let outputs = session.run(inputs).map_err(|e| format!("judge inference failed: {e}"))?;
		let (_, p) = outputs[0].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
		if p.len() != n {
			return Err(format!("judge.onnx returned {} scores for {n} responses", p.len()));
		}
		Ok(p.iter().map(|x| x.clamp(0.0, 1.0)).collect())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn list_items() {
		assert!(is_list_item("- a"));
		assert!(is_list_item("  12. b"));
		assert!(is_list_item("3) c"));
		assert!(!is_list_item("1234. d"));
		assert!(!is_list_item("-a"));
		assert!(!is_list_item("x. e"));
		assert!(!is_list_item(""));
	}

	/// The training script's Python computes the same features, bit for bit
	/// (`python/judge_golden.py` wrote the file).
	#[test]
	fn features_match_the_training_scripts() {
		#[derive(serde::Deserialize)]
		struct Case {
			query: String,
			response: String,
			features: Vec<f32>,
		}
		let cases: Vec<Case> = serde_json::from_str(include_str!("../tests/judge_features.json")).unwrap();
		assert!(cases.len() >= 10);
		for c in cases {
			let f = hand_features(&c.query, &c.response);
			assert_eq!(f.to_vec(), c.features, "features of {:?} to {:?}", c.response, c.query);
		}
	}

	#[test]
	fn features_of_a_small_answer() {
		let f = hand_features("Who wrote Hamlet, the play?", "**Shakespeare** wrote it.\n\n- yes\nAs an AI, I agree.");
		assert_eq!(f[4], 0.0);
		assert_eq!(f[12], 1.0);
		assert_eq!(f[9], 1.0);
		assert!((f[3] - 1.0 / 3.0).abs() < 1e-6);
		assert!((f[6] - 2f32.ln()).abs() < 1e-6);
		// "wrote" and "hamlet" are query words of 4+ characters; the answer uses "wrote".
		assert!((f[11] - 1.0 / 3.0).abs() < 1e-6, "{}", f[11]);
	}
}
