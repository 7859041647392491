//! Attacks on quality consensus, each played against the mock's real pallets, and what holds
//! instead (`docs/security.md` lists them with their residual risks).

use crate::{
	offchain::{pending_key, PendingOf},
	tests::{
		mock::*,
		unit::{committee, dispatch_pool, offchain_ext},
	},
	*,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect as _, fungible::InspectHold as _, Hooks},
};
use sp_runtime::offchain::storage::StorageValueRef;

/// Commit 3, reveal 2: the worker of the block after the draw can still land a commitment.
fn roomy_windows() {
	let mut p = default_params();
	p.commit_blocks = 3;
	p.reveal_blocks = 2;
	assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
}

/// A scoring phase of 8 blocks: room for a draw delay of 2 before commit 2 and reveal 2.
fn long_scoring() {
	let lengths = pallet_poq_tasks::PhaseLengths { answer: 2, reveal: 2, scoring: 8 };
	assert_ok!(Tasks::set_phase_lengths(RuntimeOrigin::root(), lengths));
}

/// Posts `n` tasks in one block, each answered by its own provider; returns them at the block
/// their reveal phases close.
fn post_together(n: u64) -> Vec<TaskId> {
	let tasks: Vec<TaskId> = (0..n)
		.map(|i| {
			let p = PROVIDERS + i;
			assert_ok!(Tasks::register_provider(signed(p), b"m@1".to_vec(), 10));
			let t = pallet_poq_tasks::NextTaskId::<Test>::get();
			let options = pallet_poq_tasks::QueryOptions { max_outputs: Some(1), committee_size: None };
			assert_ok!(Tasks::submit_query(signed(USER), poq_primitives::TaskFamily::Qa, b"q".to_vec(), None, 1_000, options));
			assert_ok!(Tasks::commit_output(signed(p), t, poq_primitives::commitment::output(&p, t, b"o", &SALT)));
			t
		})
		.collect();
	// The answer phase runs its full window (one commitment of up to two it could take).
	run_to(pallet_poq_tasks::Tasks::<Test>::get(tasks[0]).unwrap().answer_ends);
	for (i, t) in tasks.iter().enumerate() {
		assert_ok!(Tasks::reveal_output(signed(PROVIDERS + i as u64), *t, b"o".to_vec(), SALT));
	}
	run_to(System::block_number() + 1);
	tasks
}

/// Six evaluators, committees of 3, a draw two blocks after the close: the task at its close,
/// with `after_close` run then; returns the committee drawn.
fn draw_with(seed_after_close: u64, after_close: impl FnOnce()) -> Vec<u64> {
	test(|| {
		DrawDelay::set(2);
		RANDOM_SEED.with(|s| s.set(1));
		long_scoring();
		let mut p = default_params();
		p.committee_size = 3;
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		bond_evaluators(6);
		let task = post_task(&[PROVIDERS, PROVIDERS + 1], 1_000);
		run_to(System::block_number() + 1);
		let close = System::block_number();
		assert!(Rounds::<Test>::get(task).is_none(), "not drawn at the close");
		assert_eq!(PendingDraws::<Test>::get(task), Some((close + 2, 6)));
		assert_eq!(Snapshots::<Test>::get(close + 2).unwrap().candidates.len(), 6);
		RANDOM_SEED.with(|s| s.set(seed_after_close));
		after_close();
		run_to(close + 1);
		assert!(Rounds::<Test>::get(task).is_none());
		run_to(close + 2);
		let round = Rounds::<Test>::get(task).expect("drawn two blocks after the close");
		assert_eq!(round.drawn_at, close + 2);
		assert!(Snapshots::<Test>::get(close + 2).is_none(), "the snapshot goes with its last draw");
		committee(task)
	})
}

#[test]
fn attack_1_nobody_can_steer_a_committee_after_its_candidates_are_fixed() {
	let untouched = draw_with(5, || {});
	// Everything an evaluator could do once it could know the seed: a new evaluator opts in,
	// one bonds much more, one declares a price that would not fit in the budget.
	let steered = draw_with(5, || {
		bond(EVALUATORS + 10);
		assert_ok!(Evaluators::bond_extra(signed(EVALUATORS), 500_000));
		assert_ok!(Consensus::set_price(signed(EVALUATORS + 1), 10_000));
	});
	assert_eq!(steered, untouched, "the draw only sees the candidates as they were at the close");
	assert!(!steered.contains(&(EVALUATORS + 10)));
	// A member who leaves only gives up its own seat: the others keep theirs.
	let leaver = untouched[0];
	let left = draw_with(5, || {
		assert_ok!(Evaluators::chill(signed(leaver)));
	});
	let expected: Vec<u64> = untouched.iter().copied().filter(|m| *m != leaver).collect();
	assert_eq!(left, expected);
}

