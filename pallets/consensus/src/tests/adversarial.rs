//! Adversarial scenarios run through the pallet (mock runtime, real tasks and evaluators
//! pallets): many tasks scored by honest evaluators (true quality plus noise) and attackers of
//! one kind, for each aggregation rule.
//!
//! - `adversarial_targets_hold` (part of the test suite) asserts issue 4's targets for the
//!   trust-weighted median in two settings.
//! - `adversarial_report` (ignored; `scripts/adversarial.sh` runs it) prints the full table of
//!   `docs/adversarial-report.md`.

use crate::{
	tests::{
		mock::*,
		util::{clip, spearman, Rng},
	},
	*,
};
use frame_support::assert_ok;
use pallet_poq_calibration::GoldLabels;
use poq_primitives::{Dimension, ScoreReport};

/// What attackers report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Attack {
	/// No attacker.
	None,
	/// True quality plus N(0, 0.3).
	Noise,
	/// True quality + 0.3.
	Boost,
	/// True quality - 0.3.
	Sabotage,
	/// Boost on every other task, honest otherwise.
	Intermittent,
	/// One minus the true quality.
	Inverted,
	/// All attackers report the same random vector.
	Colluding,
}

const KINDS: [Attack; 6] =
	[Attack::Noise, Attack::Boost, Attack::Sabotage, Attack::Intermittent, Attack::Inverted, Attack::Colluding];
const FRACTIONS: [u32; 4] = [10, 20, 30, 40];

/// A scenario.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
	/// Committee size (every bonded evaluator sits on every committee).
	pub committee: u32,
	/// Honest noise, standard deviation in percent of the score range.
	pub honest_sd_pct: u32,
	/// Tasks per run.
	pub tasks: u32,
	/// Runs (seeds) averaged.
	pub seeds: u64,
	/// One task in this many is a gold task (labels: the true quality, revealed after
	/// settlement), at an offset drawn per seed; zero for none.
	pub gold_every: u32,
}

/// Averages of a scenario over its seeds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
	/// Spearman of the consensus (mean of the three dimensions) vs true quality, per task.
	pub spearman: f64,
	/// Mean absolute error of the consensus vs true quality.
	pub mae: f64,
	/// Attackers' mean trust over honest evaluators' mean trust, after the last task.
	pub trust_ratio: f64,
	/// Net reward (paid minus slashed) per attacker per task.
	pub attacker_net: f64,
	/// Net reward per honest evaluator per task.
	pub honest_net: f64,
}

const OUTPUTS: usize = 8;
const BOUNTY: u64 = 10_000;

/// Runs one scenario through the pallet and returns its averages.
pub fn run(rule: AggregationRule, attack: Attack, pct: u32, s: Setting) -> Outcome {
	let mut acc = Outcome::default();
	for seed in 0..s.seeds {
		let o = run_seed(rule, attack, pct, s, seed);
		acc.spearman += o.spearman;
		acc.mae += o.mae;
		acc.trust_ratio += o.trust_ratio;
		acc.attacker_net += o.attacker_net;
		acc.honest_net += o.honest_net;
	}
	let n = s.seeds as f64;
	Outcome {
		spearman: acc.spearman / n,
		mae: acc.mae / n,
		trust_ratio: acc.trust_ratio / n,
		attacker_net: acc.attacker_net / n,
		honest_net: acc.honest_net / n,
	}
}

