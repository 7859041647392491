//! # Corroboration: the alignment of a QA answer without a reference
//!
//! ## Overview
//!
//! A QA task without a reference gives an evaluator nothing to check an answer's facts against:
//! the cross-encoder, read against the query alone, measures how much of the query an answer
//! repeats (a word loop of the query's words scored 0.96, "William Shakespeare." to "Who wrote
//! Hamlet?" 0.09), not whether it is true. What an evaluator can say honestly is whether the
//! other providers' answers to the same query **corroborate** it. So the alignment of every
//! output of such a task is
//!
//! ```text
//! a_i = g_i * (k * p + sum_j c_ij * m_ij) / (k + sum_j c_ij)       (j != i, live outputs)
//! c_ij = g_j * max_l g_l * m_jl                                    (l != i, j, live outputs)
//! ```
//!
//! - `m_ij = min(s_ij, s_ji)` is the **mutual support** of two answers, where `s_ij` is the
//!   reference setting's alignment ([`crate::evidence`], the cross-encoder combined with the
//!   word evidence by the weights of `alignment.json`) of output `i` read with output `j` as its
//!   reference. Both directions must hold (bidirectional entailment, as answers are grouped by
//!   meaning in "semantic entropy", Kuhn et al. 2023): "Sydney" read against the reference
//!   "Canberra." got 0.66, "Canberra." against "Sydney" 0.26;
//! - `g_i` is the output's **answer-likeness** ([`answer_likeness`]): 1 for a well-formed
//!   answer, falling to 0 for a word loop (its structure score). It caps the output's own
//!   alignment, so a loop earns nothing;
//! - `c_ij` is the **credibility** of peer `j`'s vote on `i`: how far a third answer
//!   corroborates `j`. A peer that no one else agrees with (an off-topic text, a lone wrong
//!   answer, a loop) hardly votes; it does not depend on `m_ij`, so more support never lowers
//!   an answer's score;
//! - `p` = [`PRIOR`] with weight `k` = [`PRIOR_WEIGHT`]: what an answer gets that no peer
//!   corroborates or contradicts ("cannot tell", one answer against one pseudo-answer).
//!
//! ## Design
//!
//! The formula is the posterior mean of a Beta-like estimate: the prior `p` counts as `k`
//! answers, each peer as its credibility. It is fixed, not fitted: the only learned part is
//! `s_ij`, whose weights were chosen leave-one-source-out for the reference setting. Without
//! credibility (every peer weighed by `g_j`), an off-topic answer in the task pulled the correct
//! one below the quality floor ("William Shakespeare." among a wrong, an off-topic and a loop
//! answer). The sums run in output order, so the scores are deterministic. The cost is two
//! cross-encoder readings per pair of answers (at most 8 x 7 for the chain's 8 outputs).
//!
//! ## Terms and limits
//!
//! - A lone answer, or two answers alone (they cannot corroborate each other's voters), get
//!   [`PRIOR`]: the correct answer is paid when its other scores are fair (the default quality
//!   floor is 0.45), and so is a fluent wrong one. Without a reference the chain cannot tell two
//!   contradicting answers apart.
//! - A majority of providers agreeing on a wrong answer wins; so does one party running several
//!   providers that give the same answer (commit-reveal stops copying another's answer, not
//!   collusion). Tasks whose truth matters should carry a reference.
//! - An answer that hedges between candidates is read like any other: it agrees with each only
//!   as far as the cross-encoder says it does.

/// The alignment of an answer that no peer corroborates or contradicts.
pub const PRIOR: f32 = 0.5;

/// How many answers the prior counts as.
pub const PRIOR_WEIGHT: f32 = 1.0;

/// How much an output looks like an answer, in `[0, 1]`: `min(1, 2 structure)` (a word loop
/// scores 0 on structure, a well-formed answer of any length 1). Its topic is not read here: a
/// terse right answer ("no", "24,498") is as far from the query's embedding as an off-topic text,
/// and an off-topic text is not corroborated by the others anyway.
pub fn answer_likeness(structure: f32) -> f32 {
	(2.0 * structure).clamp(0.0, 1.0)
}

/// The mutual support of two answers: the smaller of each read against the other.
pub fn mutual(s_ij: f32, s_ji: f32) -> f32 {
	s_ij.min(s_ji).clamp(0.0, 1.0)
}

/// How far a third answer corroborates peer `j`, leaving out the answer `i` it votes on: `g_j`
/// times the largest `g_k` x mutual support between `j` and any live `k` other than `i` and `j`
/// (0 when there is none; a loop corroborates no one). It does not depend on what `j` says of
/// `i`, so more support never lowers a score.
fn credibility(likeness: &[Option<f32>], support: &[Vec<f32>], i: usize, j: usize) -> f32 {
	let Some(g_j) = likeness[j] else { return 0.0 };
	let best = (0..likeness.len())
		.filter(|&k| k != i && k != j)
		.filter_map(|k| likeness[k].map(|g_k| g_k * mutual(support[k][j], support[j][k])))
		.fold(0f32, f32::max);
	g_j * best
}

