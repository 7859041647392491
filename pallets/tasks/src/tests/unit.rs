//! Unit tests of the tasks pallet: every call, every error path, phase handling, settlement
//! and an invariant over random call sequences.

use crate::{
	tests::mock::*, Action, Committers, Error, Event, HoldReason, OutputTexts,
	Models, Outputs, Phase, PhaseLengths, Phases, Providers, Queries, QueryOptions, References,
	Schedule, Tasks as TaskRecords,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use poq_primitives::{TaskFamily, TaskProvider};
use sp_runtime::DispatchError;

pub(crate) const SALT: [u8; 32] = [42u8; 32];

pub(crate) fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

pub(crate) fn submit(who: u64, bounty: u64) -> u64 {
	submit_with(who, bounty, 3)
}

/// Posts a QA query for `max_outputs` outputs.
pub(crate) fn submit_with(who: u64, bounty: u64, max_outputs: u32) -> u64 {
	let id = crate::NextTaskId::<Test>::get();
	assert_ok!(Tasks::submit_query(
		signed(who),
		TaskFamily::Qa,
		b"What is the capital of France?".to_vec(),
		Some(b"Paris".to_vec()),
		bounty,
		QueryOptions { max_outputs: Some(max_outputs), committee_size: None }
	));
	id
}

pub(crate) fn register(who: u64) {
	assert_ok!(Tasks::register_provider(signed(who), b"model-a@1".to_vec(), 5));
}

pub(crate) fn commit(who: u64, task: u64, out: &[u8]) {
	assert_ok!(Tasks::commit_output(signed(who), task, poq_primitives::commitment::output(&who, task, out, &SALT)));
}

/// The registry's record of `id`.
fn model(id: &[u8]) -> crate::ModelInfoOf<Test> {
	let key: crate::ModelIdOf<Test> = id.to_vec().try_into().unwrap();
	Models::<Test>::get(key).expect("the model is registered")
}

pub(crate) fn held(who: u64, r: HoldReason) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::Tasks(r), &who)
}

#[test]
fn submit_query_holds_bounty_and_deposit() {
	test(|| {
		let t = submit(1, 1_000);
		let info = TaskRecords::<Test>::get(t).unwrap();
		// deposit = 10 + 1 * (30 + 5) bytes
		assert_eq!(info.deposit, 45);
		assert_eq!(held(1, HoldReason::Bounty), 1_000);
		assert_eq!(held(1, HoldReason::TaskDeposit), 45);
		assert_eq!((info.answer_ends, info.reveal_ends, info.scoring_ends), (4, 6, 10));
		assert_eq!(info.options.max_outputs, Some(3));
		assert_eq!(Queries::<Test>::get(t).unwrap().to_vec(), b"What is the capital of France?");
		assert_eq!(References::<Test>::get(t).unwrap().to_vec(), b"Paris");
		assert!(Schedule::<Test>::contains_key(6, (t, Action::CloseReveal)));
		assert!(Schedule::<Test>::contains_key(10, (t, Action::Expire)));
		assert!(Schedule::<Test>::contains_key(15, (t, Action::Prune)));
		assert_eq!(Schedule::<Test>::iter().count(), 3);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Answer));
		assert!(matches!(events()[0], Event::QuerySubmitted { task: 0, bounty: 1_000, .. }));
	});
}

