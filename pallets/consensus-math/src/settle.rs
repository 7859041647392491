//! The pure steps of a settlement, in the order the consensus pallet runs them: [`aggregate`]
//! the committee's reports into one score per cell, score each output ([`score_outputs`]: the six
//! dimensions, the composite and the evaluator-side quality, computed once), then split the pool
//! ([`rewards`]) and name the [`winner`]. The pallet reads the reports, pays what these return,
//! and moves trust, ratings and storage around them.
//!
//! Cells are output-major: output `i`'s structure, semantic and alignment are cells `3i`, `3i+1`
//! and `3i+2`, as in a member's reports.

use crate::*;

/// The evaluator-side dimensions a member reports per output.
pub const CELLS_PER_OUTPUT: usize = 3;

/// The committee's consensus on a task's outputs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Consensus {
	/// One aggregated score per cell (zero where nobody revealed).
	pub cells: Vec<Permill>,
	/// One agreement per output: the mean over its three cells of [`agreement`].
	pub agreement: Vec<Permill>,
	/// How many members revealed validly.
	pub reveals: usize,
}

impl Consensus {
	/// Whether anybody revealed: without a reveal the task has no evaluator-side scores.
	pub fn scored(&self) -> bool {
		self.reveals >= 1
	}

	/// Whether agreement means anything: one report cannot disagree with itself.
	pub fn agreed(&self) -> bool {
		self.reveals >= 2
	}
}

/// Step "aggregate": each cell's consensus under `rule` over the valid reveals (each member's
/// cells with its trust), and each output's agreement. Every member's cells must hold
/// `3 * outputs` scores.
pub fn aggregate(rule: AggregationRule, valid: &[(&[Permill], Perbill)], outputs: usize) -> Consensus {
	let mut cells = Vec::with_capacity(CELLS_PER_OUTPUT * outputs);
	let mut agreement = Vec::with_capacity(outputs);
	for i in 0..outputs {
		let mut sum = 0u32;
		for j in 0..CELLS_PER_OUTPUT {
			let cell: Vec<(Permill, Perbill)> =
				valid.iter().map(|(c, trust)| (c[CELLS_PER_OUTPUT * i + j], *trust)).collect();
			cells.push(crate::aggregate(rule, &cell).unwrap_or_default());
			let scores: Vec<Permill> = cell.iter().map(|(s, _)| *s).collect();
			sum += crate::agreement(&scores).deconstruct();
		}
		agreement.push(Permill::from_parts(sum / CELLS_PER_OUTPUT as u32));
	}
	Consensus { cells, agreement, reveals: valid.len() }
}

/// One output's scores after settlement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OutputScore {
	/// The six dimensions: rating prior, cost prior, structure, semantic, alignment, agreement
	/// (`None` where the task has no such score).
	pub scores: [Option<Permill>; 6],
	/// The composite with the task's weights (zero when nobody revealed).
	pub composite: Permill,
	/// The evaluator-side quality ([`evaluator_quality`]): what the quality floor, the ratings
	/// and the leaderboard use.
	pub quality: Permill,
}

/// Step "composite": each output's six scores, composite and evaluator-side quality, from the
/// consensus, the providers' ratings before this task and their declared costs.
pub fn score_outputs(
	weights: &[Permill; 6],
	ratings: &[Permill],
	costs: &[u128],
	consensus: &Consensus,
) -> Vec<OutputScore> {
	let priors = cost_priors(ratings, costs);
	let (scored, agreed) = (consensus.scored(), consensus.agreed());
	ratings
		.iter()
		.zip(&priors)
		.enumerate()
		.map(|(i, (rating, prior))| {
			let ev = |j: usize| scored.then(|| consensus.cells[CELLS_PER_OUTPUT * i + j]);
			let scores =
				[Some(*rating), Some(*prior), ev(0), ev(1), ev(2), agreed.then(|| consensus.agreement[i])];
			let composite = if scored { crate::composite(weights, &scores) } else { Permill::zero() };
			OutputScore { scores, composite, quality: evaluator_quality(weights, &scores) }
		})
		.collect()
}

