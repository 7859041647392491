//! # Quality-consensus math
//!
//! The pure functions behind quality consensus, apart from any storage: how a committee's reports
//! become one score, how far each evaluator was from it, how trust moves, how the dimensions make
//! a composite, and how a pool is split. Integer and fixed point only (`Permill` scores,
//! `Perbill` trust weights, `u128` amounts): the same inputs give the same outputs on every
//! machine, which a runtime needs.
//!
//! The formulas are the starting formulas of the design (`docs/design.md`):
//!
//! - aggregation per output and dimension: [`AggregationRule`] (mean, median, alpha-trimmed mean,
//!   trust-weighted median, trust-weighted mean), see [`aggregate`];
//! - agreement: `1 - min(1, 2 * MAD)` of the reports ([`agreement`]);
//! - deviation `d_e` = mean `|s_e - c|` ([`deviation`]); tolerance
//!   `tau = clamp(m * median_j d_j, tau_min, tau_max)` ([`tolerance`]; the design's starting rule
//!   was `max(tau_min, 3 * median)`, whose lack of a cap let noisy committees tolerate
//!   attackers, see `docs/adversarial-report.md`);
//! - trust ([`update_trust`]): within tolerance `w <- min(w_max, w + rho (w_max - w))`; beyond it
//!   `w <- max(w_min, w (1 - lambda min(1, (d - tau) / tau)))`;
//! - composite `Q = sum_d w_d s_d / sum_{d active} w_d` ([`composite`]);
//! - rewards: [`split_pool`] splits an amount in proportion to weights and returns what it could
//!   not pay, so that `sum(payouts) + remainder == pool` always; [`inference_weights`] and
//!   [`evaluator_weights`] give the weights of the design's reward formulas; [`gated_inference_weights`]
//!   adds the quality floor: an output whose evaluator-side quality ([`evaluator_quality`]) is
//!   below it earns nothing, whatever its priors or declared cost;
//! - the on-chain priors: [`update_rating`] (a model's rating from settled results) and
//!   [`cost_priors`] (quality per declared cost, normalised within a task);
//! - calibration against gold labels: [`calibration`] (pairwise accuracy, rolling reliability,
//!   the gate with hysteresis, effective weights, an evaluator's error against the labels);
//! - the steps of a settlement in order (aggregate, composite, rewards, winner): [`settle`];
//! - committee selection: [`committee`] (seats in proportion to stake x trust however stake
//!   is split, within a budget).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod committee;
pub use committee::{draw_committee, fill_minimum, inclusion_probabilities, Candidate, SEAT};

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Saturating, Perbill, Permill};

pub mod calibration;
pub mod settle;
#[cfg(test)]
mod tests;

/// One in `Permill` parts.
const MILLION: u64 = 1_000_000;

/// How the reports of a committee on one output and dimension become one score.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum AggregationRule {
	/// Arithmetic mean.
	Mean,
	/// Median (mean of the two middle values for an even count, rounded down).
	Median,
	/// Mean after dropping `floor(alpha * n)` reports at each end (at least one report stays).
	TrimmedMean(Permill),
	/// Weighted median with trust as weights (see [`weighted_median`]).
	TrustWeightedMedian,
	/// Trust-weighted arithmetic mean.
	TrustWeightedMean,
}

fn sorted(values: &[Permill]) -> Vec<Permill> {
	let mut v = values.to_vec();
	v.sort();
	v
}

/// Arithmetic mean, rounded down; `None` for no values.
pub fn mean(values: &[Permill]) -> Option<Permill> {
	if values.is_empty() {
		return None;
	}
	let sum: u64 = values.iter().map(|v| v.deconstruct() as u64).sum();
	Some(Permill::from_parts((sum / values.len() as u64) as u32))
}

/// Median; for an even count the mean of the two middle values, rounded down.
pub fn median(values: &[Permill]) -> Option<Permill> {
	let v = sorted(values);
	let n = v.len();
	match n {
		0 => None,
		_ if n % 2 == 1 => Some(v[n / 2]),
		_ => {
			let (a, b) = (v[n / 2 - 1].deconstruct() as u64, v[n / 2].deconstruct() as u64);
			Some(Permill::from_parts(((a + b) / 2) as u32))
		},
	}
}