#[test]
fn submit_query_rejects_bad_input() {
	test(|| {
		let q = b"q".to_vec();
		let opts = QueryOptions::default();
		let fam = TaskFamily::Open;
		assert_noop!(Tasks::submit_query(signed(1), fam, vec![], None, 100, opts), Error::<Test>::EmptyQuery);
		assert_noop!(
			Tasks::submit_query(signed(1), fam, vec![1; 65], None, 100, opts),
			Error::<Test>::QueryTooLong
		);
		assert_noop!(
			Tasks::submit_query(signed(1), fam, q.clone(), Some(vec![1; 33]), 100, opts),
			Error::<Test>::ReferenceTooLong
		);
		assert_noop!(
			Tasks::submit_query(signed(1), fam, q.clone(), None, 99, opts),
			Error::<Test>::BountyTooLow
		);
		for bad in [
			QueryOptions { max_outputs: Some(0), committee_size: None },
			QueryOptions { max_outputs: Some(4), committee_size: None },
			QueryOptions { max_outputs: None, committee_size: Some(0) },
			QueryOptions { max_outputs: None, committee_size: Some(6) },
		] {
			assert_noop!(
				Tasks::submit_query(signed(1), fam, q.clone(), None, 100, bad),
				Error::<Test>::InvalidOptions
			);
		}
		assert_noop!(
			Tasks::submit_query(signed(9), fam, q.clone(), None, 100, opts),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Tasks::submit_query(signed(1), fam, q.clone(), None, 20_000, opts),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Tasks::submit_query(RuntimeOrigin::none(), fam, q, None, 100, opts),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_burst_is_accepted_whole_and_its_phase_ends_carry_over() {
	test(|| {
		MaxOpenTasks::set(&100);
		register(2);
		register(3);
		// Forty tasks in one block with two outputs each, one of them revealed (so no phase
		// closes early): forty reveal closes due at block 6, with room for two per block.
		let tasks: Vec<u64> = (0..40).map(|_| submit(1, 100)).collect();
		for t in &tasks {
			commit(2, *t, b"Paris");
			commit(3, *t, b"Lyon");
		}
		run_to(4);
		for t in &tasks[..39] {
			assert_ok!(Tasks::reveal_output(signed(2), *t, b"Paris".to_vec(), SALT));
		}
		// Two closes' time per block (proof size is no limit here, as in the runtime; the
		// mock's database weights are zero).
		let close = <() as crate::WeightInfo>::close_reveal(2);
		ServiceWeight::set(&frame_support::weights::Weight::from_parts(close.ref_time() * 2 + 1_000, u64::MAX));
		run_to(6);
		let started = |evs: &[Event<Test>]| evs.iter().filter(|e| matches!(e, Event::ScoringStarted { .. })).count();
		assert_eq!(started(&events()), 2);
		assert_eq!(Tasks::backlog(6), 38);
		run_to(25);
		// Two per block, in order, none dropped; the one without a revealed output expired.
		assert_eq!(started(&events()), 39);
		assert_eq!(Tasks::phase_of(tasks[39]), Some(Phase::Expired));
		// Then the expiries and the pruning carry over the same way, until nothing is left.
		run_to(100);
		assert_eq!(Tasks::backlog(100), 0);
		assert_eq!(crate::ScheduleCursor::<Test>::get(), 101);
		assert_eq!(TaskRecords::<Test>::iter().count(), 0);
		assert_eq!(Schedule::<Test>::iter().count(), 0);
	});
}

#[test]
fn idle_weight_services_what_on_initialize_left() {
	test(|| {
		use frame_support::traits::Hooks;
		MaxOpenTasks::set(&100);
		register(2);
		let tasks: Vec<u64> = (0..5).map(|_| submit(1, 100)).collect();
		for t in &tasks {
			commit(2, *t, b"Paris");
		}
		// Nothing fits in on_initialize: the closes wait for idle weight.
		ServiceWeight::set(&frame_support::weights::Weight::zero());
		run_to(6);
		assert_eq!(Tasks::backlog(6), 5);
		// One output, none revealed: each close expires its task.
		let close = <() as crate::WeightInfo>::close_reveal(1);
		let w = Tasks::on_idle(6, close * 5);
		assert!(w.all_lte(close * 3));
		assert_eq!(Tasks::backlog(6), 3, "half the idle weight: two closes");
		Tasks::on_idle(6, frame_support::weights::Weight::MAX);
		assert_eq!(Tasks::backlog(6), 0);
		assert!(tasks.iter().all(|t| Tasks::phase_of(*t) == Some(Phase::Expired)));
	});
}

#[test]
fn the_last_reveal_closes_the_reveal_phase_in_its_block() {
	test(|| {
		use frame_support::traits::Hooks;
		let t = submit(1, 1_000);
		register(2);
		register(3);
		commit(2, t, b"a");
		commit(3, t, b"b");
		run_to(4);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"a".to_vec(), SALT));
		assert!(Schedule::<Test>::contains_key(6, (t, Action::CloseReveal)));
		assert_ok!(Tasks::reveal_output(signed(3), t, b"b".to_vec(), SALT));
		// The close moved to this block: the planned one is gone.
		assert!(!Schedule::<Test>::contains_key(6, (t, Action::CloseReveal)));
		assert!(Schedule::<Test>::contains_key(4, (t, Action::CloseReveal)));
		Tasks::on_idle(4, frame_support::weights::Weight::MAX);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Scoring));
		let info = TaskRecords::<Test>::get(t).unwrap();
		assert_eq!(info.reveal_ends, 4);
		assert_eq!(info.scoring_ends, 10, "the expiry deadline does not move");
		assert!(events().contains(&Event::ScoringStarted { task: t, outputs: 2 }));
		assert_eq!(Tasks::backlog(4), 0);
		// Without idle weight, the next block's on_initialize closes it instead.
		let u = submit(1, 1_000);
		commit(2, u, b"a");
		run_to(8);
		assert_ok!(Tasks::reveal_output(signed(2), u, b"a".to_vec(), SALT));
		assert_eq!(Tasks::phase_of(u), Some(Phase::Reveal));
		run_to(9);
		assert_eq!(Tasks::phase_of(u), Some(Phase::Scoring));
		assert_eq!(TaskRecords::<Test>::get(u).unwrap().reveal_ends, 9);
	});
}

