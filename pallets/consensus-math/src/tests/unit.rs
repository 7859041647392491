//! Unit and property tests of the consensus math.

use crate::*;
use proptest::prelude::*;

fn pm(x: u32) -> Permill {
	Permill::from_parts(x)
}
fn pb(x: u32) -> Perbill {
	Perbill::from_parts(x)
}

const RULES: [AggregationRule; 5] = [
	AggregationRule::Mean,
	AggregationRule::Median,
	AggregationRule::TrimmedMean(Permill::from_percent(20)),
	AggregationRule::TrustWeightedMedian,
	AggregationRule::TrustWeightedMean,
];

#[test]
fn known_values() {
	let v = [pm(100), pm(900), pm(200), pm(300)];
	assert_eq!(mean(&v), Some(pm(375)));
	assert_eq!(median(&v), Some(pm(250)));
	assert_eq!(median(&v[..3]), Some(pm(200)));
	assert_eq!(trimmed_mean(&[pm(0), pm(10), pm(20), pm(30), pm(1_000_000)], Permill::from_percent(20)), Some(pm(20)));
	// A trust-weighted median follows the trusted majority, not the outlier count.
	let r = [(pm(800_000), pb(900_000_000)), (pm(100_000), pb(50_000_000)), (pm(100_000), pb(50_000_000))];
	assert_eq!(weighted_median(&r), Some(pm(800_000)));
	assert_eq!(weighted_mean(&[(pm(0), pb(1)), (pm(1_000_000), pb(3))]), Some(pm(750_000)));
	// Equal weights give the ordinary median, also for an even count.
	assert_eq!(weighted_median(&v.map(|x| (x, pb(7)))), median(&v));
	// Exactly half the weight below: the mean of the two values around the split.
	assert_eq!(weighted_median(&[(pm(100), pb(2)), (pm(300), pb(1)), (pm(900), pb(1))]), Some(pm(200)));
	assert_eq!(mean(&[]), None);
	assert_eq!(aggregate(AggregationRule::Median, &[]), None);
	// Zero total trust falls back to the unweighted rule.
	assert_eq!(weighted_median(&[(pm(1), pb(0)), (pm(3), pb(0)), (pm(5), pb(0))]), Some(pm(3)));
}

#[test]
fn agreement_of_known_committees() {
	assert_eq!(agreement(&[]), Permill::one());
	assert_eq!(agreement(&[pm(400_000); 5]), Permill::one());
	// median 0.5, |dev| = 0.5 for every report: as dispersed as it gets.
	assert_eq!(agreement(&[pm(0), pm(1_000_000), pm(0), pm(1_000_000)]), Permill::zero());
	assert_eq!(agreement(&[pm(400_000), pm(500_000), pm(600_000)]), pm(800_000));
}

#[test]
fn tolerance_and_deviation() {
	assert_eq!(deviation(&[pm(100), pm(300)], &[pm(200), pm(200)]), Some(pm(100)));
	assert_eq!(deviation(&[], &[]), None);
	let p = ToleranceParams { multiplier_pct: 300, min: pm(5), max: Permill::one() };
	assert_eq!(tolerance(&[pm(10), pm(20), pm(30)], p), pm(60));
	assert_eq!(tolerance(&[pm(0), pm(0)], p), pm(5));
	assert_eq!(tolerance(&[pm(900_000)], p), Permill::one());
	// The cap holds however noisy the committee; the floor wins over a smaller cap.
	let capped = ToleranceParams { multiplier_pct: 200, min: pm(20_000), max: pm(150_000) };
	assert_eq!(tolerance(&[pm(120_000), pm(130_000), pm(300_000)], capped), pm(150_000));
	assert_eq!(tolerance(&[pm(30_000)], capped), pm(60_000));
	assert_eq!(tolerance(&[pm(1)], ToleranceParams { max: pm(10), ..capped }), pm(20_000));
}

#[test]
fn trust_moves_as_designed() {
	let p = TrustParams {
		rho: Perbill::from_percent(10),
		lambda: Perbill::from_percent(50),
		w_min: Perbill::from_percent(1),
		w_max: Perbill::from_percent(100),
	};
	let w = Perbill::from_percent(50);
	// Within tolerance: 50% + 10% of the 50% gap.
	assert_eq!(update_trust(w, pm(10), pm(20), p), Perbill::from_percent(55));
	// Twice the tolerance: loses lambda * 1 = half of itself.
	assert_eq!(update_trust(w, pm(40), pm(20), p), Perbill::from_percent(25));
	// 1.5 x tolerance: loses lambda * 0.5 = a quarter.
	assert_eq!(update_trust(w, pm(30), pm(20), p), Perbill::from_parts(375_000_000));
	// Never below w_min.
	assert_eq!(update_trust(Perbill::from_percent(1), pm(1_000), pm(1), p), Perbill::from_percent(1));
}

