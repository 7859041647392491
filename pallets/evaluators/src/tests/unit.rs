//! Unit tests of the evaluators pallet: every call, every error path, slashing and an
//! invariant over random call sequences.

use crate::{tests::mock::*, Active, Bounds, Error, Event, Ledgers, Trust, TrustBounds, UnlockChunk};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use poq_primitives::{EvaluatorRegistry, EvaluatorSlashing, SlashReason};
use sp_runtime::{DispatchError, Perbill};

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

#[test]
fn bond_holds_funds_and_starts_at_the_lowest_trust() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 1_000));
		assert_eq!(Ledgers::<Test>::get(1).unwrap().bonded, 1_000);
		assert_eq!(Evaluators::held(&1), 1_000);
		assert_eq!(Balances::balance(&1), 9_000);
		assert_eq!(Trust::<Test>::get(1), Some(Perbill::from_percent(1)));
		assert_eq!(events(), vec![Event::Bonded { who: 1, amount: 1_000, bonded: 1_000 }]);
	});
}

#[test]
fn bond_rejects_bad_input() {
	test(|| {
		assert_noop!(Evaluators::bond(signed(1), 99), Error::<Test>::BondTooSmall);
		assert_noop!(Evaluators::bond(signed(9), 100), Error::<Test>::InsufficientBalance);
		assert_noop!(Evaluators::bond(signed(1), 20_000), Error::<Test>::InsufficientBalance);
		assert_ok!(Evaluators::bond(signed(1), 100));
		assert_noop!(Evaluators::bond(signed(1), 100), Error::<Test>::AlreadyBonded);
		assert_noop!(Evaluators::bond(RuntimeOrigin::none(), 100), DispatchError::BadOrigin);
	});
}

#[test]
fn bond_extra_adds_and_checks() {
	test(|| {
		assert_noop!(Evaluators::bond_extra(signed(1), 10), Error::<Test>::NotBonded);
		assert_ok!(Evaluators::bond(signed(1), 100));
		assert_noop!(Evaluators::bond_extra(signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Evaluators::bond_extra(signed(1), 10_000), Error::<Test>::InsufficientBalance);
		assert_ok!(Evaluators::bond_extra(signed(1), 50));
		assert_eq!(Ledgers::<Test>::get(1).unwrap().bonded, 150);
		assert_eq!(Evaluators::held(&1), 150);
	});
}

#[test]
fn unbond_queues_funds_and_keeps_them_held() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::unbond(signed(1), 200));
		let l = Ledgers::<Test>::get(1).unwrap();
		assert_eq!(l.bonded, 300);
		assert_eq!(l.unbonding.to_vec(), vec![UnlockChunk { value: 200, unlock_at: 11 }]);
		assert_eq!(Evaluators::held(&1), 500);
		// A second unbond in the same block merges into the same chunk.
		assert_ok!(Evaluators::unbond(signed(1), 100));
		assert_eq!(Ledgers::<Test>::get(1).unwrap().unbonding.len(), 1);
		assert_eq!(Ledgers::<Test>::get(1).unwrap().unbonding[0].value, 300);
	});
}

#[test]
fn unbond_rejects_bad_input() {
	test(|| {
		assert_noop!(Evaluators::unbond(signed(1), 10), Error::<Test>::NotBonded);
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_noop!(Evaluators::unbond(signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Evaluators::unbond(signed(1), 501), Error::<Test>::InsufficientBond);
		// 500 - 450 = 50 < MinBond (100), but not zero.
		assert_noop!(Evaluators::unbond(signed(1), 450), Error::<Test>::BelowMinimumBond);
		// The queue holds 4 chunks; a fifth (in another block) is refused.
		for b in 2..=5 {
			System::set_block_number(b);
			assert_ok!(Evaluators::unbond(signed(1), 10));
		}
		System::set_block_number(6);
		assert_noop!(Evaluators::unbond(signed(1), 10), Error::<Test>::TooManyUnbondingChunks);
	});
}

#[test]
fn unbonding_everything_chills() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::activate(signed(1)));
		assert_ok!(Evaluators::unbond(signed(1), 500));
		assert!(!Ledgers::<Test>::get(1).unwrap().active);
		assert!(Active::<Test>::get().is_empty());
		assert!(events().contains(&Event::Chilled { who: 1 }));
	});
}

