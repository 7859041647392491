//! The randomised harness: long sequences of arbitrary calls of the tasks, evaluators,
//! consensus and calibration pallets, from arbitrary origins (governance included), across many
//! blocks with their hooks. After every block: every pallet's `try_state` holds, and total
//! issuance has moved only by what was slashed or forfeited to burn (the mock burns them).
//!
//! `POQ_HARNESS_CALLS` sets the number of calls (10,000 by default, over a tenth as many
//! blocks), `POQ_HARNESS_SEED` the first seed; the README gives the nightly-size command.

use crate::{
	tests::{mock::*, util::Rng},
	*,
};
use frame_support::traits::{Hooks, OnIdle};
use poq_primitives::TaskFamily;
use sp_runtime::traits::Dispatchable;

/// Every account the harness acts for: the user, the gold poster, providers, evaluators and
/// one that owns nothing.
fn accounts() -> Vec<u64> {
	[USER, GOLD_POSTER].into_iter().chain(PROVIDERS..PROVIDERS + 8).chain(EVALUATORS..EVALUATORS + 16).chain([999]).collect()
}

fn permill(r: &mut Rng) -> Permill {
	if r.chance(10) { Permill::one() } else { Permill::from_parts(r.below(1_000_001) as u32) }
}

fn perbill(r: &mut Rng) -> Perbill {
	Perbill::from_parts(r.below(1_000_000_001) as u32)
}

fn amount(r: &mut Rng) -> Balance {
	match r.below(4) {
		0 => r.below(200),
		1 => r.below(5_000),
		2 => r.below(1_100_000),
		_ => 1_000,
	}
}

fn family(r: &mut Rng) -> TaskFamily {
	r.pick(&[TaskFamily::Qa, TaskFamily::Summarization, TaskFamily::Code, TaskFamily::Open])
}

/// The output a provider gives to a task (so that a right reveal can be made).
fn output(who: u64, task: TaskId) -> Vec<u8> {
	format!("o{who}-{task}").into_bytes()
}

/// Reports for `n` outputs: mostly agreeing, sometimes wild.
fn reports(r: &mut Rng, n: u32) -> Vec<ScoreReport> {
	let n = match r.below(10) {
		0 => n.saturating_sub(1),
		1 => n + 1,
		_ => n,
	};
	let base = r.below(1_000_001) as u32;
	(0..n)
		.map(|i| {
			let x = if r.chance(20) { r.below(1_000_001) as u32 } else { (base + 37_000 * i) % 1_000_001 };
			report(x)
		})
		.collect()
}

/// Governed parameters, valid or not.
fn params(r: &mut Rng) -> Params<u64> {
	let mut p = default_params();
	p.commit_blocks = r.below(4);
	p.reveal_blocks = r.below(4);
	p.committee_size = r.below(18) as u32;
	p.outlier_strikes = r.below(4) as u32;
	p.slash_no_reveal = perbill(r);
	p.inference_share = perbill(r);
	p.quality_floor = permill(r);
	p.result_retention = r.below(8);
	p.cost_cap = r.below(20) as u32;
	if r.chance(20) {
		p.rule = AggregationRule::TrimmedMean(permill(r));
	}
	p
}

/// Where an arbitrary call is made: the account drawn, a task id (possibly one past the last),
/// and the origin drawn for calls that do not pick their own.
#[derive(Clone)]
struct At {
	who: u64,
	task: TaskId,
	origin: RuntimeOrigin,
}

impl At {
	/// The origin of a governance call: root for half of the accounts, else the account itself
	/// (which governance refuses).
	fn gov(&self) -> RuntimeOrigin {
		if r_bool(self.who) { RuntimeOrigin::root() } else { RuntimeOrigin::signed(self.who) }
	}
}

/// A call and the origin it is dispatched from.
type Dispatch = (RuntimeCall, RuntimeOrigin);

/// One arbitrary call and the origin it is dispatched from: a call of the tasks (3 in 7 draws),
/// evaluators, consensus or calibration pallet.
fn arbitrary_call(r: &mut Rng, scores: &mut alloc::collections::BTreeMap<(TaskId, u64), Vec<ScoreReport>>) -> Dispatch {
	let who = r.pick(&accounts());
	let tasks = pallet_poq_tasks::NextTaskId::<Test>::get();
	let task = r.below(tasks + 1);
	let origin = match r.below(20) {
		0 => RuntimeOrigin::root(),
		1 => RuntimeOrigin::none(),
		_ => RuntimeOrigin::signed(who),
	};
	let at = At { who, task, origin };
	match r.below(30) {
		k @ 0..=11 => tasks_call(r, k, at),
		k @ 12..=20 => evaluators_call(r, k, at),
		k @ 21..=28 => consensus_call(r, k, at, scores),
		_ => calibration_call(r, at),
	}
}