/// Mean after dropping `floor(alpha * n)` values at each end; at least one value stays.
pub fn trimmed_mean(values: &[Permill], alpha: Permill) -> Option<Permill> {
	let v = sorted(values);
	let n = v.len();
	if n == 0 {
		return None;
	}
	let k = (alpha.mul_floor(n as u64) as usize).min((n - 1) / 2);
	mean(&v[k..n - k])
}

/// Weighted median: the smallest value at which the cumulative weight reaches half of the total
/// weight; when it reaches exactly half, the mean of that value and the next (rounded down), so
/// that equal weights give the ordinary median. With zero total weight, the plain median.
pub fn weighted_median(values: &[(Permill, Perbill)]) -> Option<Permill> {
	if values.is_empty() {
		return None;
	}
	let total: u64 = values.iter().map(|(_, w)| w.deconstruct() as u64).sum();
	if total == 0 {
		return median(&values.iter().map(|(v, _)| *v).collect::<Vec<_>>());
	}
	let mut v = values.to_vec();
	v.sort_by_key(|(s, _)| *s);
	let mut acc = 0u64;
	for (i, (s, w)) in v.iter().enumerate() {
		acc += w.deconstruct() as u64;
		// acc >= total / 2, without rounding: 2 acc >= total.
		if 2 * acc >= total {
			if 2 * acc == total {
				if let Some((next, _)) = v[i + 1..].iter().find(|(_, w)| !w.is_zero()) {
					let mid = (s.deconstruct() as u64 + next.deconstruct() as u64) / 2;
					return Some(Permill::from_parts(mid as u32));
				}
			}
			return Some(*s);
		}
	}
	v.last().map(|(s, _)| *s)
}

/// Weighted mean, rounded down. With zero total weight, the plain mean.
pub fn weighted_mean(values: &[(Permill, Perbill)]) -> Option<Permill> {
	if values.is_empty() {
		return None;
	}
	let total: u128 = values.iter().map(|(_, w)| w.deconstruct() as u128).sum();
	if total == 0 {
		return mean(&values.iter().map(|(v, _)| *v).collect::<Vec<_>>());
	}
	let sum: u128 =
		values.iter().map(|(s, w)| s.deconstruct() as u128 * w.deconstruct() as u128).sum();
	Some(Permill::from_parts((sum / total) as u32))
}

/// The committee's score of one output and dimension under `rule`. `reports` pairs each
/// evaluator's score with its trust. `None` for no reports.
pub fn aggregate(rule: AggregationRule, reports: &[(Permill, Perbill)]) -> Option<Permill> {
	let scores = || reports.iter().map(|(s, _)| *s).collect::<Vec<_>>();
	match rule {
		AggregationRule::Mean => mean(&scores()),
		AggregationRule::Median => median(&scores()),
		AggregationRule::TrimmedMean(alpha) => trimmed_mean(&scores(), alpha),
		AggregationRule::TrustWeightedMedian => weighted_median(reports),
		AggregationRule::TrustWeightedMean => weighted_mean(reports),
	}
}

fn abs_diff(a: Permill, b: Permill) -> u32 {
	a.deconstruct().abs_diff(b.deconstruct())
}

/// Agreement of a committee on one score: `1 - min(1, 2 * MAD)`, with MAD the median absolute
/// deviation from the median. Scores live in `[0, 1]`, so a MAD of one half is the most
/// dispersion possible. One report (or none) agrees fully.
pub fn agreement(scores: &[Permill]) -> Permill {
	let Some(m) = median(scores) else { return Permill::one() };
	let dev: Vec<Permill> = scores.iter().map(|s| Permill::from_parts(abs_diff(*s, m))).collect();
	let mad = median(&dev).unwrap_or_default().deconstruct() as u64;
	Permill::from_parts((MILLION.saturating_sub(2 * mad)) as u32)
}