#[test]
fn withdraw_only_after_the_unbonding_period() {
	test(|| {
		assert_noop!(Evaluators::withdraw_unbonded(signed(1)), Error::<Test>::NotBonded);
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::unbond(signed(1), 200));
		assert_noop!(Evaluators::withdraw_unbonded(signed(1)), Error::<Test>::NothingToWithdraw);
		System::set_block_number(10);
		assert_noop!(Evaluators::withdraw_unbonded(signed(1)), Error::<Test>::NothingToWithdraw);
		System::set_block_number(11);
		assert_ok!(Evaluators::withdraw_unbonded(signed(1)));
		assert_eq!(Evaluators::held(&1), 300);
		assert_eq!(Balances::balance(&1), 9_700);
		assert!(Ledgers::<Test>::get(1).unwrap().unbonding.is_empty());
	});
}

#[test]
fn nothing_is_withdrawn_while_a_slash_may_be_owed() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::unbond(signed(1), 500));
		System::set_block_number(11);
		OWED.with(|o| o.borrow_mut().push(1));
		assert_noop!(Evaluators::withdraw_unbonded(signed(1)), Error::<Test>::InCommittee);
		// Still slashable meanwhile.
		assert_eq!(Evaluators::do_slash(&1, Perbill::from_percent(10), poq_primitives::SlashReason::NoReveal), 50);
		OWED.with(|o| o.borrow_mut().clear());
		assert_ok!(Evaluators::withdraw_unbonded(signed(1)));
		assert_eq!(Balances::balance(&1), 9_950);
	});
}

#[test]
fn leaving_and_coming_back_never_raises_trust() {
	test(|| {
		// Account 1 earned trust, leaves: forgotten; it comes back at the lowest trust.
		assert_ok!(Evaluators::bond(signed(1), 100));
		Evaluators::set_trust(&1, Perbill::from_percent(80));
		assert_ok!(Evaluators::unbond(signed(1), 100));
		System::set_block_number(20);
		assert_ok!(Evaluators::withdraw_unbonded(signed(1)));
		assert!(Ledgers::<Test>::get(1).is_none());
		assert!(Trust::<Test>::get(1).is_none());
		assert!(events().contains(&Event::Left { who: 1 }));
		assert_ok!(Evaluators::bond(signed(1), 100));
		assert_eq!(Evaluators::trust(&1), Some(Perbill::from_percent(1)));
		// Account 2 is distrusted; a fresh account 3 (its owner starting over) is no better off.
		assert_ok!(Evaluators::bond(signed(2), 100));
		Evaluators::set_trust(&2, Perbill::from_percent(3));
		assert_ok!(Evaluators::bond(signed(3), 100));
		assert!(Evaluators::trust(&3) <= Evaluators::trust(&2));
	});
}

#[test]
fn rebond_takes_newest_chunks_first() {
	test(|| {
		assert_noop!(Evaluators::rebond(signed(1), 10), Error::<Test>::NotBonded);
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::unbond(signed(1), 100));
		System::set_block_number(2);
		assert_ok!(Evaluators::unbond(signed(1), 50));
		assert_noop!(Evaluators::rebond(signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Evaluators::rebond(signed(1), 151), Error::<Test>::InsufficientUnbonding);
		assert_ok!(Evaluators::rebond(signed(1), 70));
		let l = Ledgers::<Test>::get(1).unwrap();
		assert_eq!(l.bonded, 420);
		assert_eq!(l.unbonding.to_vec(), vec![UnlockChunk { value: 80, unlock_at: 11 }]);
		assert_eq!(Evaluators::held(&1), 500);
	});
}