#[test]
fn attack_1_the_committee_depends_on_entropy_of_blocks_after_the_close() {
	// Only the blocks after the close differ between these runs: if the committee were known
	// at the close, it would be the same in all of them.
	let committees: std::collections::BTreeSet<Vec<u64>> = (0..8)
		.map(|seed| {
			let mut c = draw_with(seed, || {});
			c.sort();
			c
		})
		.collect();
	assert!(committees.len() >= 3, "{} committees over 8 entropies", committees.len());
}

#[test]
fn the_beacon_moves_every_block_and_a_draw_that_expires_leaves_nothing() {
	test(|| {
		DrawDelay::set(2);
		let b0 = Beacon::<Test>::get();
		run_to(2);
		let b1 = Beacon::<Test>::get();
		run_to(3);
		assert!(b0 != b1 && b1 != Beacon::<Test>::get());

		long_scoring();
		bond_evaluators(3);
		let (a, b) = match post_together(2)[..] {
			[a, b] => (a, b),
			_ => unreachable!(),
		};
		let at = System::block_number() + 2;
		// Two tasks closed in one block share one snapshot.
		assert_eq!(Snapshots::<Test>::iter().count(), 1);
		assert_eq!(Snapshots::<Test>::get(at).unwrap().pending, 2);
		try_state();
		// One expires before its draw: its pending draw goes, the snapshot stays for the other.
		<Consensus as poq_primitives::TaskScoring>::forget(a);
		assert!(PendingDraws::<Test>::get(a).is_none() && !DrawQueue::<Test>::contains_key(at, a));
		assert_eq!(Snapshots::<Test>::get(at).unwrap().pending, 1);
		assert!(events().contains(&Event::RoundDropped { task: a }));
		try_state();
		run_to(at);
		assert!(Rounds::<Test>::get(a).is_none());
		assert!(Rounds::<Test>::get(b).is_some());
		assert_eq!(Snapshots::<Test>::iter().count(), 0);
	});
}

#[test]
fn attack_5_stake_cannot_leave_before_its_slash() {
	test(|| {
		use pallet_poq_tasks::PhaseLengths;
		// A task that lives longer than the unbonding period (10 blocks in the mock).
		assert_ok!(Tasks::set_phase_lengths(
			RuntimeOrigin::root(),
			PhaseLengths { answer: 2, reveal: 2, scoring: 30 }
		));
		let mut p = default_params();
		p.committee_size = 2;
		p.reveal_blocks = 20;
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		bond_evaluators(2);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		let (cheat, honest) = (members[0], members[1]);
		let reports = vec![report(600_000)];
		commit(cheat, task, &reports);
		commit(honest, task, &reports);
		// The cheat unbonds everything at once, and waits out the unbonding period.
		assert_ok!(Evaluators::unbond(signed(cheat), 1_000));
		run_to(System::block_number() + 11);
		assert_noop!(
			Evaluators::withdraw_unbonded(signed(cheat)),
			pallet_poq_evaluators::Error::<Test>::InCommittee
		);
		reveal(honest, task, &reports);
		let reveal_ends = Rounds::<Test>::get(task).unwrap().reveal_ends;
		run_to(reveal_ends);
		let r = Results::<Test>::get(task).expect("settled at the end of the reveal window");
		let e = r.evaluators.iter().find(|e| e.who == cheat).unwrap();
		assert_eq!((e.conduct, e.slashed), (Conduct::NoReveal, 100), "10% of its unbonding funds");
		// Settled: what is left can go.
		assert_ok!(Evaluators::withdraw_unbonded(signed(cheat)));
		assert_eq!(Balances::balance(&cheat), 1_000_000 - 100);
	});
}

