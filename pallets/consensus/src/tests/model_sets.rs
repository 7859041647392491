//! The registry of accepted model sets: governance accepts and retires sets, a reveal of a set
//! that is not accepted is left out of the consensus (unpaid, not slashed), and two accepted sets
//! count side by side during an upgrade.

use crate::{tests::{mock::*, unit::committee}, *};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn honest() -> Vec<ScoreReport> {
	vec![report(900_000), report(500_000), report(100_000)]
}

/// Five evaluators and a task with three outputs at its draw; returns the task and committee.
fn drawn() -> (TaskId, Vec<u64>) {
	bond_evaluators(5);
	let task = post_task(&[PROVIDERS, PROVIDERS + 1, PROVIDERS + 2], 1_000);
	run_to(5);
	let members = committee(task);
	assert_eq!(members.len(), 5);
	(task, members)
}

/// Commits and reveals `reports` of `model_set` for `who`.
fn commit_with(who: u64, task: TaskId, reports: &[ScoreReport], model_set: H256) {
	let c = poq_primitives::commitment::scores(&who, task, reports, &model_set, &SALT);
	assert_ok!(Consensus::commit_scores(signed(who), task, c));
}

fn reveal_with(who: u64, task: TaskId, reports: &[ScoreReport], model_set: H256) {
	assert_ok!(Consensus::reveal_scores(signed(who), task, reports.to_vec(), model_set, SALT));
}

#[test]
fn governance_accepts_and_retires_model_sets_within_bounds() {
	test(|| {
		let (a, b) = (H256::repeat_byte(0xa1), H256::repeat_byte(0xb2));
		assert_eq!(AcceptedModelSets::<Test>::count(), 2, "the mock's genesis accepts two");
		assert_noop!(
			Consensus::accept_model_set(signed(USER), a, b"n".to_vec(), b"1".to_vec()),
			DispatchError::BadOrigin
		);
		for (name, version) in [(vec![], b"1".to_vec()), (b"n".to_vec(), vec![]), (vec![b'x'; 65], b"1".to_vec())] {
			assert_noop!(
				Consensus::accept_model_set(RuntimeOrigin::root(), a, name, version),
				Error::<Test>::InvalidLabel
			);
		}
		assert_noop!(
			Consensus::accept_model_set(RuntimeOrigin::root(), MODEL_SET, b"n".to_vec(), b"1".to_vec()),
			Error::<Test>::ModelSetAlreadyAccepted
		);
		assert_ok!(Consensus::accept_model_set(RuntimeOrigin::root(), a, vec![b'x'; 64], b"2.0".to_vec()));
		assert_eq!(AcceptedModelSets::<Test>::get(a).unwrap().version.to_vec(), b"2.0".to_vec());
		assert_ok!(Consensus::accept_model_set(RuntimeOrigin::root(), b, b"n".to_vec(), b"1".to_vec()));
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::ModelSetAccepted { model_set, .. } if *model_set == b)));
		assert_noop!(
			Consensus::accept_model_set(RuntimeOrigin::root(), H256::repeat_byte(0xc3), b"n".to_vec(), b"1".to_vec()),
			Error::<Test>::TooManyModelSets
		);

		assert_noop!(Consensus::retire_model_set(signed(USER), a), DispatchError::BadOrigin);
		assert_noop!(
			Consensus::retire_model_set(RuntimeOrigin::root(), OTHER_MODEL_SET),
			Error::<Test>::UnknownModelSet
		);
		for set in [a, b, SCORER_MODEL_SET] {
			assert_ok!(Consensus::retire_model_set(RuntimeOrigin::root(), set));
		}
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::ModelSetRetired { model_set } if *model_set == a)));
		assert_noop!(Consensus::retire_model_set(RuntimeOrigin::root(), MODEL_SET), Error::<Test>::LastModelSet);
		assert_eq!(AcceptedModelSets::<Test>::count(), 1);
	});
}

