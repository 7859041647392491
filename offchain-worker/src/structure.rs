//! The structure dimension: cheap, deterministic checks of an output's form, no model.
//!
//! `structure = length x repetition x completeness x format`, each factor in `[0, 1]`:
//! - **length**: words against the family's norms: one inside the ideal range, falling linearly
//!   to zero at the outer bounds (an empty output scores zero overall);
//! - **repetition**: share of repeated word 3-grams (and of repeated lines), beyond a small
//!   allowance, pulls the score down; a degenerate loop scores near zero;
//! - **completeness**: a prose output that stops mid-sentence (no closing punctuation after a
//!   long text) loses a fifth;
//! - **format**: code must have balanced brackets; an answer that only repeats the query scores
//!   low.

use crate::Family;
use std::collections::HashSet;

/// Length norms of a family, in words: `(hard_min, ideal_min, ideal_max, hard_max)`.
pub fn norms(family: Family) -> (f32, f32, f32, f32) {
	match family {
		// A one-word answer ("Mercury.") can be the whole right answer: no penalty for it.
		Family::Qa => (1.0, 1.0, 120.0, 600.0),
		Family::Summarization => (5.0, 20.0, 300.0, 1200.0),
		Family::Code => (1.0, 3.0, 800.0, 4000.0),
		Family::Open => (3.0, 15.0, 900.0, 4000.0),
	}
}

fn words(text: &str) -> Vec<String> {
	text.split_whitespace().map(|w| w.to_lowercase()).collect()
}

/// The length factor.
pub fn length_factor(family: Family, n_words: usize) -> f32 {
	let (lo, ideal_lo, ideal_hi, hi) = norms(family);
	let n = n_words as f32;
	if n < lo || n > hi {
		0.0
	} else if n < ideal_lo {
		0.5 + 0.5 * (n - lo) / (ideal_lo - lo).max(1.0)
	} else if n > ideal_hi {
		1.0 - (n - ideal_hi) / (hi - ideal_hi)
	} else {
		1.0
	}
}

/// Share of word n-grams that repeat an earlier one (0 for texts shorter than `n`).
pub fn repeated_ngram_share(words: &[String], n: usize) -> f32 {
	if words.len() < n + 1 {
		return 0.0;
	}
	let grams: Vec<&[String]> = words.windows(n).collect();
	let distinct: HashSet<&[String]> = grams.iter().copied().collect();
	1.0 - distinct.len() as f32 / grams.len() as f32
}

/// The repetition factor: `1 - clamp((r - 0.1) / 0.5, 0, 1)` of the larger of the repeated
/// 3-gram share and the repeated-line share (0.1 of repetition is free: natural text repeats
/// some phrases).
pub fn repetition_factor(text: &str) -> f32 {
	let w = words(text);
	let grams = repeated_ngram_share(&w, 3);
	let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| l.len() > 3).collect();
	let line_rep = if lines.len() < 3 {
		0.0
	} else {
		1.0 - lines.iter().collect::<HashSet<_>>().len() as f32 / lines.len() as f32
	};
	let r = grams.max(line_rep);
	1.0 - ((r - 0.1) / 0.5).clamp(0.0, 1.0)
}

/// The completeness factor: 0.8 for prose of more than 12 words that does not end like a
/// sentence or a block.
pub fn completeness_factor(family: Family, text: &str) -> f32 {
	if family == Family::Code {
		return 1.0;
	}
	let t = text.trim_end();
	let ends_well = t.ends_with(['.', '!', '?', '"', '\'', ')', ']', '`', '*', ':', ';']) || t.ends_with("```");
	if words(t).len() > 12 && !ends_well { 0.8 } else { 1.0 }
}

/// Whether `(`, `[` and `{` are balanced, ignoring string contents roughly (quotes toggle).
pub fn brackets_balanced(code: &str) -> bool {
	let mut stack = Vec::new();
	let mut quote: Option<char> = None;
	let mut prev = ' ';
	for c in code.chars() {
		match quote {
			Some(q) if c == q && prev != '\\' => quote = None,
			Some(_) => {},
			None => match c {
				'"' | '\'' | '`' => quote = Some(c),
				'(' | '[' | '{' => stack.push(c),
				')' | ']' | '}' => {
					let want = match c { ')' => '(', ']' => '[', _ => '{' };
					if stack.pop() != Some(want) {
						return false;
					}
				},
				_ => {},
			},
		}
		prev = c;
	}
	stack.is_empty()
}

