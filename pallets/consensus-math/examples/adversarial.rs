//! Adversarial report: how each aggregation rule, with the trust update, holds up against
//! attacking evaluators. Prints a table; a benchmark-style command, not a test.
//!
//! ```sh
//! cargo run --release -p poq-consensus-math --example adversarial \
//!     [-- --tasks 20 --seeds 5 --committee 16 --honest-sd-pct 5]
//! ```
//!
//! Each run: `--tasks` tasks of 8 outputs with a true quality in [0, 1]; a committee of
//! `--committee` evaluators scores every output on 3 dimensions (structure, semantic,
//! alignment). Honest evaluators report the true quality plus noise (sd `--honest-sd-pct` %); a fraction of attackers report by
//! their kind. Per output and dimension the rule aggregates; the composite is the mean of the
//! three dimensions. Deviation, tolerance, trust and evaluator rewards follow the crate's
//! functions (rho 0.1, lambda 0.5, trust in [0.01, 1] starting at 0.5, tau_min 0.02,
//! d_max 0.25, 1000 units per task to evaluators). Reported, averaged over `--seeds` runs:
//! Spearman of composite vs true quality over all outputs (and its ratio to the same rule
//! without attackers), attackers' mean final trust over honest evaluators', and the mean reward
//! per task of an attacker and of an honest evaluator.
//!
//! The simulation itself uses floats for noise; the consensus math it calls does not.

use poq_consensus_math::*;
use sp_arithmetic::{Perbill, Permill};

const OUTPUTS: usize = 8;
const DIMS: usize = 3;

/// xorshift64* with Box-Muller normals: deterministic per seed, no dependency.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}
	fn uniform(&mut self) -> f64 {
		(self.next() >> 11) as f64 / (1u64 << 53) as f64
	}
	fn normal(&mut self, sd: f64) -> f64 {
		let (u1, u2) = (self.uniform().max(1e-12), self.uniform());
		sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
	}
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Attack {
	None,
	Noise,
	Boost,
	Sabotage,
	Intermittent,
	Inverted,
	Colluding,
}

fn pm(x: f64) -> Permill {
	Permill::from_parts((x.clamp(0.0, 1.0) * 1e6).round() as u32)
}

fn ranks(v: &[f64]) -> Vec<f64> {
	let mut idx: Vec<usize> = (0..v.len()).collect();
	idx.sort_by(|a, b| v[*a].partial_cmp(&v[*b]).unwrap());
	let mut r = vec![0.0; v.len()];
	let mut i = 0;
	while i < idx.len() {
		let mut j = i;
		while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
			j += 1;
		}
		let avg = (i + j) as f64 / 2.0;
		for k in i..=j {
			r[idx[k]] = avg;
		}
		i = j + 1;
	}
	r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
	let (ra, rb) = (ranks(a), ranks(b));
	let n = a.len() as f64;
	let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
	let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
	let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
	let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
	if va == 0.0 || vb == 0.0 { 0.0 } else { cov / (va * vb).sqrt() }
}

struct Outcome {
	spearman: f64,
	trust_ratio: f64,
	reward_attacker: f64,
	reward_honest: f64,
}

/// Simulation settings from the command line.
#[derive(Clone, Copy)]
struct Setup {
	tasks: usize,
	committee: usize,
	honest_sd: f64,
}

