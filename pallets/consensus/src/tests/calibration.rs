//! Calibration through the pallets (mock runtime with the real tasks, evaluators, consensus and
//! calibration pallets): a gold task looks like any task to its committee; a dimension made
//! unreliable on purpose is gated within 10 gold tasks and comes back within 10 once sound; once
//! gated, the composite ranks the outputs at least as well as the fallback.

use crate::{
	tests::{
		mock::*,
		util::{clip as pm, spearman, Rng},
	},
	*,
};
use frame_support::assert_ok;
use pallet_poq_calibration::{Gated, GoldLabels, Windows};
use poq_primitives::ScoreReport;

const OUTPUTS: usize = 8;

/// How the committee's alignment model behaves.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Alignment {
	Sound,
	Inverted,
	Noise,
}

/// Runs one gold task scored by five honest members (truth + small noise on structure and
/// semantic; alignment as `alignment`, the same for everyone, as a broken shared model would
/// be). Returns the published composites and the fallback (semantic) per output with the truth.
fn gold_task(rng: &mut Rng, alignment: Alignment) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
	let truth: Vec<f64> = (0..OUTPUTS).map(|_| rng.unit()).collect();
	let shared_noise: Vec<f64> = (0..OUTPUTS).map(|_| rng.unit()).collect();
	let labels = GoldLabels::Quality(truth.iter().map(|q| pm(*q)).collect());
	let next = pallet_poq_tasks::NextTaskId::<Test>::get();
	let c = poq_primitives::commitment::gold(&GOLD_POSTER, next, &labels, &SALT);
	assert_ok!(Calibration::commit_gold(signed(GOLD_POSTER), c));
	let providers: Vec<u64> = (PROVIDERS..PROVIDERS + OUTPUTS as u64).collect();
	let task = post_task(&providers, 10_000);
	run_to(System::block_number() + 2);
	let members: Vec<u64> = Rounds::<Test>::get(task).unwrap().committee.iter().map(|(m, _)| *m).collect();
	let mut all = Vec::new();
	for m in &members {
		let r: Vec<ScoreReport> = (0..OUTPUTS)
			.map(|i| {
				let q = truth[i];
				let mut noise = || (rng.unit() - 0.5) * 0.1;
				ScoreReport {
					structure: pm(q + noise()),
					semantic: pm(q + noise()),
					alignment: pm(match alignment {
						Alignment::Sound => q + noise(),
						Alignment::Inverted => 1.0 - q,
						Alignment::Noise => shared_noise[i],
					}),
				}
			})
			.collect();
		commit(*m, task, &r);
		all.push((*m, r));
	}
	run_to(System::block_number() + 2);
	all.iter().for_each(|(m, r)| reveal(*m, task, r));
	run_to(System::block_number() + 2);
	let result = Results::<Test>::get(task).expect("settled");
	assert_ok!(Calibration::reveal_gold(signed(GOLD_POSTER), c, task, labels, SALT));
	let composite = result.outputs.iter().map(|o| o.composite.deconstruct() as f64).collect();
	let fallback = result.outputs.iter().map(|o| o.scores[3].unwrap().deconstruct() as f64).collect();
	(composite, fallback, truth)
}

/// Every task a gold task (the share does not matter to the gate, only the gold count).
fn setup() {
	bond_evaluators(5);
	approve_gold_poster();
	let mut p = pallet_poq_calibration::CalibrationParams::recommended();
	p.gold_share = Perbill::one();
	assert_ok!(Calibration::set_params(RuntimeOrigin::root(), p));
}

fn scenario(broken: Alignment) {
	test(|| {
		setup();
		let mut rng = Rng(broken as u64 + 7);
		// Sound for a while: alignment counts.
		for _ in 0..5 {
			gold_task(&mut rng, Alignment::Sound);
		}
		assert!(!Gated::<Test>::get(TaskFamily::Qa)[4], "a sound alignment counts");
		// Broken: gated within 10 gold tasks.
		let mut gated_at = None;
		let (mut rho_composite, mut rho_fallback) = (Vec::new(), Vec::new());
		for k in 1..=10 {
			let (c, f, t) = gold_task(&mut rng, broken);
			if gated_at.is_some() {
				rho_composite.push(spearman(&c, &t));
				rho_fallback.push(spearman(&f, &t));
			}
			if gated_at.is_none() && Gated::<Test>::get(TaskFamily::Qa)[4] {
				gated_at = Some(k);
			}
		}
		let k = gated_at.unwrap_or_else(|| panic!("{broken:?}: not gated within 10 gold tasks"));
		// Once gated, the composite is never worse than the fallback by more than 0.02.
		for _ in 0..5 {
			let (c, f, t) = gold_task(&mut rng, broken);
			rho_composite.push(spearman(&c, &t));
			rho_fallback.push(spearman(&f, &t));
		}
		let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
		let (rc, rf) = (mean(&rho_composite), mean(&rho_fallback));
		assert!(rc >= rf - 0.02, "{broken:?}: composite {rc} vs fallback {rf} once gated");
		// Sound again: back within 10 gold tasks.
		let mut back_at = None;
		for k in 1..=10 {
			gold_task(&mut rng, Alignment::Sound);
			if !Gated::<Test>::get(TaskFamily::Qa)[4] {
				back_at = Some(k);
				break;
			}
		}
		let b = back_at.unwrap_or_else(|| panic!("{broken:?}: not back within 10 gold tasks"));
		println!("{broken:?}: gated after {k} gold tasks, composite {rc:.3} vs fallback {rf:.3}, back after {b}");
		assert_eq!(Windows::<Test>::get(TaskFamily::Qa).len(), 10);
	});
}

#[test]
fn an_inverted_alignment_is_gated_and_comes_back() {
	scenario(Alignment::Inverted);
}

#[test]
fn a_noisy_alignment_is_gated_and_comes_back() {
	scenario(Alignment::Noise);
}

#[test]
fn a_gold_task_is_an_ordinary_task_to_its_committee() {
	test(|| {
		setup();
		let mut rng = Rng(1);
		gold_task(&mut rng, Alignment::Sound);
		// The consensus pallet saw nothing but a task: its events name no gold, and the task was
		// paid out like any other.
		let result = Results::<Test>::iter().next().unwrap().1;
		assert!(result.evaluators.iter().all(|e| e.conduct == Conduct::Revealed && e.reward > 0));
		// The labels were counted and kept for audits, and the members' trust moved.
		assert_eq!(pallet_poq_calibration::Pallet::<Test>::gold_records().len(), 1);
		assert!(pallet_poq_evaluators::Trust::<Test>::iter().all(|(_, t)| t > Perbill::from_percent(50)));
	});
}