/// An evaluator's deviation: the mean absolute difference between its reports and the consensus,
/// over the cells it reported. `reports` and `consensus` are aligned; `None` for no cells.
pub fn deviation(reports: &[Permill], consensus: &[Permill]) -> Option<Permill> {
	let n = reports.len().min(consensus.len());
	if n == 0 {
		return None;
	}
	let sum: u64 = reports.iter().zip(consensus).map(|(r, c)| abs_diff(*r, *c) as u64).sum();
	Some(Permill::from_parts((sum / n as u64) as u32))
}

/// How the tolerance of a task follows from its evaluators' deviations.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ToleranceParams {
	/// Multiple of the median deviation, in percent (300 is three times the median).
	pub multiplier_pct: u32,
	/// Lowest tolerance (`tau_min`): honest evaluators who agree closely are not punished for
	/// float drift.
	pub min: Permill,
	/// Highest tolerance (`tau_max`): however noisy the committee, a deviation above it is always
	/// beyond tolerance, so that attackers cannot widen the tolerance until it covers them.
	pub max: Permill,
}

/// The tolerance of a task: `clamp(multiplier * median of the deviations, min, max)` (`min` wins
/// when `min > max`).
pub fn tolerance(deviations: &[Permill], p: ToleranceParams) -> Permill {
	let m = median(deviations).unwrap_or_default().deconstruct() as u64;
	let scaled = (m * p.multiplier_pct as u64 / 100).min(MILLION);
	Permill::from_parts(scaled as u32).min(p.max).max(p.min)
}

/// The governed rates of a trust update. Its bounds are not governed with them: they are the
/// evaluators pallet's trust bounds, the one source of truth ([`TrustRates::within`]).
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TrustRates {
	/// Share of the gap to the highest trust that an evaluator within tolerance gains (`rho`).
	pub rho: Perbill,
	/// Largest share of its trust that an evaluator beyond tolerance loses (`lambda`).
	pub lambda: Perbill,
}

impl TrustRates {
	/// The full parameters of an update with these rates within `[w_min, w_max]`.
	pub fn within(self, w_min: Perbill, w_max: Perbill) -> TrustParams {
		TrustParams { rho: self.rho, lambda: self.lambda, w_min, w_max }
	}
}

/// Parameters of the trust update.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TrustParams {
	/// Share of the gap to `w_max` that an evaluator within tolerance gains (`rho`).
	pub rho: Perbill,
	/// Largest share of its trust that an evaluator beyond tolerance loses (`lambda`).
	pub lambda: Perbill,
	/// Lowest trust.
	pub w_min: Perbill,
	/// Highest trust.
	pub w_max: Perbill,
}

/// The trust of an evaluator with trust `w` whose deviation was `d` under tolerance `tau`.
///
/// Within tolerance (`d <= tau`) trust moves a share `rho` of the way to `w_max`; beyond it,
/// trust loses a share `lambda * min(1, (d - tau) / tau)` of itself (all of `lambda` when
/// `tau` is zero). The result is clamped to `[w_min, w_max]`.
pub fn update_trust(w: Perbill, d: Permill, tau: Permill, p: TrustParams) -> Perbill {
	let (w_min, w_max) = (p.w_min.min(p.w_max), p.w_max);
	let w = w.max(w_min).min(w_max);
	let next = if d <= tau {
		let gap = w_max.saturating_sub(w);
		w.saturating_add(p.rho * gap)
	} else {
		let excess = if tau.is_zero() {
			Perbill::one()
		} else {
			// min(1, (d - tau) / tau)
			let over = (d.deconstruct() - tau.deconstruct()) as u64;
			Perbill::from_rational(over.min(tau.deconstruct() as u64), tau.deconstruct() as u64)
		};
		let cut = p.lambda * excess;
		w.saturating_sub(cut * w)
	};
	next.max(w_min).min(w_max)
}

/// The composite quality of an output: `sum_d w_d s_d / sum_{d active} w_d`, over the dimensions
/// with a non-zero weight and a score (`None` scores are inactive). Zero when nothing is active.
pub fn composite(weights: &[Permill], scores: &[Option<Permill>]) -> Permill {
	let mut num = 0u128;
	let mut den = 0u128;
	for (w, s) in weights.iter().zip(scores) {
		if let (false, Some(s)) = (w.is_zero(), s) {
			num += w.deconstruct() as u128 * s.deconstruct() as u128;
			den += w.deconstruct() as u128;
		}
	}
	if den == 0 {
		return Permill::zero();
	}
	Permill::from_parts((num / den).min(MILLION as u128) as u32)
}

