//! Unit tests of the consensus pallet: committee draw, score commit-reveal, every error path,
//! settlement (aggregation, trust, slashes, rewards, ratings), governance and pruning.

use crate::{tests::mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect as _, InspectHold as _},
};
use poq_primitives::Dimension;
use proptest::prelude::*;
use sp_runtime::DispatchError;

fn pm(x: u32) -> Permill {
	Permill::from_parts(x)
}

/// Three providers (good, middling, bad), five evaluators; returns the task at the draw.
fn scoring_setup() -> (TaskId, Vec<u64>) {
	let evaluators = bond_evaluators(5);
	let task = post_task(&[PROVIDERS, PROVIDERS + 1, PROVIDERS + 2], 1_000);
	run_to(5);
	(task, evaluators)
}

pub(crate) fn committee(task: TaskId) -> Vec<u64> {
	Rounds::<Test>::get(task).unwrap().committee.iter().map(|(m, _)| *m).collect()
}

fn honest() -> Vec<ScoreReport> {
	vec![report(900_000), report(500_000), report(100_000)]
}

#[test]
fn a_task_goes_from_reveal_to_settled_result() {
	test(|| {
		let (task, evaluators) = scoring_setup();
		let members = committee(task);
		let mut sorted = members.clone();
		sorted.sort();
		assert_eq!(sorted, evaluators, "k = 5 of 5 candidates");
		let round = Rounds::<Test>::get(task).unwrap();
		// Every output was revealed at block 3: the reveal phase closed then, the committee was
		// drawn at block 4 (on_initialize; the mock runs no idle hook), windows of 2 + 2 blocks.
		assert_eq!((round.drawn_at, round.commit_ends, round.reveal_ends, round.outputs), (4, 6, 8, 3));
		// 30% of the 1_000 bounty is the evaluation budget.
		assert_eq!(round.budget, 300);
		assert!(Due::<Test>::contains_key(round.reveal_ends, task));

		for m in &members {
			commit(*m, task, &honest());
		}
		run_to(7);
		for m in &members {
			reveal(*m, task, &honest());
		}
		let before: Vec<Balance> = members.iter().map(Balances::balance).collect();
		let user_before = Balances::balance(&USER);
		run_to(9);

		let r = Results::<Test>::get(task).expect("settled automatically at the reveal end");
		assert_eq!(r.winner, Some(PROVIDERS));
		assert_eq!(r.outputs[0].scores[Dimension::Structure as usize], Some(pm(900_000)));
		assert_eq!(r.outputs[2].scores[Dimension::Alignment as usize], Some(pm(100_000)));
		// Unanimous committee: full agreement.
		assert_eq!(r.outputs[1].scores[Dimension::Agreement as usize], Some(Permill::one()));
		assert!(r.outputs[0].composite > r.outputs[1].composite);
		assert!(r.outputs[1].composite > r.outputs[2].composite);
		// Every unit of the pool is accounted for.
		let paid: Balance = r.outputs.iter().map(|o| o.reward).sum::<Balance>() +
			r.evaluators.iter().map(|e| e.reward).sum::<Balance>();
		assert_eq!(paid + r.refunded, 1_000);
		assert!(r.outputs[0].reward > r.outputs[1].reward);
		// Members were exact: trust up, equal rewards, no slash.
		for (e, m) in r.evaluators.iter().zip(&members) {
			assert_eq!(e.who, *m);
			assert_eq!(e.conduct, Conduct::Revealed);
			assert_eq!(e.deviation, Some(Permill::zero()));
			assert_eq!(e.trust, Perbill::from_parts(525_000_000), "rho 5% of the gap");
			assert_eq!(e.reward, 60);
			assert_eq!(e.slashed, 0);
		}
		for (m, b) in members.iter().zip(before) {
			assert_eq!(Balances::balance(m), b + 60);
		}
		// The user gets the refund and the task deposit back.
		assert_eq!(Balances::balance(&USER), user_before + r.refunded + 10);
		assert_eq!(pallet_poq_tasks::Pallet::<Test>::phase_of(task), Some(pallet_poq_tasks::Phase::Settled));
		assert!(Rounds::<Test>::get(task).is_none());
		assert_eq!(Commits::<Test>::iter_prefix(task).count(), 0);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::TaskScored { task: t, winner: Some(w), .. } if *t == task && *w == PROVIDERS)));
		// Ratings moved to the evaluator-side quality of each provider's output.
		let rating = |p: u64| pallet_poq_tasks::Providers::<Test>::get(p).unwrap().rating;
		assert_eq!(rating(PROVIDERS), Some(ModelRating { rating: pm(900_000), results: 1 }));
		// The model leaderboard counts the same quality under each provider's model (`m<i>@1`).
		let stats = pallet_poq_tasks::Pallet::<Test>::model_stats();
		assert_eq!(stats.len(), 3);
		let m0 = stats.iter().find(|s| s.model == b"m0@1").expect("the first provider's model");
		assert_eq!((m0.family, m0.stats.count, m0.stats.sum), (TaskFamily::Qa, 1, 900_000));
	});
}

