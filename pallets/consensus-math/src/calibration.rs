//! # Calibration math
//!
//! How gold labels judge the consensus and the evaluators, apart from any storage:
//!
//! - [`concordance`]: the pairwise accuracy of one series of scores (a dimension, the composite)
//!   against a gold task's labels, as a count of concordant half-pairs over the labelled pairs;
//! - [`reliability`]: the pairwise accuracy over a rolling window of gold tasks;
//! - [`next_gated`]: the gate of a dimension with hysteresis (off below the threshold, back on
//!   only at the threshold plus a margin);
//! - [`effective_weights`]: a family's weights with gated dimensions removed, pins applied and the
//!   fallback when nothing is left;
//! - [`gold_error`]: how far one evaluator's own reports were from the labels.
//!
//! Pairwise accuracy reads both kinds of label the same way: a quality per output gives every
//! pair of outputs with different labels; a preference gives its one pair. A pair counts two
//! halves when the scores order it as the labels do, one half when the scores tie, none when they
//! disagree; 0.5 is a coin, 1 a perfect ranking.

use crate::{composite, evaluator_side_weights, MILLION};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Saturating, Perbill, Permill};

/// Gold labels of a task's outputs, as the math reads them.
#[derive(Clone, Copy, Debug)]
pub enum LabelsRef<'a> {
	/// A quality per output, in output order.
	Quality(&'a [Permill]),
	/// Preferences `(better, worse)` between outputs, by output index.
	Preferences(&'a [(u32, u32)]),
}

impl LabelsRef<'_> {
	/// Whether the labels fit a task of `outputs` outputs and order at least one pair: one
	/// quality per output with two different values, or preferences between distinct outputs
	/// in range.
	pub fn fits(&self, outputs: usize) -> bool {
		match self {
			LabelsRef::Quality(q) => q.len() == outputs && q.iter().any(|x| *x != q[0]),
			LabelsRef::Preferences(p) =>
				!p.is_empty() &&
					p.iter().all(|(a, b)| a != b && (*a as usize) < outputs && (*b as usize) < outputs),
		}
	}

	/// The ordered pairs `(better, worse)` the labels state.
	fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
		let quality = match self {
			LabelsRef::Quality(q) => *q,
			LabelsRef::Preferences(_) => &[][..],
		};
		let prefs = match self {
			LabelsRef::Preferences(p) => *p,
			LabelsRef::Quality(_) => &[][..],
		};
		let n = quality.len();
		(0..n)
			.flat_map(move |i| (0..n).map(move |j| (i, j)))
			.filter(move |(i, j)| quality[*i] > quality[*j])
			.chain(prefs.iter().map(|(a, b)| (*a as usize, *b as usize)))
	}
}

/// Concordant half-pairs over labelled pairs of one series on one gold task.
#[derive(
	Clone, Copy, Default, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PairCount {
	/// Two per pair the scores order as the labels, one per tie.
	pub halves: u32,
	/// Labelled pairs where both outputs have a score.
	pub pairs: u32,
}

impl PairCount {
	/// The pairwise accuracy, if any pair was counted.
	pub fn accuracy(&self) -> Option<Permill> {
		(self.pairs > 0).then(|| Permill::from_rational(self.halves as u64, 2 * self.pairs as u64))
	}
}

/// The pairwise agreement of `scores` (one per output; `None` where the series has no score)
/// with `labels`.
pub fn concordance(scores: &[Option<Permill>], labels: LabelsRef) -> PairCount {
	let mut c = PairCount::default();
	for (better, worse) in labels.pairs() {
		let (Some(Some(b)), Some(Some(w))) = (scores.get(better), scores.get(worse)) else { continue };
		c.pairs = c.pairs.saturating_add(1);
		c.halves = c.halves.saturating_add(match b.cmp(w) {
			core::cmp::Ordering::Greater => 2,
			core::cmp::Ordering::Equal => 1,
			core::cmp::Ordering::Less => 0,
		});
	}
	c
}

/// The reliability of a series over a window of gold tasks: the pairwise accuracy of all their
/// pairs together, with the number of gold tasks that counted a pair. `None` without any pair.
pub fn reliability<'a>(window: impl IntoIterator<Item = &'a PairCount>) -> (Option<Permill>, u32) {
	let (mut halves, mut pairs, mut tasks) = (0u64, 0u64, 0u32);
	for c in window {
		if c.pairs > 0 {
			halves += c.halves as u64;
			pairs += c.pairs as u64;
			tasks += 1;
		}
	}
	((pairs > 0).then(|| Permill::from_rational(halves, 2 * pairs)), tasks)
}