/// A call of the tasks pallet (`k` in 0..=11).
fn tasks_call(r: &mut Rng, k: u64, at: At) -> Dispatch {
	use pallet_poq_tasks::Call as Tk;
	let At { who, task, .. } = at;
	let call: RuntimeCall = match k {
		0..=2 => Tk::submit_query {
			family: family(r),
			query: b"q".repeat(r.below(70) as usize),
			reference: r.chance(30).then(|| b"ref".to_vec()),
			bounty: amount(r),
			options: pallet_poq_tasks::QueryOptions {
				max_outputs: r.chance(50).then(|| r.below(10) as u32),
				committee_size: r.chance(50).then(|| r.below(18) as u32),
			},
		}
		.into(),
		3 => Tk::cancel_query { task }.into(),
		4 => Tk::register_provider { model_id: format!("m{}@1", r.below(4)).into_bytes(), declared_cost: amount(r) }.into(),
		5 => {
			// Mostly a provider changing model; sometimes governance changing the registry.
			let model = format!("m{}", r.below(4));
			return match r.below(8) {
				0 => (Tk::register_model { name: model.into_bytes(), version: b"1".to_vec() }.into(), at.gov()),
				1 => (Tk::retire_model { model_id: format!("{model}@1").into_bytes() }.into(), at.gov()),
				2 => (Tk::remove_model { model_id: format!("{model}@1").into_bytes() }.into(), at.gov()),
				_ => (Tk::update_provider { model_id: format!("{model}@1").into_bytes(), declared_cost: amount(r) }.into(), at.origin),
			};
		},
		6 => Tk::deregister_provider {}.into(),
		7..=8 => {
			let c = poq_primitives::commitment::output(&who, task, &output(who, task), &SALT);
			Tk::commit_output { task, commitment: if r.chance(90) { c } else { H256::repeat_byte(1) } }.into()
		},
		9..=10 => Tk::reveal_output { task, output: if r.chance(90) { output(who, task) } else { b"x".to_vec() }, salt: SALT }.into(),
		_ => Tk::set_phase_lengths {
			lengths: pallet_poq_tasks::PhaseLengths { answer: r.below(5), reveal: r.below(5), scoring: r.below(12) },
		}
		.into(),
	};
	(call, at.origin)
}

/// A call of the evaluators pallet (`k` in 12..=20).
fn evaluators_call(r: &mut Rng, k: u64, at: At) -> Dispatch {
	use pallet_poq_evaluators::Call as Ev;
	let call: RuntimeCall = match k {
		12 => Ev::bond { amount: amount(r) }.into(),
		13 => Ev::bond_extra { amount: amount(r) }.into(),
		14 => Ev::unbond { amount: amount(r) }.into(),
		15 => Ev::withdraw_unbonded {}.into(),
		16 => Ev::rebond { amount: amount(r) }.into(),
		17 => Ev::activate {}.into(),
		18 => Ev::chill {}.into(),
		19 => {
			let (a, b, c) = (perbill(r), perbill(r), perbill(r));
			let mut v = [a, b, c];
			if r.chance(80) {
				v.sort();
			}
			return (
				Ev::set_trust_bounds { bounds: pallet_poq_evaluators::TrustBounds { min: v[0], max: v[2] } }.into(),
				at.gov(),
			);
		},
		_ => {
			return if r.chance(50) {
				(Ev::slash { who: r.pick(&accounts()), fraction: perbill(r) }.into(), at.gov())
			} else {
				let key = r.chance(80).then(|| r.pick(&accounts()));
				(Ev::set_scoring_key { key }.into(), at.origin)
			};
		},
	};
	(call, at.origin)
}

/// A call of the consensus pallet (`k` in 21..=28); `scores` remembers what members committed
/// to, so that they can reveal it.
fn consensus_call(
	r: &mut Rng,
	k: u64,
	at: At,
	scores: &mut alloc::collections::BTreeMap<(TaskId, u64), Vec<ScoreReport>>,
) -> Dispatch {
	let At { who, task, .. } = at;
	match k {
		21 => (Call::<Test>::set_price { price: amount(r) }.into(), at.origin),
		22..=24 => {
			// A member of a round commits to reports it will (mostly) reveal.
			let round = Rounds::<Test>::iter().nth(r.below(4) as usize);
			let (task, who, outputs) = match round {
				Some((t, round)) if !round.committee.is_empty() => {
					let (m, _) = round.committee[r.below(round.committee.len() as u64) as usize];
					(t, m, round.outputs)
				},
				_ => (task, who, 1),
			};
			let rep = reports(r, outputs);
			scores.insert((task, who), rep.clone());
			let commitment = poq_primitives::commitment::scores(&who, task, &rep, &MODEL_SET, &SALT);
			(Call::<Test>::commit_scores { task, commitment }.into(), RuntimeOrigin::signed(who))
		},
		25..=26 => {
			let key = Commits::<Test>::iter_keys().nth(r.below(4) as usize).unwrap_or((task, who));
			let rep = match scores.get(&key) {
				Some(rep) if r.chance(90) => rep.clone(),
				_ => reports(r, 2),
			};
			(
				Call::<Test>::reveal_scores { task: key.0, reports: rep, model_set: MODEL_SET, salt: SALT }.into(),
				RuntimeOrigin::signed(key.1),
			)
		},
		27 => (Call::<Test>::settle { task }.into(), at.origin),
		_ => {
			let mut w = [Permill::zero(); 6];
			w.iter_mut().for_each(|x| *x = if r.chance(50) { permill(r) } else { Permill::zero() });
			match r.below(3) {
				0 => (Call::<Test>::set_dimension_weights { family: family(r), weights: w }.into(), at.gov()),
				1 => (Call::<Test>::set_min_committee { min: r.below(6) as u32 }.into(), at.gov()),
				_ => (Call::<Test>::set_params { params: params(r) }.into(), at.gov()),
			}
		},
	}
}