#[test]
fn commits_and_reveals_check_their_arguments() {
	test(|| {
		let (task, _) = scoring_setup();
		let m = committee(task)[0];
		let c = poq_primitives::commitment::scores(&m, task, &honest(), &MODEL_SET, &SALT);
		assert_noop!(Consensus::commit_scores(signed(m), 99, c), Error::<Test>::NoRound);
		assert_noop!(Consensus::commit_scores(signed(USER), task, c), Error::<Test>::NotEvaluator);
		bond(EVALUATORS + 10);
		assert_noop!(Consensus::commit_scores(signed(EVALUATORS + 10), task, c), Error::<Test>::NotInCommittee);
		assert_noop!(
			Consensus::reveal_scores(signed(m), task, honest(), MODEL_SET, SALT),
			Error::<Test>::RevealNotOpen
		);
		assert_ok!(Consensus::commit_scores(signed(m), task, c));
		assert_noop!(Consensus::commit_scores(signed(m), task, c), Error::<Test>::AlreadyCommitted);
		// A second member commits, so that the first reveal does not close the window.
		let other = committee(task)[2];
		commit(other, task, &honest());
		run_to(6);
		let late = committee(task)[1];
		assert_noop!(Consensus::commit_scores(signed(late), task, c), Error::<Test>::CommitClosed);
		assert_noop!(
			Consensus::reveal_scores(signed(late), task, honest(), MODEL_SET, SALT),
			Error::<Test>::NotCommitted
		);
		assert_noop!(
			Consensus::reveal_scores(signed(m), task, honest()[..2].to_vec(), MODEL_SET, SALT),
			Error::<Test>::WrongReportCount
		);
		assert_noop!(
			Consensus::reveal_scores(signed(USER), task, honest(), MODEL_SET, SALT),
			Error::<Test>::NotEvaluator
		);
		assert_noop!(
			Consensus::reveal_scores(signed(EVALUATORS + 10), task, honest(), MODEL_SET, SALT),
			Error::<Test>::NotInCommittee
		);
		reveal(m, task, &honest());
		assert_noop!(
			Consensus::reveal_scores(signed(m), task, honest(), MODEL_SET, SALT),
			Error::<Test>::AlreadyRevealed
		);
		run_to(7);
		assert_noop!(Consensus::settle(signed(USER), task), Error::<Test>::NotDue);
		run_to(8);
		assert_noop!(
			Consensus::reveal_scores(signed(m), task, honest(), MODEL_SET, SALT),
			Error::<Test>::NoRound
		);
	});
}

#[test]
fn absentees_and_cheats_are_penalised_by_conduct() {
	test(|| {
		let (task, _) = scoring_setup();
		let m = committee(task);
		// m0, m1: honest. m2: commits, never reveals. m3: reveals other scores. m4: silent.
		for e in &m[..4] {
			commit(*e, task, &honest());
		}
		run_to(7);
		reveal(m[0], task, &honest());
		reveal(m[1], task, &honest());
		assert_ok!(Consensus::reveal_scores(signed(m[3]), task, vec![report(0); 3], MODEL_SET, SALT));
		assert_eq!(events().last(), Some(&Event::RevealMismatch { task, who: m[3] }));
		assert_eq!(Reveals::<Test>::get(task, m[3]), Some(Reveal::Mismatch));
		run_to(9);
		let r = Results::<Test>::get(task).unwrap();
		let by = |who: u64| r.evaluators.iter().find(|e| e.who == who).unwrap().clone();
		assert_eq!(by(m[2]).conduct, Conduct::NoReveal);
		assert_eq!(by(m[2]).slashed, 100, "10% of a 1_000 bond");
		assert_eq!(by(m[3]).conduct, Conduct::BadReveal);
		assert_eq!(by(m[3]).slashed, 200, "20% of a 1_000 bond");
		assert_eq!(by(m[4]).conduct, Conduct::Silent);
		assert_eq!(by(m[4]).slashed, 0);
		for e in [m[2], m[3], m[4]] {
			assert_eq!(by(e).trust, Perbill::from_percent(45), "absent: -10% of trust");
			assert_eq!(by(e).reward, 0);
		}
		assert_eq!(pallet_poq_evaluators::Ledgers::<Test>::get(m[3]).unwrap().bonded, 800);
		assert_eq!(by(m[0]).reward, by(m[1]).reward);
		assert!(by(m[0]).reward > 0);
	});
}