/// The governed rule of the gate.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct GateRule {
	/// Reliability below which a counting dimension is gated off.
	pub threshold: Permill,
	/// A gated dimension counts again once its reliability reaches `threshold + margin`.
	pub margin: Permill,
	/// Gold tasks with a counted pair the window needs before the gate may move.
	pub min_tasks: u32,
}

/// Whether a dimension is gated after a new reliability: a counting dimension is gated when its
/// reliability falls below the threshold; a gated one counts again at the threshold plus the
/// margin. With fewer than `min_tasks` gold tasks, or no reliability, the gate stays.
pub fn next_gated(gated: bool, reliability: Option<Permill>, tasks: u32, rule: GateRule) -> bool {
	let Some(r) = reliability else { return gated };
	if tasks < rule.min_tasks {
		return gated;
	}
	if gated {
		r < rule.threshold.saturating_add(rule.margin)
	} else {
		r < rule.threshold
	}
}

/// A family's weights as the composite uses them: a dimension pinned on keeps its weight, one
/// pinned off or gated (and not pinned) counts zero. When no weight is left, `fallback`.
pub fn effective_weights(
	weights: &[Permill; 6],
	gated: &[bool; 6],
	pins: &[Option<bool>; 6],
	fallback: &[Permill; 6],
) -> [Permill; 6] {
	let mut w = *weights;
	for d in 0..6 {
		let counts = pins[d].unwrap_or(!gated[d]);
		if !counts {
			w[d] = Permill::zero();
		}
	}
	if w.iter().all(|x| x.is_zero()) {
		*fallback
	} else {
		w
	}
}

/// How far one evaluator's reports (`cells`: structure, semantic, alignment per output,
/// output-major) were from the gold labels. With a quality per output: the mean absolute
/// difference between the evaluator's own evaluator-side quality of each output (the family's
/// `weights`, [`evaluator_side_weights`]) and its label. With preferences: the share of
/// preferences the evaluator's qualities order the other way (a tie counts half). `None` when
/// the cells do not cover the outputs or nothing was compared.
pub fn gold_error(cells: &[Permill], outputs: usize, weights: &[Permill; 6], labels: LabelsRef) -> Option<Permill> {
	if outputs == 0 || cells.len() != 3 * outputs {
		return None;
	}
	let w = evaluator_side_weights(weights);
	let quality: alloc::vec::Vec<Permill> = (0..outputs)
		.map(|i| {
			let s = [None, None, Some(cells[3 * i]), Some(cells[3 * i + 1]), Some(cells[3 * i + 2]), None];
			composite(&w, &s)
		})
		.collect();
	match labels {
		LabelsRef::Quality(q) => {
			if q.len() != outputs {
				return None;
			}
			let sum: u64 = quality
				.iter()
				.zip(q)
				.map(|(a, b)| a.deconstruct().abs_diff(b.deconstruct()) as u64)
				.sum();
			Some(Permill::from_parts((sum / outputs as u64) as u32))
		},
		LabelsRef::Preferences(_) => {
			let scores: alloc::vec::Vec<Option<Permill>> = quality.into_iter().map(Some).collect();
			let c = concordance(&scores, labels);
			(c.pairs > 0).then(|| {
				Permill::from_parts(
					(MILLION - (c.halves as u64 * MILLION / (2 * c.pairs as u64))) as u32,
				)
			})
		},
	}
}

/// A share of one million parts as a fraction: how much of a unit of gold credit one settled
/// task adds when the gold share is `share`.
pub fn credit_per_task(share: Perbill) -> u32 {
	share.deconstruct() / 1_000
}

/// The trust of an evaluator with trust `w` after a gold task on which its error was `e`, the
/// committee's median error `median` and the gold tolerance `tau`: beyond the tolerance it
/// falls as in [`crate::update_trust`]; at or below the median (the better half of the
/// committee) it climbs by `rho` of the gap to `w_max`; in between it stays. Only the better
/// half gains, so that a member who is merely tolerated (a noisy one) cannot buy trust back on a
/// gold task, while honest members who lost trust to a colluding bloc regain it at once.
pub fn gold_trust(w: Perbill, e: Permill, median: Permill, tau: Permill, p: crate::TrustParams) -> Perbill {
	if e > tau || e <= median {
		crate::update_trust(w, e, tau, p)
	} else {
		w.max(p.w_min.min(p.w_max)).min(p.w_max)
	}
}