/// The alignment of every output from its answer-likeness (`likeness[i]`, `None` for an
/// empty output) and the support of each read against each other (`support[j][i]`: output `i`
/// with output `j` as its reference; the diagonal is not read). `None` stays `None`.
pub fn alignments(likeness: &[Option<f32>], support: &[Vec<f32>]) -> Vec<Option<f32>> {
	let n = likeness.len();
	(0..n)
		.map(|i| {
			let g_i = likeness[i]?;
			let (mut num, mut den) = (PRIOR_WEIGHT * PRIOR, PRIOR_WEIGHT);
			for j in (0..n).filter(|&j| j != i && likeness[j].is_some()) {
				let c = credibility(likeness, support, i, j);
				num += c * mutual(support[j][i], support[i][j]);
				den += c;
			}
			Some((g_i * num / den).clamp(0.0, 1.0))
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	/// Support of `n` outputs where outputs in the same group support each other with `agree`,
	/// others with `disagree`.
	fn grouped(groups: &[usize], agree: f32, disagree: f32) -> Vec<Vec<f32>> {
		groups.iter().map(|a| groups.iter().map(|b| if a == b { agree } else { disagree }).collect()).collect()
	}

	#[test]
	fn a_lone_answer_gets_the_prior_times_its_likeness() {
		assert_eq!(alignments(&[Some(1.0)], &[vec![0.0]]), vec![Some(PRIOR)]);
		assert_eq!(alignments(&[Some(0.5)], &[vec![0.0]]), vec![Some(0.5 * PRIOR)]);
		assert_eq!(alignments(&[None], &[vec![0.0]]), vec![None]);
	}

	#[test]
	fn the_majority_answer_outranks_the_minority_and_two_answers_alone_get_the_prior() {
		let a = alignments(&[Some(1.0); 4], &grouped(&[0, 0, 0, 1], 0.9, 0.2));
		let a: Vec<f32> = a.into_iter().map(Option::unwrap).collect();
		assert!(a[0] > PRIOR && a[0] == a[1] && a[1] == a[2] && a[3] < PRIOR, "{a:?}");
		let three = alignments(&[Some(1.0); 3], &grouped(&[0, 0, 1], 0.9, 0.2));
		assert!(three[0] > three[2], "{three:?}");
		let two = alignments(&[Some(1.0); 2], &grouped(&[0, 1], 0.9, 0.2));
		assert_eq!(two, vec![Some(PRIOR); 2]);
	}

	#[test]
	fn a_voter_no_one_corroborates_hardly_counts() {
		// A right answer, a wrong one and an off-topic text that supports nothing (0.05).
		let mut support = grouped(&[0, 1, 2], 1.0, 0.2);
		for k in 0..3 {
			support[2][k] = 0.05;
			support[k][2] = 0.05;
		}
		let a = alignments(&[Some(1.0); 3], &support);
		let a0 = a[0].unwrap();
		// Each of the others' votes counts as far as the third corroborates it: 0.05 each.
		let want = (PRIOR + 0.05 * 0.2 + 0.05 * 0.05) / (1.0 + 0.05 + 0.05);
		assert!((a0 - want).abs() < 1e-6 && a0 > 0.45, "{a:?}");
	}

	#[test]
	fn a_loop_neither_earns_nor_votes() {
		assert_eq!(answer_likeness(0.0), 0.0);
		assert_eq!(answer_likeness(0.25), 0.5);
		assert_eq!(answer_likeness(0.5), 1.0);
		// A loop that "agrees" with the wrong answer changes nothing for the correct one.
		let support = grouped(&[0, 1, 1], 0.9, 0.1);
		let with = alignments(&[Some(1.0), Some(1.0), Some(0.0)], &support);
		let without = alignments(&[Some(1.0), Some(1.0)], &grouped(&[0, 1], 0.9, 0.1));
		assert_eq!(with[0], without[0]);
		assert_eq!(with[2], Some(0.0));
		// A loop corroborates no voter either.
		let empty = alignments(&[Some(1.0), Some(1.0), None], &support);
		assert_eq!(with[0], empty[0]);
	}

	#[test]
	fn support_must_hold_both_ways() {
		assert_eq!(mutual(0.9, 0.2), 0.2);
		// Outputs 0 and 1 agree, 2 reads as supported by 0 but 0 not by 2: 2 is not corroborated.
		let mut support = grouped(&[0, 0, 1], 0.9, 0.1);
		support[0][2] = 0.9;
		let a = alignments(&[Some(1.0); 3], &support);
		assert_eq!(a[2], alignments(&[Some(1.0); 3], &grouped(&[0, 0, 1], 0.9, 0.1))[2]);
	}

	proptest! {
		#[test]
		fn alignments_stay_in_range_and_rise_with_support(
			likeness in prop::collection::vec(prop::option::of(0f32..=1.0), 1..8),
			seed in prop::collection::vec(0f32..=1.0, 64),
			bump in 0f32..=1.0,
		) {
			let n = likeness.len();
			let support: Vec<Vec<f32>> = (0..n).map(|j| (0..n).map(|i| seed[(j * 8 + i) % 64]).collect()).collect();
			let a = alignments(&likeness, &support);
			for (i, x) in a.iter().enumerate() {
				prop_assert_eq!(x.is_some(), likeness[i].is_some());
				if let (Some(x), Some(g)) = (x, likeness[i]) {
					prop_assert!((0.0..=g + 1e-6).contains(x));
				}
			}
			// More support both ways for output 0 never lowers its alignment.
			let mut more = support.clone();
			for j in 1..n {
				more[j][0] = (more[j][0] + bump).min(1.0);
				more[0][j] = (more[0][j] + bump).min(1.0);
			}
			let b = alignments(&likeness, &more);
			if let (Some(x), Some(y)) = (a[0], b[0]) {
				prop_assert!(y + 1e-6 >= x);
			}
		}
	}
}