#[test]
fn attack_7_a_settlement_that_fails_applies_nothing_and_cannot_be_replayed() {
	test(|| {
		bond_evaluators(3);
		let task = post_task(&[PROVIDERS, PROVIDERS + 1], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		let reports = vec![report(700_000), report(300_000)];
		members.iter().for_each(|m| commit(*m, task, &reports));
		run_to(System::block_number() + 1);
		// A malformed reveal is refused when submitted, and changes nothing.
		assert_noop!(
			Consensus::reveal_scores(signed(members[0]), task, vec![report(1)], MODEL_SET, SALT),
			Error::<Test>::WrongReportCount
		);
		// One member reveals scores that do not match (a slash is due), the others honestly.
		assert_ok!(Consensus::reveal_scores(signed(members[0]), task, vec![report(1), report(2)], MODEL_SET, SALT));
		let trust: Vec<_> = members.iter().map(pallet_poq_evaluators::Trust::<Test>::get).collect();
		let issuance = Balances::total_issuance();
		FAIL_SETTLE.with(|f| f.set(true));
		members[1..].iter().for_each(|m| reveal(*m, task, &reports));
		run_to(System::block_number() + 1);
		assert!(events().iter().any(|e| matches!(e, Event::SettlementFailed { task: t, .. } if *t == task)));
		assert_eq!(Balances::total_issuance(), issuance, "no slash");
		assert_eq!(members.iter().map(pallet_poq_evaluators::Trust::<Test>::get).collect::<Vec<_>>(), trust, "no trust update");
		assert!(Results::<Test>::get(task).is_none() && Rounds::<Test>::get(task).is_none());
		assert!(members.iter().all(|m| Engaged::<Test>::get(m) == 0));
		// Nothing to settle twice.
		FAIL_SETTLE.with(|f| f.set(false));
		assert_noop!(Consensus::settle(signed(USER), task), Error::<Test>::NoRound);
		// The task expires at the end of its scoring phase and is refunded.
		run_to(System::block_number() + 8);
		let held = Balances::balance_on_hold(&pallet_poq_tasks::HoldReason::Bounty.into(), &USER);
		assert_eq!(held, 0);
	});
}

#[test]
fn attack_8_governed_values_cannot_contradict_each_other() {
	test(|| {
		use pallet_poq_tasks::PhaseLengths;
		// The mock's scoring phase is 6 blocks: commit 3 + reveal 3 + settlement need 7.
		let mut p = default_params();
		p.commit_blocks = 3;
		p.reveal_blocks = 3;
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::WindowsExceedScoring);
		p.reveal_blocks = 2;
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		// Nor can the scoring phase shrink below what the windows need.
		let short = PhaseLengths { answer: 2, reveal: 2, scoring: 5 };
		assert_noop!(
			Tasks::set_phase_lengths(RuntimeOrigin::root(), short),
			pallet_poq_tasks::Error::<Test>::ScoringTooShort
		);
		assert_ok!(Tasks::set_phase_lengths(RuntimeOrigin::root(), PhaseLengths { scoring: 6, ..short }));
		// A longer draw delay needs a longer scoring phase too.
		DrawDelay::set(1);
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::WindowsExceedScoring);
	});
}

#[test]
fn attack_8_trust_moves_within_the_one_set_of_bounds() {
	test(|| {
		// Governance narrows trust to [10%, 51%] in the evaluators pallet only: consensus follows.
		let bounds = pallet_poq_evaluators::TrustBounds {
			min: Perbill::from_percent(10),
			max: Perbill::from_percent(51),
		};
		assert_ok!(Evaluators::set_trust_bounds(RuntimeOrigin::root(), bounds));
		bond_evaluators(3);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		let reports = vec![report(500_000)];
		score_all(&members, task, &reports);
		let r = Results::<Test>::get(task).unwrap();
		// 5% of the gap to 51%, not to 100% (which the old second bound would have used).
		for e in r.evaluators.iter() {
			assert_eq!(e.trust, Perbill::from_parts(500_500_000));
		}
	});
}

/// Every member of `members` commits to and reveals `reports`; the task settles.
fn score_all(members: &[u64], task: TaskId, reports: &[ScoreReport]) {
	members.iter().for_each(|m| commit(*m, task, reports));
	run_to(System::block_number() + 1);
	members.iter().for_each(|m| reveal(*m, task, reports));
	run_to(System::block_number() + 1);
}

/// The off-chain worker's stored entry of evaluator 101 in `task`.
fn stored(task: TaskId) -> Option<PendingOf<Test>> {
	StorageValueRef::persistent(&pending_key(task, &EVALUATORS)).get().ok().flatten()
}

/// Dispatches the worker's reveal (it must be valid), has `other` reveal `reports` by hand, and
/// checks at settlement that evaluator 101 revealed and was not slashed.
fn land_reveal_and_settle(pool: &crate::tests::unit::PoolState, task: TaskId, other: u64, reports: &[ScoreReport]) {
	dispatch_pool(pool);
	assert!(matches!(Reveals::<Test>::get(task, EVALUATORS), Some(Reveal::Valid { .. })));
	reveal(other, task, reports);
	run_to(System::block_number() + 1);
	let r = Results::<Test>::get(task).unwrap();
	let me = r.evaluators.iter().find(|e| e.who == EVALUATORS).unwrap();
	assert_eq!((me.conduct, me.slashed), (Conduct::Revealed, 0));
	try_state();
}