#[test]
fn rebond_must_restore_the_minimum() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 500));
		assert_ok!(Evaluators::unbond(signed(1), 500));
		assert_noop!(Evaluators::rebond(signed(1), 50), Error::<Test>::BelowMinimumBond);
		assert_ok!(Evaluators::rebond(signed(1), 100));
	});
}

#[test]
fn activate_and_chill() {
	test(|| {
		assert_noop!(Evaluators::activate(signed(1)), Error::<Test>::NotBonded);
		assert_noop!(Evaluators::chill(signed(1)), Error::<Test>::NotBonded);
		for a in 1..=4 {
			assert_ok!(Evaluators::bond(signed(a), 100));
		}
		assert_noop!(Evaluators::chill(signed(1)), Error::<Test>::NotActive);
		for a in 1..=3 {
			assert_ok!(Evaluators::activate(signed(a)));
		}
		assert_noop!(Evaluators::activate(signed(1)), Error::<Test>::AlreadyActive);
		assert_noop!(Evaluators::activate(signed(4)), Error::<Test>::TooManyActive);
		assert_ok!(Evaluators::chill(signed(2)));
		assert_eq!(Active::<Test>::get().to_vec(), vec![1, 3]);
		assert_ok!(Evaluators::activate(signed(4)));
		let view: Vec<u64> = Evaluators::active_evaluators().into_iter().map(|v| v.who).collect();
		assert_eq!(view, vec![1, 3, 4]);
	});
}

#[test]
fn slash_takes_the_same_fraction_of_bonded_and_unbonding() {
	test(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(Evaluators::bond(signed(1), 1_000));
		assert_ok!(Evaluators::unbond(signed(1), 400));
		let slashed = <Evaluators as EvaluatorSlashing<u64, u64>>::slash(
			&1,
			Perbill::from_percent(10),
			SlashReason::NoReveal,
		);
		assert_eq!(slashed, 100);
		let l = Ledgers::<Test>::get(1).unwrap();
		assert_eq!(l.bonded, 540);
		assert_eq!(l.unbonding[0].value, 360);
		assert_eq!(Evaluators::held(&1), 900);
		// Burnt: total issuance fell by exactly the slash.
		assert_eq!(Balances::total_issuance(), issuance - 100);
		assert!(events().contains(&Event::Slashed {
			who: 1,
			amount: 100,
			reason: SlashReason::NoReveal
		}));
	});
}

#[test]
fn slash_below_minimum_chills() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 150));
		assert_ok!(Evaluators::activate(signed(1)));
		assert_ok!(Evaluators::slash(RuntimeOrigin::root(), 1, Perbill::from_percent(50)));
		assert!(!Ledgers::<Test>::get(1).unwrap().active);
		assert!(Active::<Test>::get().is_empty());
	});
}