#[test]
fn deviating_members_lose_trust_and_persistent_outliers_are_slashed() {
	test(|| {
		let evaluators = bond_evaluators(5);
		let liar = evaluators[4];
		let mut trust = Perbill::from_percent(50);
		for round in 0..3u64 {
			let task = post_task(&[PROVIDERS, PROVIDERS + 1, PROVIDERS + 2], 1_000);
			run_to(System::block_number() + 2);
			let members = committee(task);
			assert!(members.contains(&liar));
			let lie = vec![report(0), report(1_000_000), report(1_000_000)];
			let truth = honest();
			for e in &members {
				commit(*e, task, if *e == liar { &lie } else { &truth });
			}
			run_to(System::block_number() + 2);
			for e in &members {
				reveal(*e, task, if *e == liar { &lie } else { &truth });
			}
			run_to(System::block_number() + 2);
			let r = Results::<Test>::get(task).unwrap();
			let l = r.evaluators.iter().find(|e| e.who == liar).unwrap();
			assert!(l.deviation.unwrap() > pm(400_000));
			assert!(l.trust < trust, "round {round}: trust falls beyond tolerance");
			trust = l.trust;
			assert_eq!(l.reward, 0, "accuracy zero beyond the accuracy bound");
			let honest_trust = r.evaluators.iter().find(|e| e.who != liar).unwrap().trust;
			assert!(honest_trust > Perbill::from_percent(50));
			if round < 2 {
				assert_eq!(l.slashed, 0);
				assert_eq!(Strikes::<Test>::get(liar), round as u32 + 1);
			} else {
				assert_eq!(l.slashed, 50, "third strike: 5% of the bond");
				assert_eq!(Strikes::<Test>::get(liar), 0);
			}
		}
	});
}

#[test]
fn committee_excludes_providers_and_respects_prices_and_size() {
	test(|| {
		let evaluators = bond_evaluators(6);
		// A provider that is also an evaluator never judges its own task.
		bond(PROVIDERS);
		// Evaluation budget 300: two members at 120 fit, a third does not.
		for e in &evaluators {
			assert_ok!(Consensus::set_price(signed(*e), 120));
		}
		assert_noop!(Consensus::set_price(signed(USER), 1), Error::<Test>::NotEvaluator);
		let task = post_task(&[PROVIDERS, PROVIDERS + 1], 1_000);
		run_to(System::block_number() + 2);
		let members = committee(task);
		assert_eq!(members.len(), 2);
		assert!(!members.contains(&PROVIDERS));
		// Cheap evaluators: the full default committee of five.
		for e in &evaluators {
			assert_ok!(Consensus::set_price(signed(*e), 10));
		}
		let task = post_task(&[PROVIDERS + 1, PROVIDERS + 2], 1_000);
		run_to(System::block_number() + 2);
		assert_eq!(committee(task).len(), 5);
		// Every member but the evaluator-provider (no price declared) declared 10.
		let round = Rounds::<Test>::get(task).unwrap();
		assert!(round.committee.iter().all(|(m, price)| *price == 10 || *m == PROVIDERS));
	});
}

#[test]
fn prices_are_paid_by_accuracy_before_the_trust_share() {
	test(|| {
		let evaluators = bond_evaluators(2);
		assert_ok!(Consensus::set_price(signed(evaluators[0]), 100));
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 2);
		for e in &evaluators {
			commit(*e, task, &[report(800_000)]);
		}
		run_to(System::block_number() + 2);
		for e in &evaluators {
			reveal(*e, task, &[report(800_000)]);
		}
		run_to(System::block_number() + 2);
		let r = Results::<Test>::get(task).unwrap();
		let reward = |w: u64| r.evaluators.iter().find(|e| e.who == w).unwrap().reward;
		// Budget 300: price 100 first, then 200 shared by equal trust.
		assert_eq!(reward(evaluators[0]), 200);
		assert_eq!(reward(evaluators[1]), 100);
	});
}