#[test]
fn submitting_and_cancelling_in_bulk_leaves_nothing_behind() {
	test(|| {
		for _ in 0..200 {
			let t = submit(1, 100);
			assert_ok!(Tasks::cancel_query(signed(1), t));
		}
		assert_eq!(Schedule::<Test>::iter().count(), 0);
		assert_eq!(TaskRecords::<Test>::iter().count(), 0);
		// Another user's query in the same block is accepted.
		let u = submit(2, 100);
		assert_eq!(Schedule::<Test>::iter().count(), 3);
		assert_eq!(Tasks::phase_of(u), Some(Phase::Answer));
	});
}

#[test]
fn cancel_query_returns_everything() {
	test(|| {
		let free = Balances::balance(&1);
		let t = submit(1, 1_000);
		assert_noop!(Tasks::cancel_query(signed(2), t), Error::<Test>::NotSubmitter);
		assert_noop!(Tasks::cancel_query(signed(1), 99), Error::<Test>::TaskNotFound);
		assert_ok!(Tasks::cancel_query(signed(1), t));
		assert_eq!(Balances::balance(&1), free);
		assert!(TaskRecords::<Test>::get(t).is_none());
		assert!(Queries::<Test>::get(t).is_none());
		assert!(References::<Test>::get(t).is_none());
		assert!(events().contains(&Event::QueryCancelled { task: t }));
		// Nothing of the task stays scheduled.
		assert_eq!(Schedule::<Test>::iter().count(), 0);
		run_to(20);
	});
}

#[test]
fn cancel_query_refused_with_outputs_or_after_the_answer_phase() {
	test(|| {
		let t = submit(1, 1_000);
		register(2);
		commit(2, t, b"Paris");
		assert_noop!(Tasks::cancel_query(signed(1), t), Error::<Test>::HasOutputs);
		let u = submit(1, 1_000);
		run_to(4);
		assert_noop!(Tasks::cancel_query(signed(1), u), Error::<Test>::WrongPhase);
	});
}

