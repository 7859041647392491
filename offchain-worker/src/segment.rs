//! Pure text segmentation for the alignment dimension: sentences, packing them into chunks of a
//! token budget, and choosing the chunks of a long premise that a claim most likely draws on.
//!
//! Mirrored exactly by `offchain-worker/python/consistency.py` (the golden scores compare the
//! two); keep both in step.

use std::collections::BTreeSet;

/// Splits `text` into sentences: a break after `.`, `!` or `?` followed by whitespace and then an
/// ASCII capital, a digit or a quote. Sentences are trimmed; empty ones are dropped. Text without
/// such a break is one sentence.
pub fn sentences(text: &str) -> Vec<&str> {
	let chars: Vec<(usize, char)> = text.char_indices().collect();
	let mut out = Vec::new();
	let mut start = 0usize;
	let mut i = 0usize;
	while i < chars.len() {
		let (_, c) = chars[i];
		if matches!(c, '.' | '!' | '?') && i + 1 < chars.len() && chars[i + 1].1.is_whitespace() {
			let mut j = i + 1;
			while j < chars.len() && chars[j].1.is_whitespace() {
				j += 1;
			}
			if j < chars.len() && (chars[j].1.is_ascii_uppercase() || chars[j].1.is_ascii_digit() || matches!(chars[j].1, '"' | '\'')) {
				out.push(text[start..chars[i + 1].0].trim());
				start = chars[j].0;
				i = j;
				continue;
			}
		}
		i += 1;
	}
	out.push(text[start..].trim());
	out.retain(|s| !s.is_empty());
	out
}

/// Packs consecutive pieces into groups of at most `budget` tokens (`tokens[i]` is the count of
/// piece `i`), greedily in order; a piece over the budget is a group of its own. Returns the
/// groups as index ranges.
pub fn pack(tokens: &[usize], budget: usize) -> Vec<std::ops::Range<usize>> {
	let mut groups = Vec::new();
	let mut start = 0usize;
	let mut used = 0usize;
	for (i, t) in tokens.iter().enumerate() {
		if i > start && used + t > budget {
			groups.push(start..i);
			start = i;
			used = 0;
		}
		used += t;
	}
	if start < tokens.len() {
		groups.push(start..tokens.len());
	}
	groups
}

/// The lower-cased alphanumeric words of `text`, as a set.
pub fn words(text: &str) -> BTreeSet<String> {
	text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// The indices of the `k` chunks that share the most of `claim`'s words (ties: the earlier
/// chunk), in ascending order. All chunks when there are at most `k`.
pub fn best_chunks(claim: &BTreeSet<String>, chunks: &[BTreeSet<String>], k: usize) -> Vec<usize> {
	if chunks.len() <= k {
		return (0..chunks.len()).collect();
	}
	let mut scored: Vec<(usize, usize)> = chunks.iter().enumerate().map(|(i, c)| (claim.intersection(c).count(), i)).collect();
	// Most shared words first, then the earlier chunk.
	scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
	let mut best: Vec<usize> = scored.into_iter().take(k).map(|(_, i)| i).collect();
	best.sort_unstable();
	best
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sentences_split_on_end_marks_before_capitals() {
		assert_eq!(sentences("Paris is big. It has 2 rivers? No! \"Yes.\" ok"), ["Paris is big.", "It has 2 rivers?", "No!", "\"Yes.\" ok"]);
		assert_eq!(sentences("e.g. this stays. one sentence"), ["e.g. this stays. one sentence"]);
		assert_eq!(sentences("  "), Vec::<&str>::new());
		assert_eq!(sentences("No end mark"), ["No end mark"]);
		assert_eq!(sentences("Ünïcode. Ça va. Fin."), ["Ünïcode. Ça va.", "Fin."]);
	}

	#[test]
	fn packing_respects_the_budget_and_keeps_every_piece() {
		assert_eq!(pack(&[3, 3, 3, 10, 1], 6), vec![0..2, 2..3, 3..4, 4..5]);
		assert_eq!(pack(&[], 6), Vec::<std::ops::Range<usize>>::new());
		assert_eq!(pack(&[7], 6), vec![0..1]);
	}

	#[test]
	fn the_chunks_sharing_most_words_are_chosen() {
		let chunks: Vec<_> = ["the cat sat", "dogs bark loudly", "a cat and a dog", "nothing here"].iter().map(|c| words(c)).collect();
		assert_eq!(best_chunks(&words("The cat barks"), &chunks, 2), vec![0, 2]);
		assert_eq!(best_chunks(&words("zzz"), &chunks, 2), vec![0, 1], "ties go to the earlier chunks");
		assert_eq!(best_chunks(&words("x"), &chunks[..2], 3), vec![0, 1]);
	}
}