#[test]
fn the_quality_floor_pays_nothing_below_it_and_one_report_gives_no_agreement() {
	test(|| {
		let (task, _) = scoring_setup();
		let members = committee(task);
		// Only the first member takes part: one report, so agreement is not measured.
		let reports = vec![report(900_000), report(800_000), report(400_000)];
		commit(members[0], task, &reports);
		run_to(7);
		reveal(members[0], task, &reports);
		run_to(9);
		let r = Results::<Test>::get(task).expect("settled");
		for o in &r.outputs {
			assert_eq!(o.scores[Dimension::Agreement as usize], None, "one report cannot disagree with itself");
		}
		// Output 2 (evaluator-side quality 0.4) is below the floor of 0.5: nothing, whatever its
		// priors; outputs 0 and 1 share the providers' pool, the better one more.
		assert_eq!(r.outputs[2].reward, 0);
		assert!(r.outputs[0].reward > r.outputs[1].reward && r.outputs[1].reward > 0);
		let paid: Balance = r.outputs.iter().map(|o| o.reward).sum::<Balance>() +
			r.evaluators.iter().map(|e| e.reward).sum::<Balance>();
		assert_eq!(paid + r.refunded, 1_000);
	});
}

#[test]
fn the_floor_is_governed_and_a_zero_floor_pays_every_output() {
	test(|| {
		let mut p = CurrentParams::<Test>::get();
		p.quality_floor = Permill::zero();
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		let (task, _) = scoring_setup();
		let members = committee(task);
		let reports = vec![report(900_000), report(600_000), report(400_000)];
		for m in &members {
			commit(*m, task, &reports);
		}
		run_to(7);
		for m in &members {
			reveal(*m, task, &reports);
		}
		run_to(9);
		let r = Results::<Test>::get(task).expect("settled");
		assert!(r.outputs.iter().all(|o| o.reward > 0), "{:?}", r.outputs);
		assert_eq!(r.outputs[0].scores[Dimension::Agreement as usize], Some(Permill::one()));
	});
}

#[test]
fn nothing_revealed_means_nothing_paid() {
	test(|| {
		let (task, _) = scoring_setup();
		let user_before = Balances::balance(&USER);
		run_to(9);
		let r = Results::<Test>::get(task).unwrap();
		assert_eq!(r.winner, None);
		assert_eq!(r.refunded, 1_000);
		assert!(r.outputs.iter().all(|o| o.reward == 0 && o.composite.is_zero()));
		assert!(r.outputs.iter().all(|o| o.scores[Dimension::Semantic as usize].is_none()));
		assert_eq!(Balances::balance(&USER), user_before + 1_010);
		assert_eq!(pallet_poq_tasks::Providers::<Test>::get(PROVIDERS).unwrap().rating, None);
	});
}

#[test]
fn governance_sets_weights_and_params() {
	test(|| {
		assert_eq!(Weights::<Test>::get(TaskFamily::Code), DEFAULT_WEIGHTS);
		assert_noop!(
			Consensus::set_dimension_weights(signed(USER), TaskFamily::Qa, CALIBRATED_WEIGHTS),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consensus::set_dimension_weights(RuntimeOrigin::root(), TaskFamily::Qa, [Permill::zero(); 6]),
			Error::<Test>::InvalidWeights
		);
		assert_ok!(Consensus::set_dimension_weights(RuntimeOrigin::root(), TaskFamily::Qa, CALIBRATED_WEIGHTS));
		assert_eq!(Weights::<Test>::get(TaskFamily::Qa), CALIBRATED_WEIGHTS);
		assert_eq!(Weights::<Test>::get(TaskFamily::Open), DEFAULT_WEIGHTS);

		let mut p = default_params();
		p.committee_size = 0;
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::InvalidParams);
		p.committee_size = 17;
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::InvalidParams);
		p = default_params();
		p.rule = AggregationRule::TrimmedMean(Permill::from_percent(50));
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::InvalidParams);
		p = default_params();
		p.commit_blocks = 0;
		assert_noop!(Consensus::set_params(RuntimeOrigin::root(), p), Error::<Test>::InvalidParams);
		p = default_params();
		p.rule = AggregationRule::Median;
		p.committee_size = 3;
		assert_noop!(Consensus::set_params(signed(USER), p), DispatchError::BadOrigin);
		assert_ok!(Consensus::set_params(RuntimeOrigin::root(), p));
		assert_eq!(CurrentParams::<Test>::get(), p);

		// The calibrated profile ignores alignment and agreement: a committee that disagrees on
		// alignment only does not move the composite.
		bond_evaluators(3);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 2);
		let members = committee(task);
		assert_eq!(members.len(), 3);
		let reports = |i: usize| {
			vec![ScoreReport { structure: pm(600_000), semantic: pm(600_000), alignment: pm(i as u32 * 400_000) }]
		};
		for (i, e) in members.iter().enumerate() {
			commit(*e, task, &reports(i));
		}
		run_to(System::block_number() + 2);
		for (i, e) in members.iter().enumerate() {
			reveal(*e, task, &reports(i));
		}
		run_to(System::block_number() + 2);
		let r = Results::<Test>::get(task).unwrap();
		// Weights 0.15 prior (0.5), 0.10 cost prior (1), 0.20 + 0.25 at 0.6, renormalised by 0.7.
		let expected = (150_000u64 * 500_000 + 100_000 * 1_000_000 + 450_000 * 600_000) / 700_000;
		assert_eq!(r.outputs[0].composite, pm(expected as u32));
	});
}

