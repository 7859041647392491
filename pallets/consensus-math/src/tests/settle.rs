//! Property tests of the settlement steps: the split never pays more than the pool, the caps
//! and the floor hold, unanimous reports are their own consensus, the winner is the first best.

use crate::{settle::*, AggregationRule};
use proptest::prelude::*;
use sp_arithmetic::{Perbill, Permill};

fn permill() -> impl Strategy<Value = Permill> {
	(0u32..=1_000_000).prop_map(Permill::from_parts)
}

fn output() -> impl Strategy<Value = OutputScore> {
	(permill(), permill()).prop_map(|(composite, quality)| OutputScore { scores: [None; 6], composite, quality })
}

fn member() -> impl Strategy<Value = MemberStake> {
	(0u128..1_000_000_000, 0u32..=1_000_000_000, proptest::option::of(permill())).prop_map(|(price, t, deviation)| {
		MemberStake { price, trust: Perbill::from_parts(t), deviation }
	})
}

fn params() -> impl Strategy<Value = RewardParams> {
	(permill(), permill(), permill(), permill(), 0u32..4).prop_map(|(quality_floor, alpha, beta, accuracy_bound, cost_cap)| {
		RewardParams { quality_floor, alpha, beta, accuracy_bound, cost_cap }
	})
}

proptest! {
	#[test]
	fn rewards_never_exceed_the_pool(
		pool in 0u128..1_000_000_000_000,
		budget in 0u128..1_000_000_000_000,
		outputs in proptest::collection::vec((output(), 0u128..1_000_000), 0..8),
		members in proptest::collection::vec(member(), 0..8),
		scored in any::<bool>(),
		p in params(),
	) {
		let (outs, costs): (Vec<OutputScore>, Vec<u128>) = outputs.into_iter().unzip();
		let r = rewards(pool, budget, &outs, &costs, &members, scored, p);
		prop_assert_eq!(r.outputs.len(), outs.len());
		prop_assert_eq!(r.members.len(), members.len());
		let to_outputs: u128 = r.outputs.iter().sum();
		let to_members: u128 = r.members.iter().sum();
		prop_assert!(to_members <= budget.min(pool));
		prop_assert!(to_outputs <= pool - budget.min(pool));
		for ((o, c), paid) in outs.iter().zip(&costs).zip(&r.outputs) {
			prop_assert!(scored || *paid == 0);
			prop_assert!(o.quality >= p.quality_floor || *paid == 0, "below the floor and paid");
			prop_assert!(p.cost_cap == 0 || *paid <= c * p.cost_cap as u128, "over the cost cap");
		}
		for (m, paid) in members.iter().zip(&r.members) {
			prop_assert!(m.deviation.is_some() || *paid == 0, "paid without a valid reveal");
		}
	}

	#[test]
	fn unanimous_reports_are_the_consensus(
		cells in proptest::collection::vec(permill(), 3..=24).prop_map(|mut v| { v.truncate(v.len() / 3 * 3); v }),
		trusts in proptest::collection::vec(1u32..=1_000_000_000, 1..6),
	) {
		let n = cells.len() / CELLS_PER_OUTPUT;
		let valid: Vec<(&[Permill], Perbill)> = trusts.iter().map(|t| (&cells[..], Perbill::from_parts(*t))).collect();
		for rule in [AggregationRule::Mean, AggregationRule::Median, AggregationRule::TrustWeightedMedian, AggregationRule::TrustWeightedMean, AggregationRule::TrimmedMean(Permill::from_percent(20))] {
			let c = aggregate(rule, &valid, n);
			prop_assert_eq!(&c.cells, &cells);
			prop_assert!(c.agreement.iter().all(|a| *a == Permill::one()));
			prop_assert_eq!(c.agreed(), trusts.len() >= 2);
		}
	}

	#[test]
	fn outputs_are_scored_only_with_reveals(
		ratings in proptest::collection::vec((permill(), 1u128..1_000), 1..6),
		reveals in 0usize..3,
		w in proptest::array::uniform6(permill()),
	) {
		let n = ratings.len();
		let (r, costs): (Vec<Permill>, Vec<u128>) = ratings.into_iter().unzip();
		let c = Consensus { cells: vec![Permill::from_percent(70); 3 * n], agreement: vec![Permill::from_percent(90); n], reveals };
		for o in score_outputs(&w, &r, &costs, &c) {
			prop_assert_eq!(o.scores[2].is_some(), reveals >= 1);
			prop_assert_eq!(o.scores[5].is_some(), reveals >= 2);
			prop_assert!(reveals >= 1 || o.composite.is_zero());
			prop_assert_eq!(o.quality, crate::evaluator_quality(&w, &o.scores));
		}
	}

	#[test]
	fn the_winner_is_the_first_best(composites in proptest::collection::vec(permill(), 0..10)) {
		match winner(&composites) {
			None => prop_assert!(composites.is_empty()),
			Some(i) => {
				prop_assert!(composites.iter().all(|c| *c <= composites[i]));
				prop_assert!(composites[..i].iter().all(|c| *c < composites[i]));
			},
		}
	}
}