/// Splits `pool` in proportion to `weights`, each share rounded down. Returns the shares and
/// the remainder: `sum(shares) + remainder == pool` exactly. With no positive weight everything is
/// remainder.
pub fn split_pool(pool: u128, weights: &[u128]) -> (Vec<u128>, u128) {
	let total: u128 = weights.iter().fold(0u128, |a, w| a.saturating_add(*w));
	if total == 0 {
		return (weights.iter().map(|_| 0).collect(), pool);
	}
	let shares: Vec<u128> = weights.iter().map(|w| mul_div_floor(pool, *w, total)).collect();
	let paid: u128 = shares.iter().sum();
	(shares, pool - paid)
}

/// `floor(a * b / c)` without overflow for `b <= c` (the case of a share of a pool).
fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
	debug_assert!(c > 0 && b <= c);
	// a * b / c = (a / c) * b + (a % c) * b / c, where (a % c) * b < c * c may still overflow
	// u128 for huge c; fall back to a rational multiply through `Perbill` precision then.
	let (q, r) = (a / c, a % c);
	match r.checked_mul(b) {
		Some(rb) => q * b + rb / c,
		None => q * b + Perbill::from_rational(b, c).mul_floor(r),
	}
}

/// Positions of the six dimensions in a score or weight array (the order of
/// `poq_primitives::Dimension::ALL`): model prior, cost prior, structure, semantic, alignment,
/// agreement.
pub const EVALUATOR_SIDE: [usize; 3] = [2, 3, 4];

/// The weights that measure the output itself: the family's weights of structure, semantic and
/// alignment, the others (the two priors and agreement) zero. When all three are zero, equal
/// weights, so that an output's own quality is always defined.
pub fn evaluator_side_weights(weights: &[Permill; 6]) -> [Permill; 6] {
	let mut w = [Permill::zero(); 6];
	for d in EVALUATOR_SIDE {
		w[d] = weights[d];
	}
	if w.iter().all(|x| x.is_zero()) {
		for d in EVALUATOR_SIDE {
			w[d] = Permill::one();
		}
	}
	w
}

/// The evaluator-side quality of an output: [`composite`] over structure, semantic and alignment
/// with [`evaluator_side_weights`]. The priors (what the model did before, what it costs) and
/// agreement (how much the committee agreed) say nothing about this output, so the quality
/// floor is tested on this and not on the full composite.
pub fn evaluator_quality(weights: &[Permill; 6], scores: &[Option<Permill>; 6]) -> Permill {
	composite(&evaluator_side_weights(weights), scores)
}

/// Quality above the floor, rescaled so that the floor is zero and one stays one:
/// `(q - floor) / (1 - floor)`; zero below the floor (with a floor of one, one for a perfect
/// output and zero otherwise).
pub fn above_floor(q: Permill, floor: Permill) -> Permill {
	let (q, f) = (q.deconstruct() as u64, floor.deconstruct() as u64);
	if q < f {
		return Permill::zero();
	}
	if f == MILLION {
		return Permill::one();
	}
	Permill::from_parts(((q - f) * MILLION / (MILLION - f)) as u32)
}

/// The inference providers' reward weights, which pay for quality: an output whose
/// evaluator-side quality `quality[i]` ([`evaluator_quality`]) is below `floor` gets zero,
/// whatever its priors or cost; the others get the paper's `max(0, alpha Q'_i - beta c_i)` with
/// `Q'_i` = [`above_floor`] of their quality (the floor is the zero of paid quality) and `c_i`
/// the declared cost normalised by the task's largest.
///
/// Two consequences the property tests check: nothing below the floor is paid, and an output
/// whose quality exceeds another's by at least `(1 - floor) x beta / alpha` never earns less,
/// whatever the two declared (so a clearly worse answer cannot out-earn a better one by
/// declaring a lower cost). The priors are left out on purpose: the cost prior would count the
/// declared cost a second time, and a model's reputation is not this output's quality.
pub fn gated_inference_weights(
	quality: &[Permill],
	floor: Permill,
	costs: &[u128],
	alpha: Permill,
	beta: Permill,
) -> Vec<u128> {
	let paid: Vec<Permill> = quality.iter().map(|q| above_floor(*q, floor)).collect();
	inference_weights(&paid, costs, alpha, beta)
		.into_iter()
		.zip(quality)
		.map(|(w, q)| if *q < floor { 0 } else { w })
		.collect()
}

