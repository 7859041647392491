//! Unit and property tests of the calibration math.

use crate::calibration::*;
use crate::*;
use proptest::prelude::*;

fn pm(x: u32) -> Permill {
	Permill::from_parts(x)
}

const RULE: GateRule = GateRule { threshold: Permill::from_percent(60), margin: Permill::from_percent(5), min_tasks: 3 };

#[test]
fn concordance_counts_pairs_and_ties() {
	let labels = [pm(900_000), pm(500_000), pm(100_000)];
	let l = LabelsRef::Quality(&labels);
	// Perfect order: 3 pairs, 6 halves.
	let s = [Some(pm(3)), Some(pm(2)), Some(pm(1))];
	assert_eq!(concordance(&s, l), PairCount { halves: 6, pairs: 3 });
	// Inverse: none.
	let s = [Some(pm(1)), Some(pm(2)), Some(pm(3))];
	assert_eq!(concordance(&s, l), PairCount { halves: 0, pairs: 3 });
	// All tied: one half each.
	let s = [Some(pm(5)); 3];
	assert_eq!(concordance(&s, l).accuracy(), Some(Permill::from_percent(50)));
	// A missing score drops its pairs.
	let s = [Some(pm(3)), None, Some(pm(1))];
	assert_eq!(concordance(&s, l), PairCount { halves: 2, pairs: 1 });
	// Equal labels state no pair; preferences state theirs.
	let eq = [pm(1), pm(1)];
	assert_eq!(concordance(&[Some(pm(1)), Some(pm(2))], LabelsRef::Quality(&eq)).pairs, 0);
	let prefs = [(1u32, 0u32)];
	assert_eq!(
		concordance(&[Some(pm(1)), Some(pm(2))], LabelsRef::Preferences(&prefs)),
		PairCount { halves: 2, pairs: 1 }
	);
}

#[test]
fn labels_fit_only_their_task() {
	assert!(LabelsRef::Quality(&[pm(1), pm(2)]).fits(2));
	assert!(!LabelsRef::Quality(&[pm(1), pm(2)]).fits(3));
	assert!(!LabelsRef::Quality(&[pm(1), pm(1)]).fits(2), "no ordered pair");
	assert!(LabelsRef::Preferences(&[(0, 1)]).fits(2));
	assert!(!LabelsRef::Preferences(&[(0, 2)]).fits(2));
	assert!(!LabelsRef::Preferences(&[(1, 1)]).fits(2));
	assert!(!LabelsRef::Preferences(&[]).fits(2));
}

#[test]
fn the_gate_has_hysteresis() {
	let r = |x| Some(Permill::from_percent(x));
	assert!(!next_gated(false, r(60), 5, RULE));
	assert!(next_gated(false, r(59), 5, RULE));
	assert!(!next_gated(false, r(10), 2, RULE), "too few gold tasks");
	assert!(next_gated(true, r(62), 5, RULE), "inside the margin stays gated");
	assert!(!next_gated(true, r(65), 5, RULE));
	assert!(next_gated(true, None, 5, RULE));
}

#[test]
fn effective_weights_apply_gates_pins_and_fallback() {
	let w = [Permill::from_percent(10); 6];
	let fallback = [Permill::zero(), Permill::zero(), Permill::zero(), Permill::one(), Permill::zero(), Permill::zero()];
	let mut gated = [false; 6];
	gated[4] = true;
	let e = effective_weights(&w, &gated, &[None; 6], &fallback);
	assert!(e[4].is_zero() && e[3] == w[3]);
	let mut pins = [None; 6];
	pins[4] = Some(true);
	pins[3] = Some(false);
	let e = effective_weights(&w, &gated, &pins, &fallback);
	assert!(e[4] == w[4] && e[3].is_zero());
	let e = effective_weights(&w, &[true; 6], &[None; 6], &fallback);
	assert_eq!(e, fallback);
}

#[test]
fn gold_error_by_label_kind() {
	let w = [Permill::zero(), Permill::zero(), Permill::one(), Permill::one(), Permill::one(), Permill::zero()];
	// Two outputs, the evaluator reports 0.8 and 0.2 on every dimension.
	let cells = [pm(800_000), pm(800_000), pm(800_000), pm(200_000), pm(200_000), pm(200_000)];
	let q = [pm(700_000), pm(400_000)];
	assert_eq!(gold_error(&cells, 2, &w, LabelsRef::Quality(&q)), Some(pm(150_000)));
	assert_eq!(gold_error(&cells, 2, &w, LabelsRef::Preferences(&[(0, 1)])), Some(pm(0)));
	assert_eq!(gold_error(&cells, 2, &w, LabelsRef::Preferences(&[(1, 0)])), Some(pm(1_000_000)));
	assert_eq!(gold_error(&cells[..3], 2, &w, LabelsRef::Quality(&q)), None);
}