#[test]
fn composite_renormalises_over_active_dimensions() {
	let w = [Permill::from_percent(15), Permill::from_percent(10), Permill::from_percent(20),
		Permill::from_percent(25), Permill::from_percent(15), Permill::from_percent(15)];
	let all = [Some(pm(1_000_000)); 6];
	assert_eq!(composite(&w, &all), Permill::one());
	// Alignment and agreement switched off (the calibrated profile): only 4 dimensions count.
	let mut cal = w;
	cal[4] = Permill::zero();
	cal[5] = Permill::zero();
	let s = [Some(pm(500_000)), Some(pm(500_000)), Some(pm(500_000)), Some(pm(500_000)), Some(pm(0)), Some(pm(0))];
	assert_eq!(composite(&cal, &s), pm(500_000));
	assert_eq!(composite(&w, &[None; 6]), Permill::zero());
}

#[test]
fn rewards_follow_the_formulas() {
	let (shares, rest) = split_pool(100, &[1, 1, 2]);
	assert_eq!((shares, rest), (vec![25, 25, 50], 0));
	let (shares, rest) = split_pool(10, &[1, 1, 1]);
	assert_eq!((shares, rest), (vec![3, 3, 3], 1));
	assert_eq!(split_pool(7, &[0, 0]), (vec![0, 0], 7));
	// Equal quality: the cheaper provider earns more; a provider whose cost outweighs its
	// quality earns nothing.
	let w = inference_weights(&[pm(800_000), pm(800_000), pm(100_000)], &[10, 20, 20], Permill::one(), Permill::from_percent(50));
	assert!(w[0] > w[1]);
	assert_eq!(w[2], 0);
	// Evaluators: trust x accuracy; beyond d_max nothing.
	let e = evaluator_weights(&[(Perbill::one(), pm(0)), (Perbill::one(), pm(50_000)), (Perbill::one(), pm(200_000))], pm(100_000));
	assert_eq!(e[0], 2 * e[1]);
	assert_eq!(e[2], 0);
}

fn reports() -> impl Strategy<Value = Vec<(Permill, Perbill)>> {
	prop::collection::vec((0u32..=1_000_000, 0u32..=1_000_000_000), 1..20)
		.prop_map(|v| v.into_iter().map(|(s, w)| (pm(s), pb(w))).collect())
}

proptest! {
	#[test]
	fn aggregation_is_order_invariant_and_bounded(r in reports(), seed in any::<u64>()) {
		let mut shuffled = r.clone();
		// A deterministic shuffle from the seed.
		let n = shuffled.len();
		let mut x = seed | 1;
		for i in (1..n).rev() {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			shuffled.swap(i, (x % (i as u64 + 1)) as usize);
		}
		let lo = r.iter().map(|(s, _)| *s).min().unwrap();
		let hi = r.iter().map(|(s, _)| *s).max().unwrap();
		for rule in RULES {
			let a = aggregate(rule, &r).unwrap();
			prop_assert_eq!(Some(a), aggregate(rule, &shuffled));
			prop_assert!(lo <= a && a <= hi, "{:?}: {:?} outside [{:?}, {:?}]", rule, a, lo, hi);
		}
	}

	#[test]
	fn aggregation_is_monotone(r in reports(), i in any::<prop::sample::Index>(), up in 0u32..1_000_000) {
		let i = i.index(r.len());
		let mut raised = r.clone();
		raised[i].0 = pm(raised[i].0.deconstruct().saturating_add(up).min(1_000_000));
		for rule in RULES {
			prop_assert!(aggregate(rule, &raised).unwrap() >= aggregate(rule, &r).unwrap(), "{:?}", rule);
		}
	}

	#[test]
	fn pool_is_always_fully_accounted(pool in any::<u128>(), w in prop::collection::vec(any::<u64>(), 0..20)) {
		let w: Vec<u128> = w.into_iter().map(|x| x as u128).collect();
		let (shares, rest) = split_pool(pool, &w);
		prop_assert_eq!(shares.len(), w.len());
		prop_assert_eq!(shares.iter().sum::<u128>() + rest, pool);
		// Proportional: a larger weight never gets a smaller share.
		for a in 0..w.len() { for b in 0..w.len() {
			if w[a] >= w[b] { prop_assert!(shares[a] >= shares[b]); }
		}}
	}

	#[test]
	fn trust_stays_in_bounds_honest_never_lose_outliers_always_do(
		w in 0u32..=1_000_000_000, d in 0u32..=1_000_000, tau in 0u32..=1_000_000,
		rho in 0u32..=1_000_000_000, lambda in 1u32..=1_000_000_000,
		lo in 0u32..=500_000_000, hi in 500_000_000u32..=1_000_000_000,
	) {
		let p = TrustParams { rho: pb(rho), lambda: pb(lambda), w_min: pb(lo), w_max: pb(hi) };
		let w0 = pb(w).max(pb(lo)).min(pb(hi));
		let next = update_trust(pb(w), pm(d), pm(tau), p);
		prop_assert!(pb(lo) <= next && next <= pb(hi));
		if d <= tau {
			prop_assert!(next >= w0);
		} else if w0 > pb(lo) && (lambda as u64) * (w0.deconstruct() as u64) >= 2_000_000_000 {
			// Beyond tolerance, trust strictly falls (when the cut is not lost to rounding).
			prop_assert!(next < w0, "w0 {:?} next {:?}", w0, next);
		}
	}

	#[test]
	fn composite_is_bounded_by_its_scores(
		w in prop::collection::vec(0u32..=1_000_000, 6),
		s in prop::collection::vec(prop::option::of(0u32..=1_000_000), 6),
	) {
		let w: Vec<Permill> = w.into_iter().map(pm).collect();
		let s: Vec<Option<Permill>> = s.into_iter().map(|x| x.map(pm)).collect();
		let q = composite(&w, &s);
		let active: Vec<Permill> = w.iter().zip(&s).filter_map(|(w, s)| (!w.is_zero()).then_some(*s).flatten()).collect();
		if let (Some(lo), Some(hi)) = (active.iter().min(), active.iter().max()) {
			prop_assert!(*lo <= q && q <= *hi);
		} else {
			prop_assert_eq!(q, Permill::zero());
		}
	}

	#[test]
	fn agreement_is_one_for_unanimous_and_bounded(v in prop::collection::vec(0u32..=1_000_000, 1..20)) {
		let v: Vec<Permill> = v.into_iter().map(pm).collect();
		let a = agreement(&v);
		prop_assert!(a <= Permill::one());
		prop_assert_eq!(agreement(&vec![v[0]; v.len()]), Permill::one());
	}
}

