//! The market's attacks (`docs/security.md`, "A market nobody can capture cheaply"), each run
//! through the pallets with the attacker's cost and gain: trust farming through small
//! committees, output-slot squatting, and a backlog of lapsing queries. `market_report`
//! (ignored; `scripts/adversarial.sh` runs it) prints the figures of `docs/adversarial-report.md`.

use super::{mock::*, unit::committee};
use crate::{Error, MinCommittee, Results};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::Inspect, weights::Weight};
use pallet_poq_tasks::{Committers, QueryOptions};
use poq_primitives::{EvaluatorRegistry, ScoreReport, TaskFamily, TaskId};
use sp_runtime::{Perbill, Permill};

/// The reports of a member for the outputs of `task`: `good` for honest providers' outputs,
/// `junk` for the others (sybils are the providers `>= sybils_from`).
fn reports(task: TaskId, sybils_from: u64, good: u32, junk: u32) -> Vec<ScoreReport> {
	Committers::<Test>::get(task).iter().map(|p| report(if *p >= sybils_from { junk } else { good })).collect()
}

/// Runs the committee of `task` (at its draw): `plan(member)` gives each member's reports
/// (`None`: it stays silent). Commits at once, reveals once the commit window closed, and runs
/// to settlement.
fn score(task: TaskId, plan: impl Fn(u64) -> Option<Vec<ScoreReport>>) {
	let round = crate::Rounds::<Test>::get(task).expect("a drawn committee");
	for m in committee(task) {
		if let Some(r) = plan(m) {
			commit(m, task, &r);
		}
	}
	run_to(round.commit_ends + 1);
	for m in committee(task) {
		if let Some(r) = plan(m) {
			if crate::Commits::<Test>::contains_key(task, m) {
				reveal(m, task, &r);
			}
		}
	}
	run_to(round.reveal_ends + 1);
	assert!(Results::<Test>::get(task).is_some(), "task {task} settled");
}

/// What trust farming gave the attacker after `tasks` self-posted tasks.
#[derive(Debug)]
pub struct Farming {
	/// The sybil evaluator's trust before and after.
	pub trust: (Perbill, Perbill),
	/// Seats the sybil held.
	pub seats: u32,
	/// The attacker's balance change (bounties paid out to others, rewards earned), both
	/// accounts together.
	pub net: i128,
}

/// A sybil evaluator (new, price 0) and its owner posting `tasks` minimum-bounty QA tasks with
/// the smallest committee allowed, among six honest evaluators (established, price 50: above
/// the evaluation budget of a minimum bounty). The sybil reports every output perfect without
/// looking; honest members report the truth (0.8). `min`: the committee minimum.
pub fn trust_farming(min: u32, tasks: u32) -> Farming {
	test(|| {
		let honest = bond_evaluators(6);
		for e in &honest {
			assert_ok!(crate::Pallet::<Test>::set_price(signed(*e), 50));
		}
		let sybil = EVALUATORS + 10;
		bond_new(sybil);
		MinCommittee::<Test>::put(min);
		let provider = PROVIDERS;
		assert_ok!(Tasks::register_provider(signed(provider), b"m@1".to_vec(), 10));
		let money = || Balances::balance(&ATTACKER) as i128 + Balances::total_balance(&sybil) as i128;
		let (before, trust0) = (money(), Evaluators::trust(&sybil).unwrap());
		let mut seats = 0;
		for _ in 0..tasks {
			let t = pallet_poq_tasks::NextTaskId::<Test>::get();
			let options = QueryOptions { max_outputs: Some(1), committee_size: Some(min) };
			assert_ok!(Tasks::submit_query(signed(ATTACKER), TaskFamily::Qa, b"q".to_vec(), None, 100, options));
			let c = poq_primitives::commitment::output(&provider, t, b"o", &SALT);
			assert_ok!(Tasks::commit_output(signed(provider), t, c));
			run_to(pallet_poq_tasks::Tasks::<Test>::get(t).unwrap().answer_ends);
			assert_ok!(Tasks::reveal_output(signed(provider), t, b"o".to_vec(), SALT));
			run_to(System::block_number() + 1);
			seats += committee(t).contains(&sybil) as u32;
			score(t, |m| Some(vec![report(if m == sybil { 1_000_000 } else { 800_000 })]));
		}
		Farming { trust: (trust0, Evaluators::trust(&sybil).unwrap()), seats, net: money() - before }
	})
}