fn run_seed(rule: AggregationRule, attack: Attack, pct: u32, s: Setting, seed: u64) -> Outcome {
	RANDOM_SEED.with(|r| r.set(seed));
	let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ pct as u64 ^ (attack as u64) << 40);
	// Where the gold tasks fall depends on the seed only, not on the attack.
	let gold_offset = if s.gold_every > 0 { (Rng(seed ^ 0x601D).next() % s.gold_every as u64) as u32 } else { 0 };
	let attackers = if attack == Attack::None { 0 } else { (s.committee * pct + 50) / 100 } as usize;
	let sd = s.honest_sd_pct as f64 / 100.0;
	test(|| {
		let mut p = default_params();
		p.rule = rule;
		p.committee_size = s.committee;
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		let evaluators = bond_evaluators(s.committee as u64);
		approve_gold_poster();
		let is_attacker = |e: u64| ((e - EVALUATORS) as usize) < attackers;
		let providers: Vec<u64> = (PROVIDERS..PROVIDERS + OUTPUTS as u64).collect();
		let (mut rho_sum, mut mae_sum) = (0.0, 0.0);
		let mut net: std::collections::BTreeMap<u64, f64> = Default::default();
		for t in 0..s.tasks {
			let truth: Vec<f64> = (0..OUTPUTS).map(|_| rng.unit()).collect();
			let collusion: Vec<f64> = (0..OUTPUTS * 3).map(|_| rng.unit()).collect();
			// A gold task: the poster commits to the true qualities before the task is posted.
			let gold = (s.gold_every > 0 && t % s.gold_every == gold_offset).then(|| {
				let labels = GoldLabels::Quality(truth.iter().map(|q| clip(*q)).collect());
				let next = pallet_poq_tasks::NextTaskId::<Test>::get();
				let c = poq_primitives::commitment::gold(&GOLD_POSTER, next, &labels, &SALT);
				assert_ok!(Calibration::commit_gold(signed(GOLD_POSTER), c));
				(c, labels)
			});
			let task = post_task(&providers, BOUNTY);
			run_to(System::block_number() + 2);
			let members: Vec<u64> =
				Rounds::<Test>::get(task).unwrap().committee.iter().map(|(m, _)| *m).collect();
			let mut reports: Vec<(u64, Vec<ScoreReport>)> = Vec::new();
			for m in &members {
				let cell = |rng: &mut Rng, i: usize, j: usize| -> Permill {
					let q = truth[i];
					if !is_attacker(*m) {
						return clip(q + rng.normal(sd));
					}
					clip(match attack {
						Attack::None => q + rng.normal(sd),
						Attack::Noise => q + rng.normal(0.3),
						Attack::Boost => q + 0.3,
						Attack::Sabotage => q - 0.3,
						Attack::Intermittent if t % 2 == 0 => q + 0.3,
						Attack::Intermittent => q + rng.normal(sd),
						Attack::Inverted => 1.0 - q,
						Attack::Colluding => collusion[3 * i + j],
					})
				};
				let r: Vec<ScoreReport> = (0..OUTPUTS)
					.map(|i| ScoreReport {
						structure: cell(&mut rng, i, 0),
						semantic: cell(&mut rng, i, 1),
						alignment: cell(&mut rng, i, 2),
					})
					.collect();
				commit(*m, task, &r);
				reports.push((*m, r));
			}
			run_to(System::block_number() + 2);
			for (m, r) in &reports {
				reveal(*m, task, r);
			}
			run_to(System::block_number() + 2);
			let result = Results::<Test>::get(task).expect("settled");
			if let Some((c, labels)) = gold {
				assert_ok!(Calibration::reveal_gold(signed(GOLD_POSTER), c, task, labels, SALT));
			}
			let consensus: Vec<f64> = result
				.outputs
				.iter()
				.map(|o| {
					[Dimension::Structure, Dimension::Semantic, Dimension::Alignment]
						.iter()
						.map(|d| o.scores[*d as usize].unwrap().deconstruct() as f64 / 1e6)
						.sum::<f64>() / 3.0
				})
				.collect();
			rho_sum += spearman(&consensus, &truth);
			mae_sum += consensus.iter().zip(&truth).map(|(c, q)| (c - q).abs()).sum::<f64>() /
				OUTPUTS as f64;
			for e in result.evaluators.iter() {
				*net.entry(e.who).or_default() += e.reward as f64 - e.slashed as f64;
			}
		}
		let trust = |e: u64| pallet_poq_evaluators::Trust::<Test>::get(e).unwrap().deconstruct() as f64 / 1e9;
		let mean = |v: Vec<f64>| if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 };
		let (att, hon): (Vec<u64>, Vec<u64>) = evaluators.iter().partition(|e| is_attacker(**e));
		let tasks = s.tasks as f64;
		Outcome {
			spearman: rho_sum / tasks,
			mae: mae_sum / tasks,
			trust_ratio: mean(att.iter().map(|e| trust(*e)).collect()) /
				mean(hon.iter().map(|e| trust(*e)).collect()),
			attacker_net: mean(att.iter().map(|e| net.get(e).copied().unwrap_or(0.0) / tasks).collect()),
			honest_net: mean(hon.iter().map(|e| net.get(e).copied().unwrap_or(0.0) / tasks).collect()),
		}
	})
}