/// The parameters of the reward split (the consensus pallet's `Params` hold them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RewardParams {
	/// Evaluator-side quality below which an output earns nothing.
	pub quality_floor: Permill,
	/// Weight of quality in the providers' rewards.
	pub alpha: Permill,
	/// Weight of normalised cost in the providers' rewards.
	pub beta: Permill,
	/// Deviation at which a member's accuracy reaches zero.
	pub accuracy_bound: Permill,
	/// The most an output earns in multiples of its declared cost (zero: no cap).
	pub cost_cap: u32,
}

/// A committee member as the reward split sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MemberStake {
	/// The member's declared price.
	pub price: u128,
	/// Its trust before this task.
	pub trust: Perbill,
	/// Its deviation from the consensus, if it revealed validly (only those are paid).
	pub deviation: Option<Permill>,
}

/// What a settlement pays, before the tasks pallet moves it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rewards {
	/// One amount per output, to its provider.
	pub outputs: Vec<u128>,
	/// One amount per member.
	pub members: Vec<u128>,
}

/// Step "rewards": the pool (`pool`, of which `budget` goes to the committee) split between the
/// outputs and the members.
///
/// - Providers share `pool - budget` by [`gated_inference_weights`] of their quality, each capped
///   at `cost_cap` times its declared cost; nothing when nobody revealed.
/// - Each valid member first gets its price times its accuracy `1 - min(d, d_max) / d_max`
///   (scaled down together when the budget cannot pay them all), then the rest of the budget by
///   [`evaluator_weights`].
///
/// What is not paid goes back to the submitter: the sum never exceeds the pool.
pub fn rewards(
	pool: u128,
	budget: u128,
	outputs: &[OutputScore],
	costs: &[u128],
	members: &[MemberStake],
	scored: bool,
	p: RewardParams,
) -> Rewards {
	let budget = budget.min(pool);
	Rewards {
		outputs: inference_rewards(pool - budget, outputs, costs, scored, p),
		members: member_rewards(budget, members, p.accuracy_bound),
	}
}

/// The providers' part of [`rewards`].
fn inference_rewards(
	pool: u128,
	outputs: &[OutputScore],
	costs: &[u128],
	scored: bool,
	p: RewardParams,
) -> Vec<u128> {
	if !scored {
		return alloc::vec![0; outputs.len()];
	}
	let quality: Vec<Permill> = outputs.iter().map(|o| o.quality).collect();
	let weights = gated_inference_weights(&quality, p.quality_floor, costs, p.alpha, p.beta);
	split_pool(pool, &weights)
		.0
		.into_iter()
		.zip(costs)
		.map(|(s, c)| match p.cost_cap {
			0 => s,
			m => s.min(c.saturating_mul(m as u128)),
		})
		.collect()
}

/// The committee's part of [`rewards`].
fn member_rewards(budget: u128, members: &[MemberStake], accuracy_bound: Permill) -> Vec<u128> {
	// `1 - min(d, d_max) / d_max` in parts per million; a bound of zero pays only exact reports.
	let accuracy = |d: Permill| -> u128 {
		let (d, b) = (d.deconstruct() as u128, accuracy_bound.deconstruct() as u128);
		match b {
			0 if d == 0 => MILLION as u128,
			0 => 0,
			b => MILLION as u128 - mul_div_floor(MILLION as u128, d.min(b), b),
		}
	};
	let base: Vec<u128> = members
		.iter()
		.map(|m| m.deviation.map_or(0, |d| m.price.saturating_mul(accuracy(d)) / MILLION as u128))
		.collect();
	let base_total = base.iter().fold(0u128, |a, b| a.saturating_add(*b));
	let base = if base_total > budget { split_pool(budget, &base).0 } else { base };
	let rest = budget - base.iter().sum::<u128>().min(budget);
	let entries: Vec<(Perbill, Permill)> = members
		.iter()
		.map(|m| m.deviation.map_or((Perbill::zero(), Permill::one()), |d| (m.trust, d)))
		.collect();
	let shares = split_pool(rest, &evaluator_weights(&entries, accuracy_bound)).0;
	base.iter().zip(shares).map(|(b, s)| b.saturating_add(s)).collect()
}

/// The winner: the first output with the highest composite (`None` without outputs).
pub fn winner(composites: &[Permill]) -> Option<usize> {
	let mut best: Option<usize> = None;
	for (i, c) in composites.iter().enumerate() {
		if best.is_none_or(|b| *c > composites[b]) {
			best = Some(i);
		}
	}
	best
}
