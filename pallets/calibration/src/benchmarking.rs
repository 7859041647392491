//! Benchmarks of the calibration pallet (frame-benchmarking v2). Settled tasks come from
//! [`Config::BenchmarkHelper`], which the runtime implements with its tasks, evaluators and
//! consensus pallets. `reveal_gold` is measured at the governed maxima: a task of `MaxOutputs`
//! outputs, a full committee, a full window and a full history.

use super::*;
use crate::Pallet as Calibration;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use sp_runtime::traits::Zero;

fn poster<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("poster", 0, 0);
	let _ = T::Currency::set_balance(&who, T::GoldDeposit::get() * 1_000u32.into());
	GoldPosters::<T>::insert(&who, 0);
	who
}

fn labels(n: u32) -> GoldLabels {
	GoldLabels::Quality((0..n).map(|i| Permill::from_parts(1_000_000 / (i + 2))).collect())
}

fn salt() -> [u8; 32] {
	[3; 32]
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_gold_poster() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("poster", 1, 0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(GoldPosters::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_gold_poster() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who = poster::<T>();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!GoldPosters::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn commit_gold() {
		let who = poster::<T>();
		let c = poq_primitives::commitment::gold(&who, 1, &labels(2), &salt());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), c);
		assert!(GoldCommits::<T>::contains_key(c));
	}

	#[benchmark]
	fn cancel_gold() {
		let who = poster::<T>();
		let c = poq_primitives::commitment::gold(&who, 1, &labels(2), &salt());
		Calibration::<T>::commit_gold(RawOrigin::Signed(who.clone()).into(), c).expect("commit");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), c);
		assert!(!GoldCommits::<T>::contains_key(c));
	}

	#[benchmark]
	fn reveal_gold() {
		let n = T::MaxOutputs::get();
		let who = poster::<T>();
		let mut p = CurrentParams::<T>::get();
		p.window = T::MaxWindow::get();
		CurrentParams::<T>::put(p);
		let task = T::BenchmarkHelper::settled_task(n, 16);
		let settled = T::Settled::settled(task).expect("the helper settles the task");
		let family = settled.family;
		// A full window and a full history, so that both drop their oldest entry.
		let full: BoundedVec<_, T::MaxWindow> =
			alloc::vec![[PairCount { halves: 1, pairs: 1 }; SERIES]; T::MaxWindow::get() as usize]
				.try_into()
				.expect("MaxWindow entries");
		Windows::<T>::insert(family, full);
		let old: Vec<TaskId> = (0..T::MaxGoldHistory::get() as u64).map(|i| u64::MAX - i).collect();
		for t in &old {
			GoldRecords::<T>::insert(
				t,
				GoldRecord {
					task: *t,
					family,
					poster: who.clone(),
					labels: StoredLabels::Quality(Default::default()),
					scores: Default::default(),
					composites: Default::default(),
					concordance: Default::default(),
					revealed_at: Zero::zero(),
				},
			);
		}
		GoldHistory::<T>::put(BoundedVec::<_, T::MaxGoldHistory>::try_from(old).expect("MaxGoldHistory entries"));
		let l = labels(settled.scores.len() as u32);
		let c = poq_primitives::commitment::gold(&who, task, &l, &salt());
		let deposit = T::GoldDeposit::get();
		T::Currency::hold(&HoldReason::GoldDeposit.into(), &who, deposit).expect("funded");
		GoldCommits::<T>::insert(c, GoldCommit { poster: who.clone(), deposit, committed_at: Zero::zero() });
		GoldPosters::<T>::insert(&who, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), c, task, l, salt());
		assert!(GoldRecords::<T>::contains_key(task));
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let p = CalibrationParams::recommended();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, p);
		assert_eq!(CurrentParams::<T>::get(), p);
		Ok(())
	}

	#[benchmark]
	fn pin_dimension() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, TaskFamily::Qa, 4, Some(true));
		assert_eq!(Pins::<T>::get(TaskFamily::Qa)[4], Some(true));
		Ok(())
	}

	/// What the consensus pallet asks of calibration at every settlement: the effective weights
	/// and the gold credit.
	#[benchmark]
	fn gate() {
		let w = [Permill::from_percent(10); 6];
		let out;
		#[block]
		{
			out = <Calibration<T> as CompositeGate>::effective_weights(TaskFamily::Qa, w);
			<Calibration<T> as CompositeGate>::on_settled(TaskFamily::Qa);
		}
		assert_eq!(out, w);
	}

	impl_benchmark_test_suite!(Calibration, crate::tests::mock::new_test_ext(), crate::tests::mock::Test);
}