const RULES: [(&str, AggregationRule); 5] = [
	("mean", AggregationRule::Mean),
	("median", AggregationRule::Median),
	("trimmed mean 20%", AggregationRule::TrimmedMean(Permill::from_percent(20))),
	("trust-weighted median", AggregationRule::TrustWeightedMedian),
	("trust-weighted mean", AggregationRule::TrustWeightedMean),
];

/// Prints the table of one setting, for every rule, kind and fraction.
fn table(s: Setting) {
	println!(
		"\n### Committee {}, honest sd {:.2}, {} tasks x {} outputs, {} seeds\n",
		s.committee,
		s.honest_sd_pct as f64 / 100.0,
		s.tasks,
		OUTPUTS,
		s.seeds
	);
	println!("| rule | attack | attackers | Spearman | vs no attack | MAE | trust attacker/honest | net reward attacker | net reward honest |");
	println!("|---|---|---|---|---|---|---|---|---|");
	let fmt = |x: f64| if x.is_nan() { "-".to_string() } else { format!("{x:.2}") };
	for (name, rule) in RULES {
		let base = run(rule, Attack::None, 0, s);
		println!(
			"| {name} | none | 0% | {:.3} | 1.00 | {:.3} | - | - | {:.1} |",
			base.spearman, base.mae, base.honest_net
		);
		for kind in KINDS {
			for pct in FRACTIONS {
				let o = run(rule, kind, pct, s);
				println!(
					"| {name} | {kind:?} | {pct}% | {:.3} | {:.2} | {:.3} | {} | {:.1} | {:.1} |",
					o.spearman,
					o.spearman / base.spearman,
					o.mae,
					fmt(o.trust_ratio),
					o.attacker_net,
					o.honest_net
				);
			}
		}
	}
}

/// The settings of the report: default, noisy and harsh. The targets are asserted for the first
/// two; the harsh one shows where the mechanism breaks (see the report).
const SETTINGS: [Setting; 3] = [
	Setting { committee: 16, honest_sd_pct: 5, tasks: 20, seeds: 5, gold_every: 0 },
	Setting { committee: 10, honest_sd_pct: 10, tasks: 20, seeds: 5, gold_every: 0 },
	Setting { committee: 10, honest_sd_pct: 15, tasks: 20, seeds: 5, gold_every: 0 },
];

#[test]
fn adversarial_targets_hold() {
	// Issue 4's targets for the trust-weighted median, in both settings (fewer seeds than the
	// report, same tasks): Spearman at least 0.95 x the no-attack value up to 40% attackers of
	// every kind, and attackers' trust below 0.3 x honest within 20 tasks.
	for s in &SETTINGS[..2] {
		let s = Setting { seeds: 2, ..*s };
		let rule = AggregationRule::TrustWeightedMedian;
		let base = run(rule, Attack::None, 0, s);
		assert!(base.spearman > 0.9, "{s:?}: no-attack Spearman {}", base.spearman);
		for kind in KINDS {
			for pct in FRACTIONS {
				let o = run(rule, kind, pct, s);
				assert!(
					o.spearman >= 0.95 * base.spearman,
					"{s:?} {kind:?} {pct}%: Spearman {} vs {}",
					o.spearman,
					base.spearman
				);
				assert!(o.trust_ratio < 0.3, "{s:?} {kind:?} {pct}%: trust ratio {}", o.trust_ratio);
				assert!(
					o.attacker_net < o.honest_net,
					"{s:?} {kind:?} {pct}%: attackers earn {} vs honest {}",
					o.attacker_net,
					o.honest_net
				);
			}
		}
	}
}