#[test]
fn a_committee_of_one_farmed_trust_and_the_minimum_stops_it() {
	// Before: with a minimum of one, the sybil is the only member the budget admits, its lone
	// reveal is the consensus, and 60 tasks take it from the lowest trust to the highest.
	let before = trust_farming(1, 60);
	assert_eq!(before.seats, 60);
	assert!(before.trust.1 > Perbill::from_percent(90), "{before:?}");
	// After: the minimum of three is filled by weight whatever the budget; the sybil rarely
	// sits, and when it does it deviates from the honest majority.
	let after = trust_farming(3, 60);
	assert!(after.trust.1 <= after.trust.0, "{after:?}");
	assert!(after.net <= 0, "{after:?}");
}

#[test]
fn queries_may_not_ask_below_the_minimum_and_the_submitter_never_sits() {
	test(|| {
		MinCommittee::<Test>::put(3);
		let small = QueryOptions { max_outputs: None, committee_size: Some(2) };
		assert_noop!(
			Tasks::submit_query(signed(USER), TaskFamily::Qa, b"q".to_vec(), None, 1_000, small),
			pallet_poq_tasks::Error::<Test>::CommitteeTooSmall
		);
		// Governance: 1 ..= the default committee size.
		assert_noop!(crate::Pallet::<Test>::set_min_committee(RuntimeOrigin::root(), 0), Error::<Test>::InvalidMinCommittee);
		assert_noop!(crate::Pallet::<Test>::set_min_committee(RuntimeOrigin::root(), 6), Error::<Test>::InvalidMinCommittee);
		assert_noop!(crate::Pallet::<Test>::set_min_committee(signed(USER), 2), sp_runtime::DispatchError::BadOrigin);
		assert_ok!(crate::Pallet::<Test>::set_min_committee(RuntimeOrigin::root(), 2));
		assert!(events().contains(&crate::Event::MinCommitteeSet { min: 2 }));
		// An evaluator that posts a task is left out of its draw, whatever its weight.
		let evaluators = bond_evaluators(3);
		bond(USER);
		let t = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 2);
		let members = committee(t);
		assert_eq!(members.len(), 3);
		assert!(!members.contains(&USER));
		assert!(members.iter().all(|m| evaluators.contains(m)));
	});
}

#[test]
fn fewer_valid_reveals_than_the_minimum_change_no_trust_and_pay_nobody() {
	test(|| {
		MinCommittee::<Test>::put(3);
		bond_evaluators(3);
		let t = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 2);
		let members = committee(t);
		let lone = members[0];
		let trust = Evaluators::trust(&lone).unwrap();
		let rating = pallet_poq_tasks::Providers::<Test>::get(PROVIDERS).unwrap().rating;
		// One member reveals, the two others commit and reveal nothing... no: stay silent.
		score(t, |m| (m == lone).then(|| vec![report(900_000)]));
		let r = Results::<Test>::get(t).unwrap();
		assert_eq!(Evaluators::trust(&lone).unwrap(), trust, "no consensus, no trust change");
		assert_eq!(r.refunded, 1_000, "nobody is paid without a consensus");
		assert_eq!(pallet_poq_tasks::Providers::<Test>::get(PROVIDERS).unwrap().rating, rating);
	});
}

/// What slot squatting gave the sybils after `tasks` tasks.
#[derive(Debug)]
pub struct Squatting {
	/// Slots the honest providers got, of all slots.
	pub honest_share: f64,
	/// The eight sybils' balance change, together.
	pub sybil_net: i128,
	/// The eight honest providers' balance change, together.
	pub honest_net: i128,
}

/// Eight sybil providers commit first to every task, eight honest ones after them (16
/// commitments for 8 slots). Three honest evaluators score honest outputs 0.8, junk 0.1.
pub fn slot_squatting(tasks: u32) -> Squatting {
	test(|| {
		let evaluators = bond_evaluators(3);
		let honest: Vec<u64> = (PROVIDERS..PROVIDERS + 8).collect();
		let sybils: Vec<u64> = (PROVIDERS + 8..PROVIDERS + 16).collect();
		for p in honest.iter().chain(&sybils) {
			assert_ok!(Tasks::register_provider(signed(*p), b"m@1".to_vec(), 10));
		}
		let total = |ps: &[u64]| ps.iter().map(|p| Balances::total_balance(p) as i128).sum::<i128>();
		let (h0, s0) = (total(&honest), total(&sybils));
		let (mut slots, mut honest_slots) = (0usize, 0usize);
		for _ in 0..tasks {
			let t = pallet_poq_tasks::NextTaskId::<Test>::get();
			assert_ok!(Tasks::submit_query(signed(USER), TaskFamily::Qa, b"q".to_vec(), None, 1_000, Default::default()));
			for p in sybils.iter().chain(&honest) {
				let out = if *p >= PROVIDERS + 8 { b"junk".to_vec() } else { b"good".to_vec() };
				assert_ok!(Tasks::commit_output(signed(*p), t, poq_primitives::commitment::output(p, t, &out, &SALT)));
			}
			// The sixteenth commitment closed the answer phase; the admission draw runs next.
			run_to(System::block_number() + 1);
			let admitted = Committers::<Test>::get(t);
			slots += admitted.len();
			honest_slots += admitted.iter().filter(|p| honest.contains(p)).count();
			for p in admitted.iter() {
				let out = if *p >= PROVIDERS + 8 { b"junk".to_vec() } else { b"good".to_vec() };
				assert_ok!(Tasks::reveal_output(signed(*p), t, out, SALT));
			}
			run_to(System::block_number() + 1);
			assert!(committee(t).iter().all(|m| evaluators.contains(m)));
			score(t, |_| Some(reports(t, PROVIDERS + 8, 800_000, 100_000)));
		}
		Squatting {
			honest_share: honest_slots as f64 / slots as f64,
			sybil_net: total(&sybils) - s0,
			honest_net: total(&honest) - h0,
		}
	})
}