#[test]
fn settle_by_hand_and_dropped_rounds() {
	test(|| {
		let (task, _) = scoring_setup();
		// Take the task off the automatic schedule: only a call settles it now.
		let due = Rounds::<Test>::get(task).unwrap().reveal_ends;
		assert_noop!(Consensus::settle(signed(USER), task), Error::<Test>::NotDue);
		Due::<Test>::remove(due, task);
		run_to(due);
		assert!(Results::<Test>::get(task).is_none());
		assert_ok!(Consensus::settle(signed(USER), task));
		assert!(Results::<Test>::get(task).is_some());
		assert_noop!(Consensus::settle(signed(USER), task), Error::<Test>::NoRound);

		// A round whose task expires unsettled is dropped with it: round, entry, commits.
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 2);
		let round = Rounds::<Test>::get(task).unwrap();
		let m = round.committee[0].0;
		commit(m, task, &[report(500_000)]);
		Due::<Test>::remove(round.reveal_ends, task);
		run_to(System::block_number() + 8);
		assert_eq!(pallet_poq_tasks::Pallet::<Test>::phase_of(task), Some(pallet_poq_tasks::Phase::Expired));
		assert!(events().contains(&Event::RoundDropped { task }));
		assert!(Rounds::<Test>::get(task).is_none());
		assert_eq!(Commits::<Test>::iter_prefix(task).count(), 0);
		assert_noop!(Consensus::settle(signed(USER), task), Error::<Test>::NoRound);
	});
}

#[test]
fn results_are_pruned_after_retention() {
	test(|| {
		let (task, _) = scoring_setup();
		// Nobody commits: settled at the reveal window's end (8), retained for 5 blocks.
		run_to(8);
		assert_eq!(Results::<Test>::get(task).unwrap().expires_at, 13);
		run_to(12);
		assert!(Results::<Test>::get(task).is_some());
		run_to(13);
		assert!(Results::<Test>::get(task).is_none());
		assert_eq!(ResultQueueBounds::<Test>::get(), (1, 1));
	});
}

#[test]
fn settlements_beyond_the_hook_budget_carry_over_in_order() {
	test(|| {
		bond_evaluators(3);
		// Six tasks whose reveal ends in the same block, room for four settlements per block.
		let tasks: Vec<TaskId> = (0..6).map(|_| {
			let t = pallet_poq_tasks::NextTaskId::<Test>::get();
			assert_ok!(Tasks::submit_query(signed(USER), TaskFamily::Qa, b"q".to_vec(), None, 100, Default::default()));
			t
		}).collect();
		for (i, t) in tasks.iter().enumerate() {
			let p = PROVIDERS + i as u64;
			assert_ok!(Tasks::register_provider(signed(p), b"m@1".to_vec(), 1));
			assert_ok!(Tasks::commit_output(signed(p), *t, poq_primitives::commitment::output(&p, *t, b"o", &SALT)));
		}
		run_to(3);
		for (i, t) in tasks.iter().enumerate() {
			assert_ok!(Tasks::reveal_output(signed(PROVIDERS + i as u64), *t, b"o".to_vec(), SALT));
		}
		run_to(4);
		let due = Rounds::<Test>::get(tasks[0]).unwrap().reveal_ends;
		assert!(tasks.iter().all(|t| Due::<Test>::contains_key(due, t)));
		let one = <Test as Config>::WeightInfo::settle(3, 1);
		ServiceWeight::set(&(one * 4 + <<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<frame_support::weights::RuntimeDbWeight>>::get().reads_writes(20, 2)));
		run_to(due);
		assert_eq!(tasks.iter().filter(|t| Results::<Test>::get(*t).is_some()).count(), 4);
		assert_eq!(Consensus::settlement_backlog(due), 2);
		run_to(due + 1);
		assert!(tasks.iter().all(|t| Results::<Test>::get(t).is_some()));
		assert_eq!(Consensus::settlement_backlog(due + 1), 0);
	});
}

