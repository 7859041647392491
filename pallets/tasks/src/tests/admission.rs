//! Output admission (`admission.rs`): the early close by qualified providers or at the
//! commitment cap, the draw weighted by rating, and output deposits forfeited below the
//! quality floor.

use super::{mock::*, unit::{commit, held, register, signed, submit, submit_with, SALT}};
use crate::{Committers, Error, Event, HoldReason, Outputs, Phase, Providers, Tasks as TaskRecords};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Hooks},
};
use poq_primitives::{Rating as ModelRating, TaskProvider};
use sp_runtime::Permill;

#[test]
fn the_last_commitment_closes_the_answer_phase() {
	test(|| {
		let t = submit_with(1, 1_000, 2);
		for p in 2..=5 {
			register(p);
		}
		// 2 and 3 are rated below the quality floor (0.45): their commitments do not close the
		// phase early.
		for p in [2, 3] {
			Providers::<Test>::mutate(p, |i| {
				i.as_mut().unwrap().rating = Some(ModelRating { rating: Permill::from_percent(10), results: 3 })
			});
		}
		commit(2, t, b"a");
		commit(3, t, b"b");
		// max_outputs (2) reached: the phase stays open for more commitments, up to twice that.
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().answer_ends, 4);
		commit(4, t, b"c");
		commit(5, t, b"d");
		// Two commitments of providers at the floor or above (unrated: 0.5), four in all, at
		// block 1: the reveal phase starts at block 2.
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().answer_ends, 2);
		assert!(events().contains(&Event::AnswerClosed { task: t, reveal_starts: 2 }));
		assert_noop!(Tasks::reveal_output(signed(2), t, b"a".to_vec(), SALT), Error::<Test>::WrongPhase);
		System::set_block_number(2);
		assert_eq!(Tasks::phase_of(t), Some(Phase::Reveal));
		// The admission draw has not run (the hooks of block 2 have not): reveals wait.
		assert_noop!(Tasks::reveal_output(signed(2), t, b"a".to_vec(), SALT), Error::<Test>::AdmissionPending);
		Tasks::on_initialize(2);
		assert_eq!(Committers::<Test>::get(t).len(), 2);
		run_to(4);
		register(6);
		assert_noop!(
			Tasks::commit_output(signed(6), t, poq_primitives::commitment::output(&6u64, t, b"y", &SALT)),
			Error::<Test>::WrongPhase
		);
	});
}

#[test]
fn max_outputs_of_qualified_providers_close_the_answer_phase_early() {
	test(|| {
		let t = submit_with(1, 1_000, 2);
		for p in 2..=4 {
			register(p);
		}
		Providers::<Test>::mutate(2, |i| {
			i.as_mut().unwrap().rating = Some(ModelRating { rating: Permill::from_percent(10), results: 3 })
		});
		commit(2, t, b"a");
		commit(3, t, b"b");
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().answer_ends, 4, "one qualified commitment of two");
		commit(4, t, b"c");
		// Three commitments, two of them qualified: closed early, and the draw admits two.
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().answer_ends, 2);
		run_to(2);
		assert_eq!(Committers::<Test>::get(t).len(), 2);
	});
}

#[test]
fn oversubscribed_outputs_are_admitted_by_rating_not_by_order() {
	test(|| {
		let t = submit_with(1, 1_000, 2);
		for p in 2..=5 {
			register(p);
		}
		// 4 and 5, rated 0.9, commit last; 2 and 3, rated 0.05, first.
		for (p, r) in [(2, 5), (3, 5), (4, 90), (5, 90)] {
			Providers::<Test>::mutate(p, |i| {
				i.as_mut().unwrap().rating = Some(ModelRating { rating: Permill::from_percent(r), results: 10 })
			});
		}
		let before: Vec<u64> = (2..=5).map(|p| Balances::balance(&p)).collect();
		for p in 2..=5u64 {
			commit(p, t, b"x");
		}
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().commits, 4);
		run_to(2);
		// The draw (weights 0.05^2 against 0.9^2) admits the two rated providers, in commit order.
		assert_eq!(Committers::<Test>::get(t).into_inner(), vec![4, 5]);
		assert_eq!(TaskRecords::<Test>::get(t).unwrap().commits, 2);
		assert!(events().contains(&Event::OutputsAdmitted { task: t, admitted: vec![4, 5], refused: vec![2, 3] }));
		// The refused get their deposit and open-task slot back; the admitted keep theirs held.
		for (i, p) in (2..=5u64).enumerate() {
			let admitted = p >= 4;
			assert_eq!(held(p, HoldReason::OutputDeposit), if admitted { 20 } else { 0 });
			assert_eq!(Providers::<Test>::get(p).unwrap().open_tasks, admitted as u32);
			assert_eq!(Balances::balance(&p), before[i] - if admitted { 20 } else { 0 });
		}
		assert!(Outputs::<Test>::get(t, 2).is_none());
		assert_noop!(Tasks::reveal_output(signed(2), t, b"x".to_vec(), SALT), Error::<Test>::NotCommitted);
		assert_ok!(Tasks::reveal_output(signed(4), t, b"x".to_vec(), SALT));
	});
}

#[test]
fn the_draw_weighs_by_the_square_of_the_rating() {
	assert_eq!(crate::admission_weight(Permill::zero()), 1);
	assert_eq!(crate::admission_weight(Permill::from_percent(50)), 250_000_000_000);
	// Everything when k covers all; k distinct indices in ascending order otherwise.
	assert_eq!(crate::draw_admitted(&[1, 2, 3], 3, |_| 0), vec![0, 1, 2]);
	let mut n = 0u128;
	let picked = crate::draw_admitted(&[5, 1, 1, 5], 2, |m| {
		n += 7;
		n % m
	});
	assert_eq!(picked.len(), 2);
	assert!(picked.windows(2).all(|w| w[0] < w[1]));
	// A zero-weight entry is never drawn while another is left.
	assert_eq!(crate::draw_admitted(&[0, 9, 0], 1, |m| m - 1), vec![1]);
}

#[test]
fn outputs_below_the_floor_forfeit_their_deposit_at_settlement() {
	test(|| {
		let t = submit(1, 1_000);
		register(2);
		register(3);
		commit(2, t, b"Paris");
		commit(3, t, b"junk");
		run_to(4);
		assert_ok!(Tasks::reveal_output(signed(2), t, b"Paris".to_vec(), SALT));
		assert_ok!(Tasks::reveal_output(signed(3), t, b"junk".to_vec(), SALT));
		// Held through the reveal, until the task ends.
		assert_eq!(held(2, HoldReason::OutputDeposit), 20);
		run_to(6);
		let (b2, b3) = (Balances::balance(&2), Balances::balance(&3));
		let issuance = Balances::total_issuance();
		assert_ok!(Tasks::settle(t, &[(2, 500)], &[3]));
		assert_eq!(Balances::balance(&2), b2 + 500 + 20);
		assert_eq!(Balances::balance(&3), b3);
		assert_eq!(held(3, HoldReason::OutputDeposit), 0);
		// The mock burns what is forfeited.
		assert_eq!(Balances::total_issuance(), issuance - 20);
		assert!(events().contains(&Event::OutputBelowFloor { task: t, provider: 3, amount: 20 }));
	});
}