/// A call of the calibration pallet.
fn calibration_call(r: &mut Rng, at: At) -> Dispatch {
	use pallet_poq_calibration::Call as Cal;
	let At { who, task, .. } = at;
	let call: RuntimeCall = match r.below(5) {
		0 => return (Cal::add_gold_poster { who: r.pick(&accounts()) }.into(), at.gov()),
		1 => return (Cal::remove_gold_poster { who: r.pick(&accounts()) }.into(), at.gov()),
		2 => {
			let labels = pallet_poq_calibration::GoldLabels::Quality((0..r.below(4)).map(|_| permill(r)).collect());
			Cal::commit_gold { commitment: poq_primitives::commitment::gold(&who, task, &labels, &SALT) }.into()
		},
		3 => {
			let labels = pallet_poq_calibration::GoldLabels::Quality((0..r.below(4)).map(|_| permill(r)).collect());
			let commitment = poq_primitives::commitment::gold(&who, task, &labels, &SALT);
			Cal::reveal_gold { commitment, task, labels, salt: SALT }.into()
		},
		_ => Cal::cancel_gold { commitment: H256::repeat_byte(r.below(3) as u8) }.into(),
	};
	(call, at.origin)
}

/// Whether governance calls of `who` go through root (half of the accounts' draws).
fn r_bool(who: u64) -> bool {
	who % 2 == 0
}

/// What the block's events burnt: slashes, forfeited output deposits (unrevealed or below the
/// quality floor), refused gold deposits.
fn burnt_in_events() -> Balance {
	System::events()
		.into_iter()
		.map(|e| match e.event {
			RuntimeEvent::Evaluators(pallet_poq_evaluators::Event::Slashed { amount, .. }) => amount,
			RuntimeEvent::Tasks(pallet_poq_tasks::Event::OutputForfeited { amount, .. }) => amount,
			RuntimeEvent::Tasks(pallet_poq_tasks::Event::OutputBelowFloor { amount, .. }) => amount,
			RuntimeEvent::Calibration(pallet_poq_calibration::Event::GoldRejected { slashed, .. }) => slashed,
			_ => 0,
		})
		.sum()
}

/// Runs `calls` arbitrary calls over `calls / 10` blocks from `seed`; returns how many
/// succeeded.
fn run(seed: u64, calls: u64) -> u64 {
	let mut r = Rng(seed);
	let mut scores = alloc::collections::BTreeMap::new();
	let mut ok = 0u64;
	test(|| {
		DrawDelay::set(2);
		RANDOM_SEED.with(|s| s.set(seed));
		let blocks = (calls / 10).max(1);
		for _ in 0..blocks {
			let issuance = Balances::total_issuance();
			for _ in 0..calls / blocks {
				let (call, origin) = arbitrary_call(&mut r, &mut scores);
				if call.dispatch(origin).is_ok() {
					ok += 1;
				}
			}
			FAIL_SETTLE.with(|f| f.set(r.chance(3)));
			let now = System::block_number();
			if r.chance(50) {
				AllPalletsWithSystem::on_idle(now, frame_support::weights::Weight::from_parts(u64::MAX / 4, u64::MAX / 4));
			}
			let next = now + 1;
			System::set_block_number(next);
			Tasks::on_initialize(next);
			Consensus::on_initialize(next);
			let burnt = burnt_in_events();
			assert_eq!(Balances::total_issuance() + burnt, issuance, "issuance moved by more than burns at block {next}");
			try_state();
			System::reset_events();
		}
	});
	ok
}

#[test]
fn randomised_calls_keep_every_invariant() {
	let calls: u64 = std::env::var("POQ_HARNESS_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
	let seed: u64 = std::env::var("POQ_HARNESS_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
	// Several runs, so that each explores another history.
	let runs = 4;
	let mut ok = 0;
	for s in seed..seed + runs {
		ok += run(s, calls / runs);
	}
	println!("randomised harness: {calls} calls over {} blocks, {ok} succeeded", calls / 10);
	// The harness must reach the pallets' logic, not only their error paths.
	assert!(ok * 20 >= calls, "only {ok} of {calls} calls succeeded");
}