#[test]
fn provider_registry() {
	test(|| {
		assert_noop!(Tasks::register_provider(signed(2), vec![], 5), Error::<Test>::InvalidModelId);
		assert_noop!(Tasks::register_provider(signed(2), vec![b'x'; 17], 5), Error::<Test>::InvalidModelId);
		assert_noop!(Tasks::register_provider(signed(7), b"m@1".to_vec(), 5), Error::<Test>::InsufficientBalance);
		assert_noop!(Tasks::update_provider(signed(2), b"m@1".to_vec(), 5), Error::<Test>::NotRegistered);
		assert_noop!(Tasks::deregister_provider(signed(2)), Error::<Test>::NotRegistered);
		register(2);
		assert_eq!(held(2, HoldReason::ProviderDeposit), 50);
		assert_noop!(Tasks::register_provider(signed(2), b"m@1".to_vec(), 5), Error::<Test>::AlreadyRegistered);
		assert_noop!(Tasks::update_provider(signed(2), b"model-b@1".to_vec(), 7), Error::<Test>::UnknownModel);
		assert_ok!(Tasks::update_provider(signed(2), b"m@1".to_vec(), 7));
		assert_eq!(Providers::<Test>::get(2).unwrap().declared_cost, 7);
		assert_eq!(Providers::<Test>::get(2).unwrap().model_id.to_vec(), b"m@1");
		assert_eq!(model(b"m@1").providers, 1);
		assert_eq!(model(b"model-a@1").providers, 0);
		// Busy while it has an open task.
		let t = submit(1, 1_000);
		commit(2, t, b"Paris");
		assert_noop!(Tasks::update_provider(signed(2), b"m@1".to_vec(), 1), Error::<Test>::ProviderBusy);
		assert_noop!(Tasks::deregister_provider(signed(2)), Error::<Test>::ProviderBusy);
		// The task ends (output not revealed: expires at reveal close); the provider is free.
		run_to(6);
		assert_eq!(Providers::<Test>::get(2).unwrap().open_tasks, 0);
		assert_ok!(Tasks::deregister_provider(signed(2)));
		assert_eq!(held(2, HoldReason::ProviderDeposit), 0);
		assert!(events().contains(&Event::ProviderDeregistered { who: 2 }));
	});
}

#[test]
fn commit_output_checks() {
	test(|| {
		let t = submit(1, 1_000);
		let c = poq_primitives::commitment::output(&2u64, t, b"x", &SALT);
		assert_noop!(Tasks::commit_output(signed(2), t, c), Error::<Test>::NotRegistered);
		register(2);
		assert_noop!(Tasks::commit_output(signed(2), 99, c), Error::<Test>::TaskNotFound);
		commit(2, t, b"x");
		assert_eq!(held(2, HoldReason::OutputDeposit), 20);
		assert_noop!(Tasks::commit_output(signed(2), t, c), Error::<Test>::AlreadyCommitted);
		// Account 9 can register (50) but not hold the output deposit (20) with 10 left.
		assert_ok!(Tasks::register_provider(signed(9), b"m@1".to_vec(), 1));
		assert_noop!(
			Tasks::commit_output(signed(9), t, poq_primitives::commitment::output(&9u64, t, b"y", &SALT)),
			Error::<Test>::InsufficientBalance
		);
		run_to(4);
		register(3);
		assert_noop!(
			Tasks::commit_output(signed(3), t, poq_primitives::commitment::output(&3u64, t, b"y", &SALT)),
			Error::<Test>::WrongPhase
		);
	});
}

#[test]
fn commit_output_respects_max_outputs_and_open_task_limits() {
	test(|| {
		assert_ok!(Tasks::submit_query(
			signed(1),
			TaskFamily::Code,
			b"fn".to_vec(),
			None,
			100,
			QueryOptions { max_outputs: Some(1), committee_size: Some(2) }
		));
		register(2);
		register(3);
		register(4);
		commit(2, 0, b"a");
		// Up to twice max_outputs commitments (admitted by a draw later).
		commit(3, 0, b"b");
		assert_noop!(
			Tasks::commit_output(signed(4), 0, poq_primitives::commitment::output(&4u64, 0, b"c", &SALT)),
			Error::<Test>::TooManyOutputs
		);
		// Provider 2 may be in two open tasks at most.
		let a = submit(1, 100);
		let b = submit(1, 100);
		commit(2, a, b"a");
		assert_noop!(
			Tasks::commit_output(signed(2), b, poq_primitives::commitment::output(&2u64, b, b"a", &SALT)),
			Error::<Test>::TooManyOpenTasks
		);
	});
}