#[test]
fn squatters_lose_the_slots_and_their_money() {
	let s = slot_squatting(50);
	assert!(s.honest_share >= 0.75, "{s:?}");
	assert!(s.sybil_net < 0, "{s:?}");
	assert!(s.honest_net > 0, "{s:?}");
}

/// What a flood of lapsing queries cost and caused.
#[derive(Debug)]
pub struct Backlog {
	/// Queries posted.
	pub queries: u32,
	/// Weight the queries were charged for their scheduled work (beyond the call itself).
	pub charged: Weight,
	/// Weight the tasks pallet's hooks spent servicing the schedule meanwhile.
	pub spent: Weight,
	/// The honest evaluators' trust before and after.
	pub trust: Vec<(Perbill, Perbill)>,
	/// Whether the honest task was scored (else it expired in the backlog, its bounty returned).
	pub honest_scored: bool,
}

/// `per_block` queries nobody answers, every block for `blocks` blocks, with the hooks' budget
/// cut to a hundred entries a block, and one honest task posted in the middle; three honest
/// evaluators act one block after each of their windows opens.
pub fn backlog(per_block: u32, blocks: u32) -> Backlog {
	test(|| {
		let evaluators = bond_evaluators(3);
		let trust0: Vec<Perbill> = evaluators.iter().map(|e| Evaluators::trust(e).unwrap()).collect();
		let entry = pallet_poq_tasks::Pallet::<Test>::action_weight(pallet_poq_tasks::Action::CloseReveal);
		ServiceWeight::set(&(entry * 100));
		let call = pallet_poq_tasks::Call::<Test>::submit_query {
			family: TaskFamily::Qa,
			query: b"q".to_vec(),
			reference: None,
			bounty: 100,
			options: Default::default(),
		};
		let own = <() as pallet_poq_tasks::WeightInfo>::submit_query(1, 0);
		let charged_each = call.get_dispatch_info().call_weight.saturating_sub(own);
		let (mut charged, mut spent, mut queries) = (Weight::zero(), Weight::zero(), 0u32);
		let mut honest = None;
		let end = System::block_number() + blocks as u64;
		// Every block: the flood, then (from the next block's hooks) the service.
		while System::block_number() < end + 40 {
			if System::block_number() < end {
				for _ in 0..per_block {
					assert_ok!(Tasks::submit_query(signed(ATTACKER), TaskFamily::Qa, b"q".to_vec(), None, 100, Default::default()));
					charged = charged.saturating_add(charged_each);
					queries += 1;
				}
			}
			if honest.is_none() && System::block_number() == end / 2 {
				let t = pallet_poq_tasks::NextTaskId::<Test>::get();
				assert_ok!(Tasks::register_provider(signed(PROVIDERS), b"m@1".to_vec(), 10));
				assert_ok!(Tasks::submit_query(signed(USER), TaskFamily::Qa, b"q".to_vec(), None, 1_000, Default::default()));
				assert_ok!(Tasks::commit_output(signed(PROVIDERS), t, poq_primitives::commitment::output(&PROVIDERS, t, b"o", &SALT)));
				honest = Some(t);
			}
			let b = System::block_number() + 1;
			System::set_block_number(b);
			spent = spent.saturating_add(<Tasks as frame_support::traits::Hooks<u64>>::on_initialize(b));
			<Consensus as frame_support::traits::Hooks<u64>>::on_initialize(b);
			if let Some(t) = honest {
				act_honestly(t, b, &evaluators);
			}
		}
		let trust = evaluators.iter().zip(trust0).map(|(e, t0)| (t0, Evaluators::trust(e).unwrap())).collect();
		let honest_scored = honest.is_some_and(|t| {
			System::events().iter().any(|r| {
				matches!(&r.event, RuntimeEvent::Consensus(crate::Event::TaskScored { task, .. }) if *task == t)
			})
		});
		Backlog { queries, charged, spent, trust, honest_scored }
	})
}

