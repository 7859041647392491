//! Benchmarks of the evaluators pallet (frame-benchmarking v2).

use super::*;
use crate::Pallet as Evaluators;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	// A thousand minimum bonds: plenty, and far from overflowing total issuance even with
	// `MaxActiveEvaluators` such accounts.
	T::Currency::set_balance(&who, T::MinBond::get().saturating_mul(1000u32.into()));
	who
}

fn bonded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who = funded::<T>(name, i);
	let amount = T::MinBond::get().saturating_mul(10u32.into());
	Evaluators::<T>::bond(RawOrigin::Signed(who.clone()).into(), amount).expect("bond works");
	who
}

/// Fills `who`'s unbonding queue with `c` chunks, one per block.
fn with_chunks<T: Config>(who: &T::AccountId, c: u32) {
	for _ in 0..c {
		let n = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(n + 1u32.into());
		Evaluators::<T>::unbond(RawOrigin::Signed(who.clone()).into(), 1u32.into())
			.expect("unbond works");
	}
}

/// Fills the active set up to `n - 1` other evaluators.
fn fill_active<T: Config>(n: u32) {
	for i in 0..n {
		let who = bonded::<T>("other", i);
		Evaluators::<T>::activate(RawOrigin::Signed(who).into()).expect("activate works");
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bond() {
		let who = funded::<T>("caller", 0);
		let amount = T::MinBond::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert_eq!(Ledgers::<T>::get(&who).map(|l| l.bonded), Some(amount));
	}

	#[benchmark]
	fn bond_extra() {
		let who = bonded::<T>("caller", 0);
		let amount = T::MinBond::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert!(Ledgers::<T>::get(&who).unwrap().bonded > amount);
	}

	#[benchmark]
	fn unbond() {
		let who = bonded::<T>("caller", 0);
		// Worst case: a new chunk is pushed onto a nearly full queue.
		with_chunks::<T>(&who, T::MaxUnbondingChunks::get() - 1);
		frame_system::Pallet::<T>::set_block_number(frame_system::Pallet::<T>::block_number() + 1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1u32.into());
		assert_eq!(Ledgers::<T>::get(&who).unwrap().unbonding.len() as u32, T::MaxUnbondingChunks::get());
	}

	#[benchmark]
	fn withdraw_unbonded(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = bonded::<T>("caller", 0);
		with_chunks::<T>(&who, c);
		let n = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(n + T::UnbondingPeriod::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Ledgers::<T>::get(&who).unwrap().unbonding.is_empty());
	}

	#[benchmark]
	fn rebond(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = bonded::<T>("caller", 0);
		with_chunks::<T>(&who, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), c.into());
		assert!(Ledgers::<T>::get(&who).unwrap().unbonding.is_empty());
	}

	#[benchmark]
	fn activate() {
		fill_active::<T>(T::MaxActiveEvaluators::get() - 1);
		let who = bonded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Ledgers::<T>::get(&who).unwrap().active);
	}

	#[benchmark]
	fn chill() {
		let who = bonded::<T>("caller", 0);
		Evaluators::<T>::activate(RawOrigin::Signed(who.clone()).into()).unwrap();
		// Worst case: the caller is first and every other slot is taken.
		fill_active::<T>(T::MaxActiveEvaluators::get() - 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Ledgers::<T>::get(&who).unwrap().active);
	}

	/// Rotation, the worst case: an old key is removed, a new one registered.
	#[benchmark]
	fn set_scoring_key() {
		let who = bonded::<T>("caller", 0);
		let old: T::AccountId = account("key", 0, 0);
		let new: T::AccountId = account("key", 1, 0);
		Evaluators::<T>::set_scoring_key(RawOrigin::Signed(who.clone()).into(), Some(old)).expect("first key");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(new.clone()));
		assert_eq!(ScoringKeys::<T>::get(&who), Some(new));
	}

	#[benchmark]
	fn set_trust_bounds() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let bounds = TrustBounds {
			min: Perbill::from_percent(5),
			max: Perbill::from_percent(100),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, bounds);
		assert_eq!(Bounds::<T>::get(), bounds);
		Ok(())
	}

	#[benchmark]
	fn slash(c: Linear<1, { T::MaxUnbondingChunks::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill_active::<T>(T::MaxActiveEvaluators::get() - 1);
		let who = bonded::<T>("caller", 0);
		Evaluators::<T>::activate(RawOrigin::Signed(who.clone()).into()).unwrap();
		with_chunks::<T>(&who, c);
		let before = Evaluators::<T>::held(&who);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), Perbill::from_percent(95));
		assert!(Evaluators::<T>::held(&who) < before);
		Ok(())
	}

	impl_benchmark_test_suite!(Evaluators, crate::tests::mock::new_test_ext(), crate::tests::mock::Test);
}