#[test]
fn attack_3_dropped_transactions_are_sent_again_while_the_window_is_open() {
	let (mut ext, pool) = offchain_ext(true);
	ext.execute_with(|| {
		roomy_windows();
		let evaluators = bond_evaluators(2);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let drawn = System::block_number();
		Consensus::offchain_worker(drawn);
		assert_eq!(pool.read().transactions.len(), 1);
		let first_nonce = stored(task).unwrap().commit_nonce;
		// The commitment is dropped from the pool: the next block's worker sends it again.
		pool.write().transactions.clear();
		run_to(drawn + 1);
		Consensus::offchain_worker(drawn + 1);
		assert_eq!(stored(task).unwrap().commit_nonce, first_nonce, "the first attempt's nonce");
		dispatch_pool(&pool);
		assert!(Commits::<Test>::contains_key(task, EVALUATORS));
		let by_hand = vec![report(500_000)];
		commit(evaluators[1], task, &by_hand);
		// The reveal is dropped too: sent again the block after.
		let reveal_at = Rounds::<Test>::get(task).unwrap().commit_ends;
		run_to(reveal_at);
		Consensus::offchain_worker(reveal_at);
		assert_eq!(pool.read().transactions.len(), 1);
		pool.write().transactions.clear();
		run_to(reveal_at + 1);
		Consensus::offchain_worker(reveal_at + 1);
		land_reveal_and_settle(&pool, task, evaluators[1], &by_hand);
	});
}

#[test]
fn attack_3_a_second_scoring_run_cannot_replace_the_committed_salt() {
	let (mut ext, pool) = offchain_ext(true);
	ext.execute_with(|| {
		let evaluators = bond_evaluators(2);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let drawn = System::block_number();
		// A run scores, stores its entry and commits.
		Consensus::offchain_worker(drawn);
		dispatch_pool(&pool);
		let committed = stored(task).unwrap();
		// A slower run that started before (its lock expired meanwhile) finishes now, with
		// another salt: it finds the stored entry and keeps it.
		let mut late = committed.clone();
		late.salt = [42; 32];
		late.commit_sent = None;
		let kept = Consensus::store_first(&pending_key(task, &EVALUATORS), late).unwrap();
		assert_eq!(kept, committed);
		assert_eq!(stored(task).unwrap().salt, committed.salt);
		// The reveal matches the commitment on chain: no slash.
		let by_hand = vec![report(500_000)];
		commit(evaluators[1], task, &by_hand);
		run_to(drawn + 1);
		Consensus::offchain_worker(drawn + 1);
		land_reveal_and_settle(&pool, task, evaluators[1], &by_hand);
	});
}

