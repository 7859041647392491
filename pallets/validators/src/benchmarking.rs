//! Benchmarks of the validators pallet (frame-benchmarking v2).

use super::*;
use frame_benchmarking::v2::*;

/// Fills the set with `n` validators that have session keys.
fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	for who in &set {
		T::BenchmarkHelper::set_keys(who);
	}
	Validators::<T>::put(BoundedVec::try_from(set.clone()).expect("n <= MaxValidators"));
	MinValidators::<T>::put(1);
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill::<T>(T::MaxValidators::get() - 1);
		let who: T::AccountId = account("new", 0, 0);
		T::BenchmarkHelper::set_keys(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let set = fill::<T>(T::MaxValidators::get());
		let who = set[0].clone();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn set_min_validators() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill::<T>(T::MaxValidators::get());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1);

		assert_eq!(MinValidators::<T>::get(), 1);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::tests::mock::new_test_ext(), crate::tests::mock::Test);
}