#[test]
fn reveal_output_checks() {
	test(|| {
		let t = submit(1, 1_000);
		register(2);
		register(3);
		commit(2, t, b"Paris");
		let long = vec![b'z'; 65];
		commit(3, t, &long);
		assert_noop!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT), Error::<Test>::WrongPhase);
		run_to(4);
		assert_noop!(Tasks::reveal_output(signed(2), 99, b"Paris".to_vec(), SALT), Error::<Test>::TaskNotFound);
		assert_noop!(Tasks::reveal_output(signed(4), t, b"Paris".to_vec(), SALT), Error::<Test>::NotCommitted);
		assert_noop!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), [0u8; 32]), Error::<Test>::BadReveal);
		assert_noop!(Tasks::reveal_output(signed(2), t, b"Lyon".to_vec(), SALT), Error::<Test>::BadReveal);
		// Account 3 cannot reveal account 2's output: the commitment binds the account.
		assert_noop!(Tasks::reveal_output(signed(3), t, b"Paris".to_vec(), SALT), Error::<Test>::BadReveal);
		assert_noop!(Tasks::reveal_output(signed(3), t, long, SALT), Error::<Test>::OutputTooLong);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT));
		// The deposit stays held until the task ends (settlement returns it unless the output
		// scored below the quality floor).
		assert_eq!(held(2, HoldReason::OutputDeposit), 20);
		assert_eq!(Tasks::output_text(t, &2).unwrap(), b"Paris".to_vec());
		assert_noop!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT), Error::<Test>::AlreadyRevealed);
		run_to(6);
		assert_noop!(Tasks::reveal_output(signed(3), t, b"x".to_vec(), SALT), Error::<Test>::WrongPhase);
	});
}

#[test]
fn closing_reveals_forfeits_unrevealed_outputs_and_hands_over() {
	test(|| {
		let issuance = Balances::total_issuance();
		let t = submit(1, 1_000);
		register(2);
		register(3);
		commit(2, t, b"Paris");
		commit(3, t, b"Lyon");
		run_to(4);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT));
		run_to(6);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Scoring));
		assert_eq!(held(3, HoldReason::OutputDeposit), 0);
		// Forfeited deposits are burnt in the mock.
		assert_eq!(Balances::total_issuance(), issuance - 20);
		let ev = events();
		assert!(ev.contains(&Event::OutputForfeited { task: t, provider: 3, amount: 20 }));
		assert!(ev.contains(&Event::ScoringStarted { task: t, outputs: 1 }));
		let view = Tasks::scoring_view(t).unwrap();
		assert_eq!(view.outputs.len(), 1);
		assert_eq!(view.outputs[0].provider, 2);
		assert_eq!(view.outputs[0].model_id, b"model-a@1".to_vec());
		assert_eq!(view.bounty, 1_000);
		assert!(view.has_reference);
	});
}

#[test]
fn no_revealed_output_expires_the_task_at_reveal_close() {
	test(|| {
		let free = Balances::balance(&1);
		let t = submit(1, 1_000);
		run_to(6);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Expired));
		assert_eq!(Balances::balance(&1), free);
		assert!(Queries::<Test>::get(t).is_none());
		assert!(events().contains(&Event::TaskExpired { task: t, refunded: 1_000 }));
	});
}

#[test]
fn an_unsettled_task_expires_then_is_pruned() {
	test(|| {
		let free = Balances::balance(&1);
		let t = submit(1, 1_000);
		register(2);
		commit(2, t, b"Paris");
		run_to(4);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT));
		run_to(9);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Scoring));
		run_to(10);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Expired));
		assert_eq!(Balances::balance(&1), free);
		assert!(OutputTexts::<Test>::get(t, 2).is_none());
		assert!(Outputs::<Test>::get(t, 2).unwrap().output_hash.is_some());
		assert_eq!(Providers::<Test>::get(2).unwrap().open_tasks, 0);
		run_to(15);
		assert!(TaskRecords::<Test>::get(t).is_none());
		assert!(Outputs::<Test>::get(t, 2).is_none());
		assert!(Committers::<Test>::get(t).is_empty());
	});
}