#[test]
fn attack_4_a_claimed_model_does_not_inherit_another_providers_rating() {
	test(|| {
		bond_evaluators(3);
		// Provider 11 ("m0") builds a good record.
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		score_all(&members, task, &[report(900_000)]);
		let good = pallet_poq_tasks::Providers::<Test>::get(PROVIDERS).unwrap().rating.unwrap();
		assert_eq!(good.rating, Permill::from_parts(900_000));
		// Provider 12 claims the same model: it starts from the initial rating, not from "m0"'s.
		assert_ok!(Tasks::register_provider(signed(PROVIDERS + 1), b"m0@1".to_vec(), 10));
		let task = post_task(&[PROVIDERS + 1], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		score_all(&members, task, &[report(100_000)]);
		let r = Results::<Test>::get(task).unwrap();
		assert_eq!(r.outputs[0].scores[0], Some(default_params().initial_rating), "model prior");
		// And its poor result does not drag the other provider's rating down.
		assert_eq!(pallet_poq_tasks::Providers::<Test>::get(PROVIDERS).unwrap().rating.unwrap(), good);
		// Ratings leave with the registration: storage is bounded by the providers' deposits.
		assert_ok!(Tasks::deregister_provider(signed(PROVIDERS + 1)));
		assert!(pallet_poq_tasks::Providers::<Test>::get(PROVIDERS + 1).is_none());
	});
}

#[test]
fn attack_6_the_scoring_key_scores_and_can_do_nothing_else() {
	test(|| {
		use pallet_poq_evaluators::Error as EvError;
		bond_evaluators(2);
		let (owner, key, next_key) = (EVALUATORS, 999, 998);
		assert_ok!(Evaluators::set_scoring_key(signed(owner), Some(key)));
		// Neither a bonded evaluator nor another evaluator's key can be registered.
		assert_noop!(Evaluators::set_scoring_key(signed(EVALUATORS + 1), Some(EVALUATORS)), EvError::<Test>::KeyInUse);
		assert_noop!(Evaluators::set_scoring_key(signed(EVALUATORS + 1), Some(key)), EvError::<Test>::KeyInUse);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		assert!(committee(task).contains(&owner));
		// The key commits for its owner; the owner, having delegated, signs nothing itself.
		let reports = vec![report(500_000)];
		let commitment = poq_primitives::commitment::scores(&owner, task, &reports, &MODEL_SET, &SALT);
		assert_noop!(Consensus::commit_scores(signed(owner), task, commitment), Error::<Test>::NotEvaluator);
		assert_ok!(Consensus::commit_scores(signed(key), task, commitment));
		assert!(Commits::<Test>::contains_key(task, owner));
		// The key cannot bond, touch the stake, the price or the key itself.
		assert_noop!(Evaluators::bond(signed(key), 100), EvError::<Test>::KeyInUse);
		assert_noop!(Evaluators::unbond(signed(key), 100), EvError::<Test>::NotBonded);
		assert_noop!(Evaluators::withdraw_unbonded(signed(key)), EvError::<Test>::NotBonded);
		assert_noop!(Evaluators::chill(signed(key)), EvError::<Test>::NotBonded);
		assert_noop!(Evaluators::set_scoring_key(signed(key), Some(next_key)), EvError::<Test>::NotBonded);
		assert_noop!(Consensus::set_price(signed(key), 1), Error::<Test>::NotEvaluator);
		// The owner rotates the key: the old one is refused, the new one reveals.
		assert_ok!(Evaluators::set_scoring_key(signed(owner), Some(next_key)));
		commit(EVALUATORS + 1, task, &reports);
		run_to(System::block_number() + 1);
		assert_noop!(
			Consensus::reveal_scores(signed(key), task, reports.clone(), MODEL_SET, SALT),
			Error::<Test>::NotEvaluator
		);
		assert_ok!(Consensus::reveal_scores(signed(next_key), task, reports, MODEL_SET, SALT));
		assert!(matches!(Reveals::<Test>::get(task, owner), Some(Reveal::Valid { .. })));
	});
}

#[test]
fn attack_6_the_worker_scores_for_the_owner_of_its_key() {
	let (mut ext, pool) = offchain_ext(true);
	ext.execute_with(|| {
		// The node holds key 999 only; evaluator 101 registered it as its scoring key.
		sp_runtime::testing::UintAuthorityId::set_all_keys(vec![999u64]);
		bond_evaluators(1);
		assert_ok!(Evaluators::set_scoring_key(signed(EVALUATORS), Some(999)));
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let drawn = System::block_number();
		Consensus::offchain_worker(drawn);
		let calls = dispatch_pool(&pool);
		assert_eq!(calls.len(), 1);
		assert!(Commits::<Test>::contains_key(task, EVALUATORS), "committed for the owner");
		run_to(drawn + 1);
		Consensus::offchain_worker(drawn + 1);
		dispatch_pool(&pool);
		assert!(matches!(Reveals::<Test>::get(task, EVALUATORS), Some(Reveal::Valid { .. })));
		try_state();
	});
}

#[test]
fn attack_4_a_zero_or_low_declared_cost_caps_what_the_provider_earns() {
	test(|| {
		let mut p = default_params();
		p.cost_cap = 10;
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		bond_evaluators(3);
		// Provider 11 declares the cost 10 of the mock; provider 12 declares 0 to win the cost
		// prior and escape the cost penalty; both answer equally well.
		assert_ok!(Tasks::register_provider(signed(PROVIDERS + 1), b"m1@1".to_vec(), 0));
		let task = post_task(&[PROVIDERS, PROVIDERS + 1], 1_000);
		run_to(System::block_number() + 1);
		let members = committee(task);
		let reports = vec![report(900_000), report(900_000)];
		score_all(&members, task, &reports);
		let r = Results::<Test>::get(task).unwrap();
		// The liar has the best cost prior, and is paid nothing: its price was zero.
		assert!(r.outputs[1].scores[1] > r.outputs[0].scores[1]);
		assert_eq!(r.outputs[1].reward, 0);
		// The honest provider is paid up to ten times its cost; the rest goes back to the user.
		assert_eq!(r.outputs[0].reward, 100);
		let paid: u64 = r.outputs.iter().map(|o| o.reward).sum::<u64>() +
			r.evaluators.iter().map(|e| e.reward).sum::<u64>();
		assert_eq!(paid + r.refunded, 1_000);
	});
}