#[test]
fn windows_close_when_every_member_has_acted() {
	test(|| {
		use frame_support::traits::Hooks;
		bond_evaluators(5);
		let task = post_task(&[PROVIDERS, PROVIDERS + 1, PROVIDERS + 2], 1_000);
		// The draw block: the commit window runs to drawn_at + 2.
		run_to(System::block_number() + 1);
		let members = committee(task);
		let round = Rounds::<Test>::get(task).unwrap();
		let now = System::block_number();
		assert_eq!(round.drawn_at, now);
		for m in &members[..4] {
			commit(*m, task, &honest());
		}
		assert_eq!(Rounds::<Test>::get(task).unwrap().commit_ends, round.commit_ends);
		commit(members[4], task, &honest());
		// Everyone committed: reveals open in the next block.
		assert_eq!(Rounds::<Test>::get(task).unwrap().commit_ends, now + 1);
		assert!(events().contains(&Event::AllCommitted { task, reveal_starts: now + 1 }));
		assert_noop!(
			Consensus::reveal_scores(signed(members[0]), task, honest(), MODEL_SET, SALT),
			Error::<Test>::RevealNotOpen
		);
		run_to(now + 1);
		for m in &members[..4] {
			reveal(*m, task, &honest());
		}
		assert!(Due::<Test>::contains_key(round.reveal_ends, task));
		reveal(members[4], task, &honest());
		// Everyone revealed: settled in this block's idle time, the planned entry gone.
		assert!(!Due::<Test>::contains_key(round.reveal_ends, task));
		assert!(events().contains(&Event::AllRevealed { task }));
		Consensus::on_idle(now + 1, Weight::MAX);
		let r = Results::<Test>::get(task).expect("settled in the block of the last reveal");
		assert_eq!(r.settled_at, now + 1);
		assert!(r.evaluators.iter().all(|e| e.conduct == Conduct::Revealed && e.slashed == 0));
	});
}

#[test]
fn an_early_reveal_close_waits_only_for_members_who_committed() {
	test(|| {
		let (task, _) = scoring_setup();
		let members = committee(task);
		let round = Rounds::<Test>::get(task).unwrap();
		for m in &members[..3] {
			commit(*m, task, &honest());
		}
		// Two members are silent: the commit window runs to its end.
		run_to(round.commit_ends);
		for m in &members[..3] {
			reveal(*m, task, &honest());
		}
		let now = System::block_number();
		assert_eq!(Rounds::<Test>::get(task).unwrap().reveal_ends, now);
		run_to(now + 1);
		let r = Results::<Test>::get(task).expect("settled in the next block at the latest");
		let silent = r.evaluators.iter().filter(|e| e.conduct == Conduct::Silent).count();
		assert_eq!(silent, 2, "the absentees are still penalised");
	});
}

#[derive(Clone, Debug)]
enum Act {
	Honest(u32),
	Skip,
	CommitOnly,
	Mismatch,
}

