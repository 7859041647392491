//! Tests of the validators pallet: governance calls, session boundaries, offences, idleness.

use crate::{tests::mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use pallet_authorship::EventHandler;
use sp_runtime::{BuildStorage, DispatchError};
use sp_staking::offence::OffenceDetails;

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

fn active() -> Vec<u64> {
	Active::<Test>::get().into_inner()
}

fn offend(who: &[u64], session: u32) {
	let details: Vec<_> =
		who.iter().map(|w| OffenceDetails { offender: (*w, ()), reporters: vec![] }).collect();
	let fractions = vec![Perbill::from_percent(50); who.len()];
	<ValidatorSet as OnOffenceHandler<u64, (u64, ()), _>>::on_offence(&details, &fractions, session);
}

#[test]
fn genesis_sets_the_set_and_the_minimum() {
	test(|| {
		assert_eq!(set(), vec![1, 2, 3]);
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(MinValidators::<Test>::get(), 2);
		assert!(!SetChanged::<Test>::get());
		use pallet_session::SessionManager;
		assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session_genesis(0), Some(vec![1, 2, 3]));
		ValidatorSet::integrity_test();
	});
}

#[test]
fn only_governance_changes_the_set() {
	test(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::set_min_validators(RuntimeOrigin::signed(1), 1),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn add_checks_keys_duplicates_and_the_bound() {
	test(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 100),
			Error::<Test>::NoSessionKeys
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 5));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 6),
			Error::<Test>::TooManyValidators
		);
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
		assert_eq!(
			events(),
			vec![Event::ValidatorAdded { who: 4 }, Event::ValidatorAdded { who: 5 }]
		);
	});
}

#[test]
fn remove_keeps_the_minimum() {
	test(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(set(), vec![2, 3]);
		assert_eq!(events(), vec![Event::ValidatorRemoved { who: 1 }]);
	});
}

#[test]
fn the_minimum_is_checked() {
	test(|| {
		for bad in [0, 4, 6] {
			assert_noop!(
				ValidatorSet::set_min_validators(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidMinimum
			);
		}
		assert_ok!(ValidatorSet::set_min_validators(RuntimeOrigin::root(), 3));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(ValidatorSet::set_min_validators(RuntimeOrigin::root(), 1));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		assert_eq!(set(), vec![3]);
	});
}

#[test]
fn a_change_reaches_the_session_only_at_a_boundary() {
	test(|| {
		// Unchanged: nothing is handed over, so BABE and GRANDPA see no change.
		assert_eq!(rotate(0), None);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		// The change made in session 1 is planned for session 3 at the end of session 1 ...
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(rotate(1), Some(vec![2, 3, 4]));
		assert!(events().contains(&Event::NewSetPlanned { session: 3, validators: vec![2, 3, 4] }));
		// ... session 2 still has the old set, session 3 the new one.
		assert_eq!(active(), vec![1, 2, 3]);
		assert_eq!(rotate(2), None);
		assert_eq!(active(), vec![2, 3, 4]);
		assert_eq!(rotate(3), None);
		assert_eq!(active(), vec![2, 3, 4]);
	});
}

#[test]
fn a_validator_whose_keys_are_gone_is_not_planned() {
	test(|| {
		// 100 has no keys: put it in the set as if its keys were purged after it was added.
		Validators::<Test>::put(BoundedVec::try_from(vec![1, 2, 100]).unwrap());
		SetChanged::<Test>::put(true);
		assert_eq!(rotate(0), Some(vec![1, 2]));
	});
}

#[test]
fn a_set_with_too_few_keys_is_not_planned_and_is_tried_again() {
	test(|| {
		// 100 and 101 have no keys: two of four, below the minimum of the mock.
		Validators::<Test>::put(BoundedVec::try_from(vec![1, 100, 101]).unwrap());
		SetChanged::<Test>::put(true);
		let min = crate::MinValidators::<Test>::get();
		assert!(min >= 2, "the mock's minimum is {min}");
		assert_eq!(rotate(0), None);
		assert!(events().contains(&Event::PlanDeferred { session: 2, with_keys: 1 }));
		assert!(SetChanged::<Test>::get(), "tried again at the next session");
		// Once the set has enough validators with keys, it is planned.
		Validators::<Test>::put(BoundedVec::try_from(vec![1, 2, 3]).unwrap());
		assert_eq!(rotate(1), Some(vec![1, 2, 3]));
	});
}

#[test]
fn an_offender_is_disabled_and_removed_down_to_the_minimum() {
	test(|| {
		offend(&[1, 2], 7);
		// 1 goes (3 -> 2 validators); 2 stays, the set would fall below the minimum of 2.
		assert_eq!(set(), vec![2, 3]);
		assert!(SetChanged::<Test>::get());
		assert_eq!(
			events(),
			vec![
				Event::OffenderRemoved { who: 1, session: 7 },
				Event::OffenderKept { who: 2, session: 7 },
			]
		);
		assert_eq!(
			DISABLED.with(|d| d.borrow().clone()),
			vec![(1, Perbill::from_percent(50)), (2, Perbill::from_percent(50))]
		);
		// A former validator reported later is kept out and only disabled.
		offend(&[1], 8);
		assert_eq!(set(), vec![2, 3]);
		assert_eq!(events().last(), Some(&Event::OffenderKept { who: 1, session: 8 }));
		assert_eq!(rotate(0), Some(vec![2, 3]));
	});
}

#[test]
fn an_idle_validator_is_reported_each_session_until_it_authors() {
	test(|| {
		ValidatorSet::note_author(1);
		ValidatorSet::note_author(2);
		ValidatorSet::note_author(2);
		// Not active: not counted.
		ValidatorSet::note_author(42);
		assert_eq!(AuthoredBlocks::<Test>::get(2), 2);
		assert_eq!(AuthoredBlocks::<Test>::get(42), 0);
		rotate(0);
		assert_eq!(events(), vec![Event::ValidatorIdle { who: 3, session: 0, sessions: 1 }]);
		ValidatorSet::note_author(1);
		ValidatorSet::note_author(2);
		rotate(1);
		assert_eq!(IdleSessions::<Test>::get(3), 2);
		assert_eq!(events().last(), Some(&Event::ValidatorIdle { who: 3, session: 1, sessions: 2 }));
		ValidatorSet::note_author(3);
		System::reset_events();
		rotate(2);
		assert_eq!(IdleSessions::<Test>::get(3), 0);
		// 1 and 2 authored nothing in session 2.
		assert_eq!(
			events(),
			vec![
				Event::ValidatorIdle { who: 1, session: 2, sessions: 1 },
				Event::ValidatorIdle { who: 2, session: 2, sessions: 1 },
			]
		);
	});
}

#[test]
fn a_leaver_loses_its_counters() {
	test(|| {
		rotate(0);
		assert_eq!(IdleSessions::<Test>::get(3), 1);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 3));
		assert_eq!(rotate(1), Some(vec![1, 2]));
		rotate(2);
		assert_eq!(active(), vec![1, 2]);
		assert_eq!(IdleSessions::<Test>::get(3), 0);
		ValidatorSet::note_author(3);
		assert_eq!(AuthoredBlocks::<Test>::get(3), 0);
	});
}

#[test]
#[should_panic(expected = "genesis validators are fewer than min_validators")]
fn genesis_below_the_minimum_is_refused() {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> { validators: vec![1], min_validators: 2 }
		.assimilate_storage(&mut t)
		.unwrap();
}