#[test]
fn settle_pays_out_of_the_bounty_and_refunds_the_rest() {
	test(|| {
		let t = submit(1, 1_000);
		register(2);
		commit(2, t, b"Paris");
		assert_noop!(Tasks::settle(t, &[(2, 10)], &[]), Error::<Test>::NotScoring);
		run_to(4);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT));
		run_to(6);
		assert_noop!(Tasks::settle(t, &[(2, 600), (3, 401)], &[]), Error::<Test>::PayoutExceedsBounty);
		assert_noop!(Tasks::settle(99, &[], &[]), Error::<Test>::TaskNotFound);
		let (b1, b2, b3) = (Balances::balance(&1), Balances::balance(&2), Balances::balance(&3));
		assert_eq!(Tasks::settle(t, &[(2, 600), (3, 300)], &[]), Ok(vec![600, 300]));
		// Provider 2 also gets its output deposit back.
		assert_eq!(Balances::balance(&2), b2 + 600 + 20);
		assert_eq!(Balances::balance(&3), b3 + 300);
		// 100 of the bounty and the whole deposit (10 + 35) come back.
		assert_eq!(Balances::balance(&1), b1 + 100 + 45);
		assert_eq!(held(1, HoldReason::Bounty), 0);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Settled));
		assert!(events().contains(&Event::TaskSettled { task: t, paid: 900, refunded: 100 }));
		assert_noop!(Tasks::settle(t, &[], &[]), Error::<Test>::NotScoring);
		// The expiry at the end of the scoring window leaves a settled task alone.
		run_to(10);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Settled));
	});
}

#[test]
fn phase_lengths_are_governed() {
	test(|| {
		let l = PhaseLengths { answer: 5, reveal: 5, scoring: 5 };
		assert_noop!(Tasks::set_phase_lengths(signed(1), l), DispatchError::BadOrigin);
		for bad in [
			PhaseLengths { answer: 0, ..l },
			PhaseLengths { reveal: 0, ..l },
			PhaseLengths { scoring: 101, ..l },
		] {
			assert_noop!(Tasks::set_phase_lengths(RuntimeOrigin::root(), bad), Error::<Test>::InvalidPhaseLength);
		}
		let t = submit(1, 100);
		assert_ok!(Tasks::set_phase_lengths(RuntimeOrigin::root(), l));
		assert_eq!(Phases::<Test>::get(), l);
		let u = submit(1, 100);
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().answer_ends, 4);
		assert_eq!(TaskRecords::<Test>::get(u).unwrap().answer_ends, 6);
	});
}

