//! Committee selection: seats in proportion to selection weight (stake x trust), however the
//! stake is split across accounts, within a budget of declared prices.
//!
//! Drawing members one after another without replacement favours small weights: the same stake
//! split over many accounts gets more seats than in one. Here every candidate is included with
//! a probability *exactly* proportional to its weight, `pi_i = k w_i / W`, capped at one seat
//! per account (the cap is shared out again among the others, [`inclusion_probabilities`]), by
//! systematic sampling over a random order of the candidates ([`draw_committee`]). Splitting a
//! weight `w` into `a + b` then gives `pi_a + pi_b = pi_w` expected seats: the same as before
//! the split, unless `w` alone was capped at one seat, where splitting restores, and never
//! exceeds, its proportional share.

use alloc::vec::Vec;
use sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding;
use sp_arithmetic::Rounding;

/// One seat in [`inclusion_probabilities`]: probability one.
pub const SEAT: u128 = 1 << 60;

/// One candidate of a committee draw.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Candidate {
	/// Selection weight (bond times trust); zero is never drawn.
	pub weight: u128,
	/// Declared price per evaluation, charged against the budget.
	pub price: u128,
}

/// The probability of each candidate to be drawn into a committee of `k`, in units of
/// [`SEAT`]: `min(k, n) x w_i / W` for the `n` candidates of non-zero weight, capped at one
/// seat (the capped seats are taken out and the rest shared again in proportion). They sum to
/// `min(k, n)` seats exactly.
pub fn inclusion_probabilities(weights: &[u128], k: usize) -> Vec<u128> {
	// Scale the weights so that sums and products stay within u128.
	let max = weights.iter().copied().max().unwrap_or(0);
	let shift = (128 - max.leading_zeros()).saturating_sub(96);
	let w: Vec<u128> = weights.iter().map(|x| if *x == 0 { 0 } else { (x >> shift).max(1) }).collect();
	let n = w.iter().filter(|x| **x > 0).count();
	let slots = k.min(n) as u128;
	let mut pi = alloc::vec![0u128; w.len()];
	if slots == 0 {
		return pi;
	}
	let mut capped = alloc::vec![false; w.len()];
	loop {
		let free = slots - capped.iter().filter(|c| **c).count() as u128;
		let total: u128 = w.iter().zip(&capped).filter(|(_, c)| !**c).map(|(x, _)| *x).sum();
		let mut changed = false;
		for (i, x) in w.iter().enumerate() {
			if !capped[i] && *x > 0 && x.saturating_mul(free) >= total {
				capped[i] = true;
				changed = true;
			}
		}
		if !changed || free == 0 {
			break;
		}
	}
	let free = slots - capped.iter().filter(|c| **c).count() as u128;
	let total: u128 = w.iter().zip(&capped).filter(|(_, c)| !**c).map(|(x, _)| *x).sum();
	for i in 0..w.len() {
		pi[i] = if capped[i] {
			SEAT
		} else if w[i] == 0 || total == 0 {
			0
		} else {
			multiply_by_rational_with_rounding(w[i], free * SEAT, total, Rounding::Down).unwrap_or(0)
		};
	}
	// Rounding leaves less than one unit per candidate: the largest uncapped one takes it, so
	// that the seats add up exactly.
	let sum: u128 = pi.iter().sum();
	if let Some(i) = (0..w.len()).filter(|i| !capped[*i] && w[*i] > 0).max_by_key(|i| w[*i]) {
		pi[i] += slots * SEAT - sum;
	}
	pi
}

/// Draws a committee of at most `k` candidates. First, systematic sampling over a random order
/// of the candidates with [`inclusion_probabilities`] picks `min(k, n)` of them, each with its
/// exact probability; they take their seats in that order while their price fits in what is
/// left of `budget`. Seats still empty (prices that did not fit) are then filled one by one
/// with probability proportional to `weight` among the candidates not drawn yet whose price
/// fits (cost-aware sampling: cheaper candidates leave room for more members), until `k`
/// members or no candidate is eligible. `rand(n)` must return a value in `[0, n)`; the runtime
/// derives it from its randomness source. Returns the indices drawn, in seat order.
pub fn draw_committee(
	candidates: &[Candidate],
	k: usize,
	budget: u128,
	mut rand: impl FnMut(u128) -> u128,
) -> Vec<usize> {
	let weights: Vec<u128> = candidates.iter().map(|c| c.weight).collect();
	let pi = inclusion_probabilities(&weights, k);
	// A random order (Fisher-Yates) of the candidates of non-zero weight.
	let mut order: Vec<usize> = (0..candidates.len()).filter(|i| pi[*i] > 0).collect();
	for i in (1..order.len()).rev() {
		let j = rand(i as u128 + 1).min(i as u128) as usize;
		order.swap(i, j);
	}
	// Systematic sampling: one random start, then one pick per seat.
	let mut chosen: Vec<usize> = Vec::new();
	let mut left = budget;
	if !order.is_empty() {
		let start = rand(SEAT).min(SEAT - 1);
		let mut next = start;
		let mut cum = 0u128;
		for i in &order {
			cum += pi[*i];
			if cum > next {
				next += SEAT;
				if candidates[*i].price <= left {
					left -= candidates[*i].price;
					chosen.push(*i);
				}
			}
		}
	}
	fill_within_budget(candidates, k, left, chosen, rand)
}