#[test]
fn a_reveal_of_an_unaccepted_model_set_is_left_out_unpaid_and_not_slashed() {
	test(|| {
		let (task, members) = drawn();
		let stray = members[4];
		let wild = vec![report(0), report(1_000_000), report(1_000_000)];
		for m in &members[..4] {
			commit(*m, task, &honest());
		}
		commit_with(stray, task, &wild, OTHER_MODEL_SET);
		run_to(6);
		for m in &members[..4] {
			reveal(*m, task, &honest());
		}
		let trust_before = <Evaluators as poq_primitives::EvaluatorRegistry<u64, Balance>>::trust(&stray).unwrap();
		reveal_with(stray, task, &wild, OTHER_MODEL_SET);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::RevealLeftOut { task: t, who, model_set } if *t == task && *who == stray && *model_set == OTHER_MODEL_SET
		)));
		run_to(8);

		let r = Results::<Test>::get(task).expect("settled");
		let left_out = r.evaluators.iter().find(|e| e.who == stray).unwrap();
		assert_eq!(left_out.conduct, Conduct::UnacceptedModelSet);
		assert_eq!((left_out.reward, left_out.slashed, left_out.deviation), (0, 0, None));
		assert_eq!(left_out.trust, trust_before - Perbill::from_percent(10) * trust_before, "an absentee's trust");
		// The consensus is the four others' alone: exact, unanimous, all paid.
		assert_eq!(r.outputs[0].scores[poq_primitives::Dimension::Structure as usize], Some(Permill::from_parts(900_000)));
		assert_eq!(r.outputs[0].scores[poq_primitives::Dimension::Agreement as usize], Some(Permill::one()));
		for e in r.evaluators.iter().filter(|e| e.who != stray) {
			assert_eq!((e.conduct, e.deviation, e.slashed), (Conduct::Revealed, Some(Permill::zero()), 0));
			assert!(e.reward > 0);
		}
		// Calibration never sees the left-out reveal.
		if let Some(record) = SettledReports::<Test>::get(task) {
			assert!(record.reports.iter().all(|(who, _)| *who != stray));
		}
	});
}

#[test]
fn evaluators_on_two_accepted_sets_coexist_and_a_retired_set_is_left_out() {
	test(|| {
		let (task, members) = drawn();
		// Both sets of the mock's genesis are accepted: an upgrade in progress.
		let sets = [MODEL_SET, MODEL_SET, SCORER_MODEL_SET, SCORER_MODEL_SET, SCORER_MODEL_SET];
		for (m, s) in members.iter().zip(sets) {
			commit_with(*m, task, &honest(), s);
		}
		run_to(6);
		for (m, s) in members.iter().zip(sets) {
			reveal_with(*m, task, &honest(), s);
		}
		run_to(8);
		let r = Results::<Test>::get(task).expect("settled");
		assert!(r.evaluators.iter().all(|e| e.conduct == Conduct::Revealed && e.reward > 0));

		// The upgrade completes: governance retires the old set; a task whose members still
		// reveal it (after their commitment) leaves them out at settlement.
		let task = post_task(&[PROVIDERS, PROVIDERS + 1, PROVIDERS + 2], 1_000);
		run_to(System::block_number() + 2);
		let members = committee(task);
		for (m, s) in members.iter().zip(sets) {
			commit_with(*m, task, &honest(), s);
		}
		let round = Rounds::<Test>::get(task).unwrap();
		run_to(round.commit_ends);
		for (m, s) in members.iter().zip(sets).take(2) {
			reveal_with(*m, task, &honest(), s);
		}
		assert_ok!(Consensus::retire_model_set(RuntimeOrigin::root(), MODEL_SET));
		for (m, s) in members.iter().zip(sets).skip(2) {
			reveal_with(*m, task, &honest(), s);
		}
		run_to(System::block_number() + 1);
		let r = Results::<Test>::get(task).expect("settled");
		for (e, s) in r.evaluators.iter().zip(sets) {
			let expected = if s == MODEL_SET { Conduct::UnacceptedModelSet } else { Conduct::Revealed };
			assert_eq!(e.conduct, expected);
			assert_eq!(e.slashed, 0);
		}
	});
}