#[test]
fn ratings_average_then_follow() {
	let min = pm(100_000);
	// Unknown model (count 0): the first result replaces the starting rating.
	assert_eq!(update_rating(pm(500_000), pm(900_000), 0, min), pm(900_000));
	// Second result: the mean of the two.
	assert_eq!(update_rating(pm(900_000), pm(700_000), 1, min), pm(800_000));
	// Many results: at least step_min of the gap.
	assert_eq!(update_rating(pm(800_000), pm(0), 1_000, min), pm(720_000));
}

#[test]
fn cost_priors_favour_quality_per_cost() {
	// Same rating, half the cost: twice the efficiency.
	assert_eq!(cost_priors(&[pm(800_000), pm(800_000)], &[10, 20]), vec![Permill::one(), pm(500_000)]);
	// Free models divide by one unit.
	assert_eq!(cost_priors(&[pm(400_000), pm(800_000)], &[0, 0]), vec![pm(500_000), Permill::one()]);
	assert_eq!(cost_priors(&[pm(0)], &[5]), vec![Permill::zero()]);
	assert!(cost_priors(&[], &[]).is_empty());
}

proptest! {
	#[test]
	fn rating_moves_towards_the_observation(r in 0u32..=1_000_000, o in 0u32..=1_000_000, n in 0u32..10_000, m in 0u32..=1_000_000) {
		let next = update_rating(pm(r), pm(o), n, pm(m)).deconstruct();
		prop_assert!(next >= r.min(o) && next <= r.max(o));
		// Monotone in the observation.
		let higher = update_rating(pm(r), pm(o.saturating_add(1000).min(1_000_000)), n, pm(m)).deconstruct();
		prop_assert!(higher >= next);
	}

	#[test]
	fn cost_priors_are_bounded_and_the_best_gets_one(v in prop::collection::vec((0u32..=1_000_000, 0u128..1_000_000_000_000_000_000u128), 1..8)) {
		let (r, c): (Vec<Permill>, Vec<u128>) = v.iter().map(|(r, c)| (pm(*r), *c)).unzip();
		let p = cost_priors(&r, &c);
		prop_assert_eq!(p.len(), r.len());
		if r.iter().any(|x| !x.is_zero()) {
			prop_assert!(p.contains(&Permill::one()));
		}
		// Zero rating, zero prior.
		for (ri, pi) in r.iter().zip(&p) {
			if ri.is_zero() { prop_assert!(pi.is_zero()); }
		}
	}
}

fn arb_scores() -> impl Strategy<Value = [Option<Permill>; 6]> {
	proptest::array::uniform6(proptest::option::of((0u32..=1_000_000).prop_map(pm)))
}