#[test]
#[ignore = "prints the full report table; run by scripts/adversarial.sh"]
fn adversarial_report() {
	for s in SETTINGS {
		table(s);
	}
	gold_table(HARSH_GOLD);
}

/// The harsh setting with one gold task in ten (issue 12's target).
pub const HARSH_GOLD: Setting = Setting { committee: 10, honest_sd_pct: 15, tasks: 20, seeds: 10, gold_every: 10 };

/// Per seed: the attack's outcome and the same seed's no-attack outcome.
pub fn per_seed(attack: Attack, pct: u32, s: Setting) -> Vec<(Outcome, Outcome)> {
	let rule = AggregationRule::TrustWeightedMedian;
	(0..s.seeds)
		.map(|seed| (run_seed(rule, attack, pct, s, seed), run_seed(rule, Attack::None, 0, s, seed)))
		.collect()
}

/// Prints the per-seed table of the harsh setting with gold (trust-weighted median).
fn gold_table(s: Setting) {
	println!(
		"\n### Gold tasks in the harsh setting: committee {}, honest sd {:.2}, one task in {} gold, {} tasks, {} seeds\n",
		s.committee,
		s.honest_sd_pct as f64 / 100.0,
		s.gold_every,
		s.tasks,
		s.seeds
	);
	println!("| attack | attackers | Spearman ratio mean | Spearman ratio worst seed | trust ratio mean | trust ratio worst seed | seeds with trust ratio < 0.3 | net reward attacker | net reward honest |");
	println!("|---|---|---|---|---|---|---|---|---|");
	for kind in KINDS {
		for pct in FRACTIONS {
			let v = per_seed(kind, pct, s);
			let n = v.len() as f64;
			let ratios: Vec<f64> = v.iter().map(|(o, b)| o.spearman / b.spearman).collect();
			let trust: Vec<f64> = v.iter().map(|(o, _)| o.trust_ratio).collect();
			let ok = trust.iter().filter(|t| **t < 0.3).count();
			println!(
				"| {kind:?} | {pct}% | {:.2} | {:.2} | {:.2} | {:.2} | {ok}/{} | {:.1} | {:.1} |",
				ratios.iter().sum::<f64>() / n,
				ratios.iter().cloned().fold(f64::MAX, f64::min),
				trust.iter().sum::<f64>() / n,
				trust.iter().cloned().fold(0.0, f64::max),
				v.len(),
				v.iter().map(|(o, _)| o.attacker_net).sum::<f64>() / n,
				v.iter().map(|(o, _)| o.honest_net).sum::<f64>() / n,
			);
		}
	}
}

#[test]
fn gold_anchors_the_harsh_setting() {
	// Issue 12's target in the harsh setting (10 members, honest sd 0.15) with one gold task in
	// ten, in every seed: Spearman at least 0.95 x the same seed's no-attack run, and attackers'
	// trust below 0.3 x honest after 20 tasks, up to 40% attackers of every kind but
	// `Intermittent`, which is honest on the gold tasks of the seeds where they fall on its
	// honest turns (`docs/adversarial-report.md` gives its figures; it is not met).
	for kind in KINDS {
		for pct in FRACTIONS {
			for (seed, (o, base)) in per_seed(kind, pct, HARSH_GOLD).iter().enumerate() {
				assert!(
					o.spearman >= 0.95 * base.spearman,
					"{kind:?} {pct}% seed {seed}: Spearman {} vs {}",
					o.spearman,
					base.spearman
				);
				if kind != Attack::Intermittent {
					assert!(o.trust_ratio < 0.3, "{kind:?} {pct}% seed {seed}: trust ratio {}", o.trust_ratio);
				}
			}
		}
	}
}