#[test]
fn governance_calls_need_governance() {
	test(|| {
		assert_ok!(Evaluators::bond(signed(1), 150));
		let b = TrustBounds {
			min: Perbill::from_percent(5),
			max: Perbill::from_percent(90),
		};
		assert_noop!(Evaluators::set_trust_bounds(signed(1), b), DispatchError::BadOrigin);
		assert_noop!(
			Evaluators::slash(signed(2), 1, Perbill::from_percent(10)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Evaluators::slash(RuntimeOrigin::root(), 2, Perbill::from_percent(10)),
			Error::<Test>::NotBonded
		);
		let bad = TrustBounds { min: Perbill::from_percent(95), ..b };
		assert_noop!(
			Evaluators::set_trust_bounds(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidTrustBounds
		);
		// A minimum of zero would shut an evaluator out of every draw for good.
		let zero = TrustBounds { min: Perbill::zero(), ..b };
		assert_noop!(
			Evaluators::set_trust_bounds(RuntimeOrigin::root(), zero),
			Error::<Test>::InvalidTrustBounds
		);
		assert_ok!(Evaluators::set_trust_bounds(RuntimeOrigin::root(), b));
		assert_eq!(Bounds::<Test>::get(), b);
		// Trust is clamped to the bounds on write and on read; the write returns what it stored.
		assert_eq!(Evaluators::set_trust(&1, Perbill::from_percent(100)), Perbill::from_percent(90));
		assert_eq!(Evaluators::trust(&1), Some(Perbill::from_percent(90)));
		assert_eq!(Evaluators::set_trust(&1, Perbill::from_percent(0)), Perbill::from_percent(5));
		assert_eq!(Evaluators::trust(&1), Some(Perbill::from_percent(5)));
		// Unknown accounts are ignored and get their trust back unchanged.
		assert_eq!(Evaluators::set_trust(&7, Perbill::from_percent(30)), Perbill::from_percent(30));
		assert_eq!(Evaluators::trust(&7), None);
	});
}

mod invariant {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Bond(u64, u64),
		BondExtra(u64, u64),
		Unbond(u64, u64),
		Withdraw(u64),
		Rebond(u64, u64),
		Activate(u64),
		Chill(u64),
		Slash(u64, u32),
		Advance(u64),
	}

	fn op() -> impl Strategy<Value = Op> {
		let who = 1u64..=6; // account 6 has no funds
		let amt = 0u64..3_000;
		prop_oneof![
			(who.clone(), amt.clone()).prop_map(|(w, a)| Op::Bond(w, a)),
			(who.clone(), amt.clone()).prop_map(|(w, a)| Op::BondExtra(w, a)),
			(who.clone(), amt.clone()).prop_map(|(w, a)| Op::Unbond(w, a)),
			who.clone().prop_map(Op::Withdraw),
			(who.clone(), amt).prop_map(|(w, a)| Op::Rebond(w, a)),
			who.clone().prop_map(Op::Activate),
			who.clone().prop_map(Op::Chill),
			(who, 0u32..=100).prop_map(|(w, p)| Op::Slash(w, p)),
			(1u64..8).prop_map(Op::Advance),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Whatever the calls, (1) each ledger equals its hold, (2) the active set is exactly
		/// the active ledgers, all at or above the minimum bond, and (3) total issuance changes
		/// only by slashes (which the mock burns).
		#[test]
		fn ledger_mirrors_hold_and_issuance_moves_only_by_slashes(ops in prop::collection::vec(op(), 1..60)) {
			test(|| {
				let start = Balances::total_issuance();
				let mut burnt = 0u64;
				for op in ops {
					let _ = match op {
						Op::Bond(w, a) => Evaluators::bond(signed(w), a),
						Op::BondExtra(w, a) => Evaluators::bond_extra(signed(w), a),
						Op::Unbond(w, a) => Evaluators::unbond(signed(w), a),
						Op::Withdraw(w) => Evaluators::withdraw_unbonded(signed(w)),
						Op::Rebond(w, a) => Evaluators::rebond(signed(w), a),
						Op::Activate(w) => Evaluators::activate(signed(w)),
						Op::Chill(w) => Evaluators::chill(signed(w)),
						Op::Slash(w, p) => {
							burnt += <Evaluators as EvaluatorSlashing<u64, u64>>::slash(
								&w, Perbill::from_percent(p), SlashReason::PersistentOutlier);
							Ok(())
						},
						Op::Advance(n) => { System::set_block_number(System::block_number() + n); Ok(()) },
					};
					for w in 1..=6u64 {
						let total = Ledgers::<Test>::get(w).map(|l| l.total()).unwrap_or(0);
						prop_assert_eq!(total, Evaluators::held(&w));
					}
					let active = Active::<Test>::get();
					for (w, l) in Ledgers::<Test>::iter() {
						prop_assert_eq!(l.active, active.contains(&w));
						if l.active { prop_assert!(l.bonded >= 100); }
					}
					prop_assert_eq!(Balances::total_issuance(), start - burnt);
				}
				Ok(())
			})?;
		}
	}
}