fn run(rule: AggregationRule, attack: Attack, frac: f64, setup: Setup, seed: u64) -> Outcome {
	let Setup { tasks, committee, honest_sd } = setup;
	let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
	let attackers = if attack == Attack::None { 0 } else { (frac * committee as f64).round() as usize };
	let is_attacker = |e: usize| e < attackers;
	let params = TrustParams {
		rho: Perbill::from_percent(10),
		lambda: Perbill::from_percent(50),
		w_min: Perbill::from_percent(1),
		w_max: Perbill::one(),
	};
	let mut trust = vec![Perbill::from_percent(50); committee];
	let mut rewards = vec![0u128; committee];
	let (mut truth_all, mut consensus_all) = (Vec::new(), Vec::new());

	for _ in 0..tasks {
		let truth: Vec<f64> = (0..OUTPUTS).map(|_| rng.uniform()).collect();
		let collusion: Vec<f64> = (0..OUTPUTS).map(|_| rng.uniform()).collect();
		// reports[e][o][d]
		let reports: Vec<Vec<Vec<Permill>>> = (0..committee)
			.map(|e| {
				let flip = rng.uniform() < 0.5;
				(0..OUTPUTS)
					.map(|o| {
						(0..DIMS)
							.map(|_| {
								let q = truth[o];
								let honest = q + rng.normal(honest_sd);
								let v = if !is_attacker(e) {
									honest
								} else {
									match attack {
										Attack::None => honest,
										Attack::Noise => q + rng.normal(0.3),
										Attack::Boost => q + 0.3 + rng.normal(0.05),
										Attack::Sabotage => q - 0.3 + rng.normal(0.05),
										Attack::Intermittent =>
											if flip { q + 0.3 + rng.normal(0.05) } else { honest },
										Attack::Inverted => 1.0 - q + rng.normal(0.05),
										Attack::Colluding => collusion[o],
									}
								};
								pm(v)
							})
							.collect()
					})
					.collect()
			})
			.collect();

		// Consensus per output and dimension.
		let consensus: Vec<Vec<Permill>> = (0..OUTPUTS)
			.map(|o| {
				(0..DIMS)
					.map(|d| {
						let cell: Vec<(Permill, Perbill)> =
							(0..committee).map(|e| (reports[e][o][d], trust[e])).collect();
						aggregate(rule, &cell).expect("committee reported")
					})
					.collect()
			})
			.collect();
		for o in 0..OUTPUTS {
			truth_all.push(truth[o]);
			let c = composite(&[Permill::one(); DIMS], &consensus[o].iter().map(|x| Some(*x)).collect::<Vec<_>>());
			consensus_all.push(c.deconstruct() as f64);
		}

		// Deviation, tolerance, trust, rewards.
		let flat_c: Vec<Permill> = consensus.iter().flatten().copied().collect();
		let devs: Vec<Permill> = (0..committee)
			.map(|e| {
				let flat_r: Vec<Permill> = reports[e].iter().flatten().copied().collect();
				deviation(&flat_r, &flat_c).expect("cells")
			})
			.collect();
		let tau = tolerance(&devs, Permill::from_percent(2));
		let weights = evaluator_weights(
			&(0..committee).map(|e| (trust[e], devs[e])).collect::<Vec<_>>(),
			Permill::from_percent(25),
		);
		let (shares, _) = split_pool(1000, &weights);
		for e in 0..committee {
			rewards[e] += shares[e];
			trust[e] = update_trust(trust[e], devs[e], tau, params);
		}
	}

	let mean = |f: &dyn Fn(usize) -> bool, v: &dyn Fn(usize) -> f64| {
		let xs: Vec<f64> = (0..committee).filter(|e| f(*e)).map(|e| v(e)).collect();
		if xs.is_empty() { f64::NAN } else { xs.iter().sum::<f64>() / xs.len() as f64 }
	};
	let t = |e: usize| trust[e].deconstruct() as f64 / 1e9;
	let r = |e: usize| rewards[e] as f64 / tasks as f64;
	let honest_trust = mean(&|e| !is_attacker(e), &t);
	Outcome {
		spearman: spearman(&truth_all, &consensus_all),
		trust_ratio: mean(&|e| is_attacker(e), &t) / honest_trust,
		reward_attacker: mean(&|e| is_attacker(e), &r),
		reward_honest: mean(&|e| !is_attacker(e), &r),
	}
}

fn arg(name: &str, default: usize) -> usize {
	let args: Vec<String> = std::env::args().collect();
	args.iter()
		.position(|a| a == name)
		.and_then(|i| args.get(i + 1))
		.map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number")))
		.unwrap_or(default)
}

fn main() {
	let tasks = arg("--tasks", 20);
	let seeds = arg("--seeds", 5) as u64;
	let committee = arg("--committee", 16);
	let honest_sd = arg("--honest-sd-pct", 5) as f64 / 100.0;
	assert!(committee >= 2, "--committee must be at least 2");
	let setup = Setup { tasks, committee, honest_sd };
	let rules = [
		("mean", AggregationRule::Mean),
		("median", AggregationRule::Median),
		("trimmed-20%", AggregationRule::TrimmedMean(Permill::from_percent(20))),
		("trust-w-median", AggregationRule::TrustWeightedMedian),
		("trust-w-mean", AggregationRule::TrustWeightedMean),
	];
	let attacks = [
		Attack::Noise,
		Attack::Boost,
		Attack::Sabotage,
		Attack::Intermittent,
		Attack::Inverted,
		Attack::Colluding,
	];
	println!(
		"# Adversarial report: {tasks} tasks x {OUTPUTS} outputs, committee {committee}, honest sd {honest_sd}, {seeds} seeds"
	);
	println!();
	println!("| rule | attack | attackers | Spearman | vs no attack | trust attacker/honest | reward attacker | reward honest |");
	println!("|---|---|---|---|---|---|---|---|");
	let avg = |rule, attack, frac| {
		let outs: Vec<Outcome> = (0..seeds).map(|s| run(rule, attack, frac, setup, s + 1)).collect();
		let n = outs.len() as f64;
		Outcome {
			spearman: outs.iter().map(|o| o.spearman).sum::<f64>() / n,
			trust_ratio: outs.iter().map(|o| o.trust_ratio).sum::<f64>() / n,
			reward_attacker: outs.iter().map(|o| o.reward_attacker).sum::<f64>() / n,
			reward_honest: outs.iter().map(|o| o.reward_honest).sum::<f64>() / n,
		}
	};
	for (name, rule) in rules {
		let base = avg(rule, Attack::None, 0.0);
		println!("| {name} | none | 0% | {:.3} | 1.00 | - | - | {:.1} |", base.spearman, base.reward_honest);
		for attack in attacks {
			for frac in [0.1, 0.2, 0.3, 0.4] {
				let o = avg(rule, attack, frac);
				println!(
					"| {name} | {attack:?} | {:.0}% | {:.3} | {:.2} | {:.2} | {:.1} | {:.1} |",
					frac * 100.0,
					o.spearman,
					o.spearman / base.spearman,
					o.trust_ratio,
					o.reward_attacker,
					o.reward_honest,
				);
			}
		}
	}
}