mod invariant {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Submit(u64, u64),
		Cancel(u64, u64),
		Register(u64),
		Deregister(u64),
		Commit(u64, u64),
		Reveal(u64, u64, bool),
		Settle(u64, u64),
		Advance(u64),
	}

	fn op() -> impl Strategy<Value = Op> {
		let who = 1u64..=6;
		let task = 0u64..6;
		prop_oneof![
			(who.clone(), 50u64..3_000).prop_map(|(w, b)| Op::Submit(w, b)),
			(who.clone(), task.clone()).prop_map(|(w, t)| Op::Cancel(w, t)),
			who.clone().prop_map(Op::Register),
			who.clone().prop_map(Op::Deregister),
			(who.clone(), task.clone()).prop_map(|(w, t)| Op::Commit(w, t)),
			(who.clone(), task.clone(), any::<bool>()).prop_map(|(w, t, g)| Op::Reveal(w, t, g)),
			(task, 0u64..2_000).prop_map(|(t, p)| Op::Settle(t, p)),
			(1u64..4).prop_map(Op::Advance),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Whatever the calls: total issuance changes only by forfeited output deposits (which
		/// the mock burns), and the bounty holds equal the bounties of running tasks.
		#[test]
		fn issuance_moves_only_by_forfeits(ops in prop::collection::vec(op(), 1..60)) {
			// Also: every schedule entry names a task that exists, at a block not behind the
			// cursor, and nothing due is left once the hooks ran (the budget is large here).
			test(|| {
				let start = Balances::total_issuance();
				for op in ops {
					let _ = match op {
						Op::Submit(w, b) => Tasks::submit_query(signed(w), TaskFamily::Open, b"q".to_vec(), None, b, QueryOptions::default()),
						Op::Cancel(w, t) => Tasks::cancel_query(signed(w), t),
						Op::Register(w) => Tasks::register_provider(signed(w), b"m@1".to_vec(), 3),
						Op::Deregister(w) => Tasks::deregister_provider(signed(w)),
						Op::Commit(w, t) => Tasks::commit_output(signed(w), t, poq_primitives::commitment::output(&w, t, b"out", &SALT)),
						Op::Reveal(w, t, good) => Tasks::reveal_output(signed(w), t, if good { b"out".to_vec() } else { b"bad".to_vec() }, SALT),
						Op::Settle(t, p) => Tasks::settle(t, &[(1, p), (2, p / 2)], &[]).map(|_| ()),
						Op::Advance(n) => { run_to(System::block_number() + n); Ok(()) },
					};
					let forfeited: u64 = events().iter().map(|e| match e {
						Event::OutputForfeited { amount, .. } => *amount,
						_ => 0,
					}).sum();
					prop_assert_eq!(Balances::total_issuance(), start - forfeited);
					let running: u64 = TaskRecords::<Test>::iter()
						.filter(|(_, t)| t.ended.is_none())
						.map(|(_, t)| t.bounty)
						.sum();
					let held_bounties: u64 = (1..=6).map(|w| held(w, HoldReason::Bounty)).sum();
					prop_assert_eq!(held_bounties, running);
					let cursor = crate::ScheduleCursor::<Test>::get();
					for (at, (task, _), ()) in Schedule::<Test>::iter() {
						prop_assert!(TaskRecords::<Test>::contains_key(task));
						prop_assert!(at >= cursor.min(System::block_number()));
					}
					prop_assert!(Tasks::backlog(System::block_number().saturating_sub(1)) == 0);
				}
				Ok(())
			})?;
		}
	}
}

#[test]
fn attack_9_a_commitment_names_its_account_and_its_task() {
	test(|| {
		register(2);
		register(3);
		let a = submit(1, 1_000);
		let b = submit(1, 1_000);
		let c = poq_primitives::commitment::output(&2u64, a, b"Paris", &SALT);
		// Provider 3 copies provider 2's commitment in task a; provider 2 replays it in task b.
		assert_ok!(Tasks::commit_output(signed(2), a, c));
		assert_ok!(Tasks::commit_output(signed(3), a, c));
		assert_ok!(Tasks::commit_output(signed(2), b, c));
		run_to(4);
		assert_noop!(Tasks::reveal_output(signed(3), a, b"Paris".to_vec(), SALT), Error::<Test>::BadReveal);
		assert_noop!(Tasks::reveal_output(signed(2), b, b"Paris".to_vec(), SALT), Error::<Test>::BadReveal);
		assert_ok!(Tasks::reveal_output(signed(2), a, b"Paris".to_vec(), SALT));
	});
}

#[test]
fn the_model_registry_is_governed_and_checks_its_ids() {
	test(|| {
		let root = RuntimeOrigin::root();
		assert_noop!(Tasks::register_model(signed(1), b"x".to_vec(), b"1".to_vec()), DispatchError::BadOrigin);
		for (name, version) in [(&b""[..], &b"1"[..]), (b"x", b""), (b"a@b", b"1"), (b"a b", b"1"), (b"x", b"1\n"), (&[b'x'; 15][..], b"1")] {
			assert_noop!(
				Tasks::register_model(root.clone(), name.to_vec(), version.to_vec()),
				Error::<Test>::InvalidModelId
			);
		}
		assert_noop!(Tasks::register_model(root.clone(), b"m".to_vec(), b"1".to_vec()), Error::<Test>::ModelExists);
		// `name@version` of 16 bytes, the longest allowed.
		assert_ok!(Tasks::register_model(root.clone(), vec![b'x'; 13], b"v2".to_vec()));
		assert!(events().contains(&Event::ModelRegistered {
			model: [vec![b'x'; 13], b"@v2".to_vec()].concat(),
			name: vec![b'x'; 13],
			version: b"v2".to_vec(),
		}));
		assert_ok!(Tasks::register_model(root.clone(), b"model-b".to_vec(), b"1".to_vec()));
		// Four models: the registry is full.
		assert_noop!(Tasks::register_model(root.clone(), b"model-c".to_vec(), b"1".to_vec()), Error::<Test>::TooManyModels);
		assert_eq!(Tasks::models().len(), 4);

		// A provider declares a registered model only.
		assert_noop!(Tasks::register_provider(signed(2), b"model-c@1".to_vec(), 5), Error::<Test>::UnknownModel);
		assert_noop!(Tasks::register_provider(signed(2), b"model-b".to_vec(), 5), Error::<Test>::UnknownModel);
		assert_ok!(Tasks::register_provider(signed(2), b"model-b@1".to_vec(), 5));
		assert_eq!(model(b"model-b@1").providers, 1);

		// Retired: nobody new declares it; its provider keeps it, and may change its cost.
		assert_noop!(Tasks::retire_model(signed(1), b"model-b@1".to_vec()), DispatchError::BadOrigin);
		assert_noop!(Tasks::retire_model(root.clone(), b"model-c@1".to_vec()), Error::<Test>::UnknownModel);
		assert_noop!(Tasks::remove_model(root.clone(), b"model-b@1".to_vec()), Error::<Test>::ModelNotRetired);
		assert_ok!(Tasks::retire_model(root.clone(), b"model-b@1".to_vec()));
		assert!(events().contains(&Event::ModelRetired { model: b"model-b@1".to_vec() }));
		assert_noop!(Tasks::retire_model(root.clone(), b"model-b@1".to_vec()), Error::<Test>::ModelRetired);
		assert_noop!(Tasks::register_provider(signed(3), b"model-b@1".to_vec(), 5), Error::<Test>::ModelRetired);
		assert_ok!(Tasks::update_provider(signed(2), b"model-b@1".to_vec(), 9));
		assert_eq!(Providers::<Test>::get(2).unwrap().declared_cost, 9);

		// Removed only once nobody declares it, with its statistics.
		<Tasks as TaskProvider<u64, u64, u64>>::record_quality(b"model-b@1", TaskFamily::Open, sp_runtime::Permill::from_percent(40));
		assert_noop!(Tasks::remove_model(root.clone(), b"model-b@1".to_vec()), Error::<Test>::ModelInUse);
		assert_ok!(Tasks::update_provider(signed(2), b"m@1".to_vec(), 9));
		assert_eq!((model(b"model-b@1").providers, model(b"m@1").providers), (0, 1));
		assert_noop!(Tasks::remove_model(signed(1), b"model-b@1".to_vec()), DispatchError::BadOrigin);
		assert_ok!(Tasks::remove_model(root.clone(), b"model-b@1".to_vec()));
		assert!(events().contains(&Event::ModelRemoved { model: b"model-b@1".to_vec() }));
		assert!(Tasks::model_stats().is_empty());
		assert_eq!(Tasks::models().len(), 3);
		// Room again.
		assert_ok!(Tasks::register_model(root, b"model-c".to_vec(), b"1".to_vec()));
		assert_ok!(Tasks::deregister_provider(signed(2)));
		assert_eq!(model(b"m@1").providers, 0);
	});
}

#[test]
fn settled_qualities_become_the_model_statistics() {
	test(|| {
		let record = |m: &[u8], f, q| {
			<Tasks as TaskProvider<u64, u64, u64>>::record_quality(m, f, sp_runtime::Permill::from_percent(q))
		};
		record(b"m@1", TaskFamily::Open, 60);
		record(b"m@1", TaskFamily::Open, 80);
		record(b"m@1", TaskFamily::Qa, 10);
		// Not registered (or not even an id): not counted.
		record(b"nobody@1", TaskFamily::Open, 90);
		record(&[b'z'; 40], TaskFamily::Open, 90);
		let rows = Tasks::model_stats();
		assert_eq!(rows.len(), 2);
		let open = rows.iter().find(|r| r.family == TaskFamily::Open).unwrap();
		assert_eq!((open.model.as_slice(), open.name.as_slice(), open.version.as_slice()), (&b"m@1"[..], &b"m"[..], &b"1"[..]));
		assert_eq!((open.stats.count, open.stats.sum), (2, 1_400_000));
		assert_eq!(open.stats.sum_sq, 600_000u128 * 600_000 + 800_000u128 * 800_000);
		assert_eq!(open.stats.mean(), Some(sp_runtime::Permill::from_percent(70)));
		let qa = rows.iter().find(|r| r.family == TaskFamily::Qa).unwrap();
		assert_eq!((qa.stats.count, qa.stats.sum), (1, 100_000));
	});
}