/// Fills the seats up to `min` whatever the prices (the governed committee minimum, which no
/// budget shrinks): one at a time, each with probability proportional to weight among the
/// candidates not chosen yet.
pub fn fill_minimum(
	candidates: &[Candidate],
	min: usize,
	chosen: Vec<usize>,
	rand: impl FnMut(u128) -> u128,
) -> Vec<usize> {
	fill_within_budget(candidates, min, u128::MAX, chosen, rand)
}

/// Fills the seats left (up to `k`) one at a time, each with probability proportional to
/// weight among the candidates not chosen whose price fits in what is left of the budget.
fn fill_within_budget(
	candidates: &[Candidate],
	k: usize,
	mut left: u128,
	mut chosen: Vec<usize>,
	mut rand: impl FnMut(u128) -> u128,
) -> Vec<usize> {
	while chosen.len() < k {
		let eligible = |i: usize, c: &Candidate| c.weight > 0 && c.price <= left && !chosen.contains(&i);
		let total = candidates
			.iter()
			.enumerate()
			.filter(|(i, c)| eligible(*i, c))
			.fold(0u128, |a, (_, c)| a.saturating_add(c.weight));
		if total == 0 {
			break;
		}
		let mut r = rand(total).min(total - 1);
		let mut pick = None;
		for (i, c) in candidates.iter().enumerate() {
			if !eligible(i, c) {
				continue;
			}
			if r < c.weight {
				pick = Some(i);
				break;
			}
			r -= c.weight;
		}
		// With saturated totals the scan may run out; the last eligible candidate takes the rest.
		let i = match pick {
			Some(i) => i,
			None => match candidates.iter().enumerate().rev().find(|(i, c)| eligible(*i, c)) {
				Some((i, _)) => i,
				None => break,
			},
		};
		left -= candidates[i].price;
		chosen.push(i);
	}
	chosen
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn lcg(seed: u64) -> impl FnMut(u128) -> u128 {
		let mut x = seed;
		move |t| {
			x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			((x >> 11) as u128 * 0x9E37_79B9_7F4A_7C15 + (x as u128)) % t
		}
	}

	#[test]
	fn probabilities_are_proportional_capped_and_sum_to_the_seats() {
		let pi = inclusion_probabilities(&[1, 1, 2, 0], 2);
		assert_eq!(pi, vec![SEAT / 2, SEAT / 2, SEAT, 0]);
		// A weight of more than W/k takes one seat; the others share the rest.
		let pi = inclusion_probabilities(&[10, 1, 1], 2);
		assert_eq!(pi, vec![SEAT, SEAT / 2, SEAT / 2]);
		// Fewer candidates than seats: everyone is drawn.
		assert_eq!(inclusion_probabilities(&[3, 9], 5), vec![SEAT, SEAT]);
		assert_eq!(inclusion_probabilities(&[], 5), Vec::<u128>::new());
	}

	#[test]
	fn the_draw_fills_every_seat_and_respects_weight_budget_and_k() {
		let c = |weight, price| Candidate { weight, price };
		let cands = [c(0, 0), c(5, 0), c(5, 0), c(5, 0)];
		let drawn = draw_committee(&cands, 2, 0, lcg(1));
		assert_eq!(drawn.len(), 2);
		assert!(!drawn.contains(&0));
		// A budget of 10 fits two members at price 5, or ten at price 1.
		let dear = [c(1, 5), c(1, 5), c(1, 5), c(1, 5)];
		assert_eq!(draw_committee(&dear, 4, 10, lcg(2)).len(), 2);
		let cheap = [c(1, 1); 12];
		assert_eq!(draw_committee(&cheap, 16, 10, lcg(3)).len(), 10);
	}

	#[test]
	fn seats_follow_the_probabilities_in_frequency() {
		// Weights 1, 2, 3, 6 for 2 seats: probabilities 1/6, 1/3, 1/2, 1.
		let cands: Vec<Candidate> = [1u128, 2, 3, 6].iter().map(|w| Candidate { weight: *w, price: 0 }).collect();
		let mut rand = lcg(7);
		let runs = 20_000;
		let mut seats = [0u32; 4];
		for _ in 0..runs {
			let drawn = draw_committee(&cands, 2, 0, &mut rand);
			assert_eq!(drawn.len(), 2);
			drawn.iter().for_each(|i| seats[*i] += 1);
		}
		let expected = [1.0 / 6.0, 1.0 / 3.0, 0.5, 1.0];
		for (s, e) in seats.iter().zip(expected) {
			let f = *s as f64 / runs as f64;
			assert!((f - e).abs() < 0.015, "frequency {f} for probability {e}");
		}
	}

	#[test]
	fn splitting_stake_buys_no_seats_in_frequency() {
		// One account of weight 4 against four of weight 1, 2 seats; then the 4 split in four.
		let whole: Vec<Candidate> = [4u128, 1, 1, 1, 1].iter().map(|w| Candidate { weight: *w, price: 0 }).collect();
		let split: Vec<Candidate> = [1u128, 1, 1, 1, 1, 1, 1, 1].iter().map(|w| Candidate { weight: *w, price: 0 }).collect();
		let mut rand = lcg(11);
		let runs = 20_000;
		let (mut a, mut b) = (0u32, 0u32);
		for _ in 0..runs {
			a += draw_committee(&whole, 2, 0, &mut rand).iter().filter(|i| **i == 0).count() as u32;
			b += draw_committee(&split, 2, 0, &mut rand).iter().filter(|i| **i < 4).count() as u32;
		}
		// Expected seats of that stake: 2 x 4/8 = 1 either way.
		let (fa, fb) = (a as f64 / runs as f64, b as f64 / runs as f64);
		assert!((fa - 1.0).abs() < 0.02 && (fb - 1.0).abs() < 0.02, "whole {fa}, split {fb}");
	}

	proptest! {
		#[test]
		fn probabilities_add_up_and_splits_keep_their_share(
			ws in prop::collection::vec(1u128..1_000_000_000_000_000_000_000, 1..30),
			k in 1usize..17,
			cut in 1u128..1_000,
		) {
			let pi = inclusion_probabilities(&ws, k);
			let slots = k.min(ws.len()) as u128;
			prop_assert_eq!(pi.iter().sum::<u128>(), slots * SEAT);
			prop_assert!(pi.iter().all(|p| *p <= SEAT));
			// Split the first weight in two: when nothing is capped, the two parts together
			// keep its probability, up to rounding.
			if ws[0] > 1 {
				let a = (ws[0] * cut / 1_000).clamp(1, ws[0] - 1);
				let mut split = ws.clone();
				split[0] = a;
				split.push(ws[0] - a);
				let ps = inclusion_probabilities(&split, k);
				if ps.iter().all(|p| *p < SEAT) && pi.iter().all(|p| *p < SEAT) {
					let parts = ps[0] + ps[ps.len() - 1];
					prop_assert!(parts.abs_diff(pi[0]) <= 1 << 20, "split {} vs whole {}", parts, pi[0]);
				}
			}
		}

		#[test]
		fn committee_draw_invariants(
			cands in prop::collection::vec((0u128..1_000_000, 0u128..100), 0..40),
			k in 0usize..20,
			budget in 0u128..1_000,
			seed in any::<u64>(),
		) {
			let cs: Vec<Candidate> = cands.iter().map(|(w, p)| Candidate { weight: *w, price: *p }).collect();
			let drawn = draw_committee(&cs, k, budget, lcg(seed));
			prop_assert!(drawn.len() <= k);
			let mut sorted = drawn.clone();
			sorted.sort();
			sorted.dedup();
			prop_assert_eq!(sorted.len(), drawn.len());
			prop_assert!(drawn.iter().all(|i| cs[*i].weight > 0));
			let spent: u128 = drawn.iter().map(|i| cs[*i].price).sum();
			prop_assert!(spent <= budget);
			// Stops early only when nobody else is eligible.
			if drawn.len() < k {
				let left = budget - spent;
				prop_assert!(cs.iter().enumerate().all(|(i, c)| drawn.contains(&i) || c.weight == 0 || c.price > left));
			}
		}
	}
}