fn act() -> impl Strategy<Value = Act> {
	prop_oneof![
		(0u32..=1_000_000).prop_map(Act::Honest),
		Just(Act::Skip),
		Just(Act::CommitOnly),
		Just(Act::Mismatch),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(48))]
	/// Whatever the committee does, every unit of the pool is paid or refunded, issuance only
	/// falls by what was slashed, and the user's bounty hold is released.
	#[test]
	fn the_pool_is_always_accounted_for(
		acts in prop::collection::vec(act(), 1..8),
		outputs in 1usize..5,
		bounty in 100u64..100_000,
		// Below the smallest evaluation budget (30% of 100): at least one member always fits.
		prices in prop::collection::vec(0u64..30, 8),
		seed in any::<u64>(),
	) {
		RANDOM_SEED.with(|s| s.set(seed));
		test(|| {
			let evaluators = bond_evaluators(acts.len() as u64);
			for (e, p) in evaluators.iter().zip(&prices) {
				assert_ok!(Consensus::set_price(signed(*e), *p));
			}
			let providers: Vec<u64> = (0..outputs as u64).map(|i| PROVIDERS + i).collect();
			let issuance = Balances::total_issuance();
			let task = post_task(&providers, bounty);
			run_to(System::block_number() + 2);
			let members = committee(task);
			let plan = |m: u64| acts[(m - EVALUATORS) as usize].clone();
			let reports = |x: u32| (0..outputs).map(|i| report((x + 97_000 * i as u32) % 1_000_001)).collect::<Vec<_>>();
			for m in &members {
				match plan(*m) {
					Act::Honest(x) => commit(*m, task, &reports(x)),
					Act::CommitOnly | Act::Mismatch => commit(*m, task, &reports(1)),
					Act::Skip => {},
				}
			}
			run_to(System::block_number() + 2);
			for m in &members {
				match plan(*m) {
					Act::Honest(x) => reveal(*m, task, &reports(x)),
					Act::Mismatch => {
						assert_ok!(Consensus::reveal_scores(signed(*m), task, reports(2), MODEL_SET, SALT));
					},
					_ => {},
				}
			}
			run_to(System::block_number() + 2);
			let r = Results::<Test>::get(task).unwrap();
			let paid: u64 = r.outputs.iter().map(|o| o.reward).sum::<u64>() + r.evaluators.iter().map(|e| e.reward).sum::<u64>();
			prop_assert_eq!(paid + r.refunded, bounty);
			let slashed: u64 = r.evaluators.iter().map(|e| e.slashed).sum();
			// Output deposits of outputs below the quality floor are burnt too (the mock's
			// slash destination).
			let forfeited: u64 = System::events()
				.into_iter()
				.filter_map(|r| match r.event {
					RuntimeEvent::Tasks(pallet_poq_tasks::Event::OutputBelowFloor { amount, .. }) => Some(amount),
					_ => None,
				})
				.sum();
			prop_assert_eq!(Balances::total_issuance(), issuance - slashed - forfeited);
			prop_assert_eq!(Balances::balance_on_hold(&pallet_poq_tasks::HoldReason::Bounty.into(), &USER), 0);
			for e in r.evaluators.iter() {
				prop_assert!(e.trust >= Perbill::from_percent(1) && e.trust <= Perbill::one());
				if e.conduct != Conduct::Revealed { prop_assert_eq!(e.reward, 0); }
			}
			Ok(())
		})?;
	}
}

/// A deterministic scoring engine for the off-chain worker tests: the longer the output, the
/// better.
pub(crate) struct LengthScorer;
impl poq_primitives::Scorer for LengthScorer {
	fn score(&self, r: &poq_primitives::ScoringRequest) -> Result<poq_primitives::ScoringResponse, String> {
		let reports = r.outputs.iter().map(|o| report((o.len() as u32 * 100_000).min(1_000_000))).collect();
		Ok(poq_primitives::ScoringResponse { model_set: H256::repeat_byte(7), reports })
	}
}

/// Dispatches the transactions the off-chain worker put in the pool; returns their calls.
pub(crate) fn dispatch_pool(pool: &PoolState) -> Vec<RuntimeCall> {
	use codec::Decode;
	use frame_support::traits::UnfilteredDispatchable;
	let txs = std::mem::take(&mut pool.write().transactions);
	txs.into_iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).expect("a transaction of the mock");
			let who = match xt.preamble {
				sp_runtime::generic::Preamble::Signed(who, _, _) => who,
				_ => panic!("the worker signs its transactions"),
			};
			assert_ok!(xt.function.clone().dispatch_bypass_filter(signed(who)));
			xt.function
		})
		.collect()
}

pub(crate) type PoolState = std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>;

/// Externalities of an off-chain worker whose keystore holds the key of evaluator 101 only,
/// with the [`LengthScorer`] as scoring engine if `engine`; and the transaction pool's state.
pub(crate) fn offchain_ext(engine: bool) -> (sp_io::TestExternalities, PoolState) {
	use sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt};
	let (offchain, _state) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	let mut ext = new_test_ext();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	if engine {
		ext.register_extension(poq_primitives::ScoringExt(std::sync::Arc::new(LengthScorer)));
	}
	sp_runtime::testing::UintAuthorityId::set_all_keys(vec![EVALUATORS]);
	(ext, pool_state)
}