/// Weights of the inference providers' rewards: `max(0, alpha Q_i - beta c_i)`, with `c_i` the
/// declared cost normalised by the largest declared cost of the task (so in `[0, 1]`). Weights
/// are in parts per million squared (`alpha`, `beta` and the scores are `Permill`).
pub fn inference_weights(
	quality: &[Permill],
	costs: &[u128],
	alpha: Permill,
	beta: Permill,
) -> Vec<u128> {
	let max_cost = costs.iter().copied().max().unwrap_or(0);
	quality
		.iter()
		.zip(costs)
		.map(|(q, c)| {
			let c_norm = if max_cost == 0 { 0 } else { mul_div_floor(MILLION as u128, *c, max_cost) };
			let gain = alpha.deconstruct() as u128 * q.deconstruct() as u128;
			let cost = beta.deconstruct() as u128 * c_norm;
			gain.saturating_sub(cost)
		})
		.collect()
}

/// The rating of a model after a settled task in which its output had quality `observed`:
/// `rating + step * (observed - rating)` with `step = max(1 / (count + 1), step_min)`, where
/// `count` is the number of results the rating already holds. The first results average exactly;
/// later ones move the rating by at least `step_min`, so that a model that changes is followed.
/// The result always lies between `rating` and `observed`.
pub fn update_rating(rating: Permill, observed: Permill, count: u32, step_min: Permill) -> Permill {
	let step = Permill::from_rational(1u64, count as u64 + 1).max(step_min);
	let (r, o) = (rating.deconstruct(), observed.deconstruct());
	if o >= r {
		Permill::from_parts(r + step.mul_floor(o - r))
	} else {
		Permill::from_parts(r - step.mul_floor(r - o))
	}
}

/// Cost-efficiency priors of a task's outputs: each output's quality per declared cost
/// (`rating / max(cost, 1)`, cost in the smallest balance unit) divided by the best such ratio in
/// the task, so the most efficient model gets one and the others their fraction of it. All zero
/// when every rating is zero.
pub fn cost_priors(ratings: &[Permill], costs: &[u128]) -> Vec<Permill> {
	// rating (<= 1e6) * 1e18 fits in u128; dividing by the cost keeps the ratio's precision for
	// costs up to 1e18 units.
	const SCALE: u128 = 1_000_000_000_000_000_000;
	let eff: Vec<u128> = ratings
		.iter()
		.zip(costs)
		.map(|(r, c)| r.deconstruct() as u128 * SCALE / (*c).max(1))
		.collect();
	let best = eff.iter().copied().max().unwrap_or(0);
	eff.iter()
		.map(|e| if best == 0 { Permill::zero() } else { Permill::from_rational(*e, best) })
		.collect()
}

/// Weights of the evaluators' rewards: `w_e * max(0, 1 - d_e / d_max)`, in parts per billion
/// times parts per million. `d_max` of zero pays only exact reports.
pub fn evaluator_weights(entries: &[(Perbill, Permill)], d_max: Permill) -> Vec<u128> {
	entries
		.iter()
		.map(|(w, d)| {
			let accuracy = if d_max.is_zero() {
				if d.is_zero() { MILLION as u128 } else { 0 }
			} else {
				let ratio = mul_div_floor(MILLION as u128, d.deconstruct().min(d_max.deconstruct()) as u128, d_max.deconstruct() as u128);
				MILLION as u128 - ratio
			};
			w.deconstruct() as u128 * accuracy
		})
		.collect()
}