proptest! {
	#[test]
	fn accuracy_is_a_share_and_inverts(
		labels in proptest::collection::vec(0u32..=1_000_000, 2..10),
		scores in proptest::collection::vec(0u32..=1_000_000, 10),
	) {
		let l: Vec<Permill> = labels.iter().map(|x| pm(*x)).collect();
		let s: Vec<Option<Permill>> = scores[..l.len()].iter().map(|x| Some(pm(*x))).collect();
		let inv: Vec<Option<Permill>> = s.iter().map(|x| x.map(|x| Permill::one() - x)).collect();
		let a = concordance(&s, LabelsRef::Quality(&l));
		let b = concordance(&inv, LabelsRef::Quality(&l));
		prop_assert!(a.halves <= 2 * a.pairs);
		// Inverting the scores mirrors the accuracy: the halves add up to two per pair.
		prop_assert_eq!(a.pairs, b.pairs);
		prop_assert_eq!(a.halves + b.halves, 2 * a.pairs);
		// The labels themselves are perfectly concordant.
		let own: Vec<Option<Permill>> = l.iter().map(|x| Some(*x)).collect();
		let c = concordance(&own, LabelsRef::Quality(&l));
		prop_assert_eq!(c.halves, 2 * c.pairs);
	}

	#[test]
	fn reliability_pools_the_window(counts in proptest::collection::vec((0u32..20, 0u32..10), 0..12)) {
		let w: Vec<PairCount> = counts.iter().map(|(h, p)| PairCount { halves: (*h).min(2 * p), pairs: *p }).collect();
		let (r, tasks) = reliability(&w);
		prop_assert_eq!(tasks as usize, w.iter().filter(|c| c.pairs > 0).count());
		prop_assert_eq!(r.is_some(), tasks > 0);
		if let Some(r) = r {
			let lo = w.iter().filter_map(|c| c.accuracy()).min().unwrap();
			let hi = w.iter().filter_map(|c| c.accuracy()).max().unwrap();
			prop_assert!(r.deconstruct() + 1 >= lo.deconstruct() && r.deconstruct() <= hi.deconstruct() + 1);
		}
	}

	#[test]
	fn effective_weights_never_all_zero(
		w in proptest::array::uniform6(0u32..=1_000_000),
		gated in proptest::array::uniform6(any::<bool>()),
		pins in proptest::array::uniform6(proptest::option::of(any::<bool>())),
	) {
		let w = w.map(pm);
		let fallback = [Permill::zero(), Permill::zero(), Permill::zero(), Permill::one(), Permill::zero(), Permill::zero()];
		let e = effective_weights(&w, &gated, &pins, &fallback);
		prop_assert!(e.iter().any(|x| !x.is_zero()));
		if e != fallback {
			for d in 0..6 {
				prop_assert!(e[d] == w[d] || e[d].is_zero());
				if pins[d] == Some(true) { prop_assert_eq!(e[d], w[d]); }
				if pins[d] == Some(false) { prop_assert!(e[d].is_zero()); }
			}
		}
	}

	#[test]
	fn a_gate_never_flaps_inside_the_margin(r in 0u32..=1_000_000, tasks in 0u32..10, gated in any::<bool>()) {
		let rel = Some(pm(r));
		let next = next_gated(gated, rel, tasks, RULE);
		// Between the threshold and threshold + margin, the state does not change.
		if r >= RULE.threshold.deconstruct() && r < RULE.threshold.deconstruct() + RULE.margin.deconstruct() {
			prop_assert_eq!(next, gated);
		}
		prop_assert_eq!(next_gated(next, rel, tasks, RULE), next);
	}
}

proptest! {
	#[test]
	fn gold_trust_rewards_only_the_better_half(
		w in 0u32..=1_000_000_000, e in 0u32..=1_000_000, median in 0u32..=500_000, extra in 0u32..=500_000,
	) {
		let p = TrustParams { rho: Perbill::from_percent(50), lambda: Perbill::from_percent(95), w_min: Perbill::from_percent(1), w_max: Perbill::one() };
		let (w, e, median) = (Perbill::from_parts(w), pm(e), pm(median));
		let tau = pm(median.deconstruct() + extra);
		let next = gold_trust(w, e, median, tau, p);
		let w = w.max(p.w_min);
		if e <= median { prop_assert!(next >= w); }
		else if e <= tau { prop_assert_eq!(next, w); }
		else { prop_assert!(next <= w); }
		prop_assert!(next >= p.w_min && next <= p.w_max);
	}
}