#[test]
fn the_offchain_worker_scores_commits_and_reveals_from_its_stored_salt() {
	let (mut ext, pool_state) = offchain_ext(true);
	ext.execute_with(|| {
		use frame_support::traits::Hooks;
		let evaluators = bond_evaluators(2);
		let task = post_task(&[PROVIDERS, PROVIDERS + 1], 1_000);
		// Every output was revealed: the committee is drawn in the next block.
		run_to(System::block_number() + 1);
		let drawn = System::block_number();
		assert_eq!(Rounds::<Test>::get(task).unwrap().drawn_at, drawn);
		assert_eq!(committee(task).len(), 2);

		// Commit window: the worker of the draw block scores and commits for its own key, once.
		Consensus::offchain_worker(drawn);
		let calls = dispatch_pool(&pool_state);
		assert!(matches!(calls.as_slice(), [RuntimeCall::Consensus(Call::commit_scores { task: t, .. })] if *t == task));
		assert!(Commits::<Test>::contains_key(task, EVALUATORS));
		Consensus::offchain_worker(drawn);
		assert!(pool_state.read().transactions.is_empty(), "no second commit, no early reveal");
		// The other member commits by hand (the same scores as the engine's): the window closes.
		let by_hand = vec![report(800_000), report(800_000)];
		commit(evaluators[1], task, &by_hand);
		assert_eq!(Rounds::<Test>::get(task).unwrap().commit_ends, drawn + 1);

		// The worker of the block of the last commitment (a later worker, as after a restart)
		// reveals from off-chain storage, for the next block.
		Consensus::offchain_worker(drawn);
		run_to(drawn + 1);
		let calls = dispatch_pool(&pool_state);
		assert!(matches!(calls.as_slice(), [RuntimeCall::Consensus(Call::reveal_scores { model_set, .. })] if *model_set == H256::repeat_byte(7)));
		assert!(matches!(Reveals::<Test>::get(task, EVALUATORS), Some(Reveal::Valid { .. })));
		Consensus::offchain_worker(drawn + 1);
		assert!(pool_state.read().transactions.is_empty(), "no second reveal");
		reveal(evaluators[1], task, &by_hand);

		// Everyone revealed: settled in the next block at the latest.
		run_to(drawn + 2);
		let r = Results::<Test>::get(task).unwrap();
		let me = r.evaluators.iter().find(|e| e.who == EVALUATORS).unwrap();
		assert_eq!(me.conduct, Conduct::Revealed);
		assert_eq!(me.slashed, 0);
		// "out11" and "out12" have 5 characters: 0.5 each by the length scorer.
		assert_eq!(r.outputs[0].scores[Dimension::Semantic as usize], Some(pm(650_000)));
		try_state();
	});
}

#[test]
fn the_offchain_worker_does_not_commit_into_a_closing_window() {
	let (mut ext, pool_state) = offchain_ext(true);
	ext.execute_with(|| {
		use frame_support::traits::Hooks;
		bond_evaluators(1);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(System::block_number() + 1);
		let round = Rounds::<Test>::get(task).unwrap();
		// The worker of the window's last block could only land its commitment after it.
		Consensus::offchain_worker(round.commit_ends - 1);
		assert!(pool_state.read().transactions.is_empty());
		// One block earlier it can.
		Consensus::offchain_worker(round.commit_ends - 2);
		assert_eq!(pool_state.read().transactions.len(), 1);
		try_state();
	});
}

#[test]
fn without_an_engine_or_a_key_the_worker_submits_nothing() {
	let (mut ext, pool_state) = offchain_ext(false);
	ext.execute_with(|| {
		use frame_support::traits::Hooks;
		bond_evaluators(1);
		let task = post_task(&[PROVIDERS], 1_000);
		run_to(5);
		// No scoring engine registered (a node that does not evaluate).
		Consensus::offchain_worker(5);
		assert!(pool_state.read().transactions.is_empty());
		assert!(!Commits::<Test>::contains_key(task, EVALUATORS));
		// And no local key for the member.
		sp_runtime::testing::UintAuthorityId::set_all_keys(Vec::<u64>::new());
		Consensus::offchain_worker(6);
		assert!(pool_state.read().transactions.is_empty());
		try_state();
	});
}