/// The honest provider reveals and the honest members commit and reveal in the block after
/// their window opens (when it is still open then).
fn act_honestly(t: TaskId, now: u64, evaluators: &[u64]) {
	let Some(info) = pallet_poq_tasks::Tasks::<Test>::get(t) else { return };
	if now == info.answer_ends + 1 && now < info.reveal_ends {
		let _ = Tasks::reveal_output(signed(PROVIDERS), t, b"o".to_vec(), SALT);
	}
	let Some(round) = crate::Rounds::<Test>::get(t) else { return };
	for m in committee(t).into_iter().filter(|m| evaluators.contains(m)) {
		if now == round.drawn_at + 1 && now <= round.commit_ends {
			commit(m, t, &[report(800_000)]);
		}
		if now == round.commit_ends + 1 && now <= round.reveal_ends && crate::Commits::<Test>::contains_key(t, m) {
			reveal(m, t, &[report(800_000)]);
		}
	}
}

#[test]
fn a_backlog_flood_pays_for_its_hook_work_and_costs_honest_members_nothing() {
	let b = backlog(1_000, 10);
	assert_eq!(b.queries, 10_000);
	assert!(b.spent.all_lte(b.charged), "{b:?}");
	assert!(b.trust.iter().all(|(before, after)| after >= before), "{b:?}");
}

/// Milliseconds of reference time.
fn ms(w: Weight) -> f64 {
	w.ref_time() as f64 / 1e9
}

#[test]
#[ignore = "prints the market report (scripts/adversarial.sh)"]
fn market_report() {
	println!("### The market's attacks (mock runtime, real pallets)\n");
	println!("| attack | setting | attacker's cost | attacker's gain | outcome |");
	println!("|---|---|---|---|---|");
	for min in [1, 3] {
		let f = trust_farming(min, 60);
		println!(
			"| trust farming, 60 self-posted 100-unit tasks | committee minimum {min} | {} units net | trust {:.0}% -> {:.1}% ({} seats) | {} |",
			-f.net,
			f.trust.0.deconstruct() as f64 / 1e7,
			f.trust.1.deconstruct() as f64 / 1e7,
			f.seats,
			if f.trust.1 > f.trust.0 { "pays" } else { "does not pay" }
		);
	}
	let s = slot_squatting(50);
	println!(
		"| slot squatting, 8 sybils commit first to 50 tasks | 8 honest providers, 8 slots | {} units lost by the sybils | honest providers hold {:.0}% of the slots (+{} units) | does not pay |",
		-s.sybil_net,
		100.0 * s.honest_share,
		s.honest_net
	);
	let b = backlog(1_000, 10);
	let kept = b.trust.iter().all(|(x, y)| y >= x);
	println!(
		"| backlog: 1,000 lapsing queries a block for 10 blocks | hooks cut to 100 entries a block | {:.0} ms of weight charged | {:.0} ms of hook work caused | honest trust {}; the honest task {} |",
		ms(b.charged),
		ms(b.spent),
		if kept { "kept" } else { "lost" },
		if b.honest_scored { "was scored" } else { "expired, its bounty returned" }
	);
	let _ = Permill::zero();
}

#[test]
fn a_second_close_of_a_block_only_joins_its_snapshot() {
	use poq_primitives::TaskScoring;
	test(|| {
		DrawDelay::set(2);
		bond_evaluators(8);
		// The first close of a block pays the snapshot, the next ones only join it.
		let first = <crate::Pallet<Test> as TaskScoring>::current_begin_weight();
		let t = post_task(&[PROVIDERS], 1_000);
		// Every output revealed: the reveal phase closes in the next block's hooks, which take
		// the snapshot for the draw two blocks later.
		run_to(System::block_number() + 1);
		assert!(crate::PendingDraws::<Test>::contains_key(t), "the draw is pending");
		let next = <crate::Pallet<Test> as TaskScoring>::current_begin_weight();
		assert!(next.all_lt(first), "{next:?} < {first:?}");
		assert!(first.all_lte(<crate::Pallet<Test> as TaskScoring>::begin_weight()));
	});
}