#[test]
fn evaluator_quality_ignores_priors_and_agreement() {
	let w = [pm(150_000), pm(100_000), pm(200_000), pm(250_000), pm(150_000), pm(150_000)];
	let s = |prior: u32, agr: u32| [Some(pm(prior)), Some(pm(prior)), Some(pm(400_000)), Some(pm(400_000)), Some(pm(400_000)), Some(pm(agr))];
	assert_eq!(evaluator_quality(&w, &s(1_000_000, 1_000_000)), pm(400_000));
	assert_eq!(evaluator_quality(&w, &s(0, 0)), pm(400_000));
	// All evaluator-side weights zero: equal weights over the three.
	let w0 = [pm(500_000), pm(500_000), pm(0), pm(0), pm(0), pm(0)];
	let s2 = [None, None, Some(pm(300_000)), Some(pm(600_000)), Some(pm(900_000)), None];
	assert_eq!(evaluator_quality(&w0, &s2), pm(600_000));
	// The floor: an output below it earns nothing even when it is the cheapest.
	let w = gated_inference_weights(&[pm(400_000), pm(700_000)], pm(500_000), &[1, 100], Permill::one(), pm(200_000));
	assert_eq!(w[0], 0);
	assert!(w[1] > 0);
	// Paid quality is measured from the floor: 0.75 over a floor of 0.5 is 0.5.
	assert_eq!(above_floor(pm(750_000), pm(500_000)), pm(500_000));
	assert_eq!(above_floor(pm(400_000), pm(500_000)), pm(0));
	assert_eq!(above_floor(pm(1_000_000), pm(1_000_000)), Permill::one());
	assert_eq!(above_floor(pm(300_000), pm(0)), pm(300_000));
}

proptest! {
	#[test]
	fn priors_and_agreement_never_move_the_evaluator_quality(
		w in proptest::array::uniform6((0u32..=1_000_000).prop_map(pm)),
		s in arb_scores(),
		other in arb_scores(),
	) {
		let mut t = s;
		for d in [0usize, 1, 5] {
			t[d] = other[d];
		}
		prop_assert_eq!(evaluator_quality(&w, &s), evaluator_quality(&w, &t));
	}

	#[test]
	fn below_the_floor_nothing_is_paid(
		rows in proptest::collection::vec((0u32..=1_000_000, 0u32..=1_000_000, 0u128..1_000_000_000_000), 1..10),
		floor in 0u32..=1_000_000,
		alpha in 0u32..=1_000_000,
		beta in 0u32..=1_000_000,
	) {
		let g: Vec<Permill> = rows.iter().map(|r| pm(r.1)).collect();
		let c: Vec<u128> = rows.iter().map(|r| r.2).collect();
		let w = gated_inference_weights(&g, pm(floor), &c, pm(alpha), pm(beta));
		let paid: Vec<Permill> = g.iter().map(|q| above_floor(*q, pm(floor))).collect();
		let plain = inference_weights(&paid, &c, pm(alpha), pm(beta));
		for i in 0..rows.len() {
			if g[i] < pm(floor) {
				prop_assert_eq!(w[i], 0);
			} else {
				prop_assert_eq!(w[i], plain[i]);
			}
		}
	}

	#[test]
	fn a_clearly_worse_answer_never_out_earns_by_a_lower_cost(
		qj in 0u32..=1_000_000,
		gap_extra in 0u32..=1_000,
		floor in 0u32..1_000_000,
		ci in 0u128..1_000_000_000,
		cj in 0u128..1_000_000_000,
		alpha in 1u32..=1_000_000,
		beta in 0u32..=1_000_000,
	) {
		// q_i >= q_j + (1 - floor) beta / alpha, plus one part for the rescaling's rounding
		// (when that fits in [0, 1]).
		let need = ((1_000_000 - floor as u64) * beta as u64).div_ceil(alpha as u64) + 1;
		let qi = qj as u64 + need + gap_extra as u64;
		prop_assume!(qi <= 1_000_000);
		let q = [pm(qi as u32), pm(qj)];
		let w = gated_inference_weights(&q, pm(floor), &[ci, cj], pm(alpha), pm(beta));
		prop_assert!(w[0] >= w[1], "{:?}", w);
	}

	#[test]
	fn paid_quality_is_monotone_and_the_floor_is_its_zero(q in 0u32..=1_000_000, r in 0u32..=1_000_000, floor in 0u32..=1_000_000) {
		let (a, b) = (above_floor(pm(q.min(r)), pm(floor)), above_floor(pm(q.max(r)), pm(floor)));
		prop_assert!(a <= b);
		prop_assert_eq!(above_floor(pm(floor), pm(floor)).is_zero(), floor < 1_000_000);
	}
}