/// The format factor: unbalanced code 0.5; an output that repeats the query (is contained in it
/// and at least half as long) for QA and Summarization 0.3. A short part of the query is no
/// repetition: it is how a choice question is answered ("Who is older, Glenn Hughes or Ross
/// Lynch?" "Glenn Hughes").
pub fn format_factor(family: Family, query: &str, text: &str) -> f32 {
	let norm = |s: &str| words(s).join(" ");
	match family {
		Family::Code if !brackets_balanced(text) => 0.5,
		Family::Qa | Family::Summarization => {
			let (q, o) = (norm(query), norm(text));
			if !o.is_empty() && o.len() > 8 && 2 * o.len() >= q.len() && q.contains(&o) { 0.3 } else { 1.0 }
		},
		_ => 1.0,
	}
}

/// The structure score of `output` for `query` in `family`, in `[0, 1]`.
pub fn score(family: Family, query: &str, output: &str) -> f32 {
	let w = words(output);
	if w.is_empty() {
		return 0.0;
	}
	length_factor(family, w.len()) *
		repetition_factor(output) *
		completeness_factor(family, output) *
		format_factor(family, query, output)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn empty_and_whitespace_score_zero() {
		assert_eq!(score(Family::Qa, "q", ""), 0.0);
		assert_eq!(score(Family::Open, "q", "  \n\t "), 0.0);
	}

	#[test]
	fn a_good_answer_scores_one() {
		assert_eq!(score(Family::Qa, "What is the capital of France?", "The capital of France is Paris."), 1.0);
	}

	#[test]
	fn degenerate_repetition_scores_near_zero() {
		let loop_ = "the cat sat on the mat ".repeat(30);
		assert!(score(Family::Open, "Tell a story", &loop_) < 0.05);
		let lines = "I don't know.\n".repeat(10);
		assert!(repetition_factor(&lines) < 0.1);
		// Natural text keeps its score.
		assert_eq!(repetition_factor("Paris is the capital and the largest city of France."), 1.0);
	}

	#[test]
	fn length_follows_the_family_norms() {
		assert_eq!(length_factor(Family::Qa, 0), 0.0);
		assert_eq!(length_factor(Family::Qa, 1), 1.0);
		assert_eq!(length_factor(Family::Open, 3), 0.5);
		assert_eq!(length_factor(Family::Qa, 50), 1.0);
		assert!(length_factor(Family::Qa, 400) < 0.5);
		assert_eq!(length_factor(Family::Qa, 601), 0.0);
		assert!(length_factor(Family::Summarization, 8) < 1.0);
	}

	#[test]
	fn truncation_and_format_checks() {
		let cut = "Paris is the capital of France and it has been the seat of government for many centuries and";
		assert_eq!(completeness_factor(Family::Open, cut), 0.8);
		assert_eq!(completeness_factor(Family::Code, cut), 1.0);
		assert!(brackets_balanced("fn main() { let v = vec![1, 2]; println!(\"{}\", v[0]); }"));
		assert!(!brackets_balanced("fn main() { let v = vec![1, 2; }"));
		assert!(brackets_balanced("s = \"(\" + ')'"));
		assert_eq!(format_factor(Family::Code, "q", "def f(:"), 0.5);
		assert_eq!(format_factor(Family::Qa, "What is the capital of France?", "the capital of France"), 0.3);
		assert_eq!(format_factor(Family::Qa, "Who is older, Glenn Hughes or Ross Lynch?", "Glenn Hughes"), 1.0);
		assert_eq!(format_factor(Family::Qa, "What is the capital of France?", "Paris"), 1.0);
	}

	#[test]
	fn scores_are_bounded() {
		for t in ["a", "((((", "x y z. ".repeat(500).as_str(), "ok.", "é è ü"] {
			for f in [Family::Qa, Family::Summarization, Family::Code, Family::Open] {
				let s = score(f, "q", t);
				assert!((0.0..=1.0).contains(&s), "{f:?} {t:?} -> {s}");
			}
		}
	}
}
