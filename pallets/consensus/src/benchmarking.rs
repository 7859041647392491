//! Benchmarks of the consensus pallet (frame-benchmarking v2). Tasks and evaluators come from
//! [`Config::BenchmarkHelper`], which the runtime implements with its tasks and evaluators
//! pallets.

use super::*;
use crate::Pallet as Consensus;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// A scoring task with `n` outputs whose committee is replaced by `m` fresh evaluators.
fn task_with_committee<T: Config>(n: u32, m: u32) -> (TaskId, Vec<T::AccountId>) {
	// Evaluators first: a task drawn without candidates is settled at once (nobody to wait for).
	let members: Vec<T::AccountId> = (0..m).map(T::BenchmarkHelper::evaluator).collect();
	let task = T::BenchmarkHelper::scoring_task(n);
	// With a draw delay the helper's task is still waiting for its draw: draw it now.
	if !Rounds::<T>::contains_key(task) {
		Consensus::<T>::draw(task);
	}
	for who in &members {
		Engaged::<T>::insert(who, 1);
	}
	Rounds::<T>::mutate(task, |r| {
		let r = r.as_mut().expect("the helper's task has a round");
		r.committee = members
			.iter()
			.map(|who| (who.clone(), Zero::zero()))
			.collect::<Vec<_>>()
			.try_into()
			.expect("m <= MaxCommitteeSize");
	});
	(task, members)
}

fn reports(n: u32, x: u32) -> Vec<ScoreReport> {
	let s = Permill::from_parts(x);
	(0..n).map(|_| ScoreReport { structure: s, semantic: s, alignment: s }).collect()
}

fn salt() -> [u8; 32] {
	[1; 32]
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_price() {
		let who = T::BenchmarkHelper::evaluator(0);
		let price: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), price);
		assert_eq!(Prices::<T>::get(&who), price);
	}

	/// The last member's commitment: it also closes the commit window.
	#[benchmark]
	fn commit_scores() {
		let (task, members) = task_with_committee::<T>(1, T::MaxCommitteeSize::get());
		Rounds::<T>::mutate(task, |r| r.as_mut().unwrap().committed = T::MaxCommitteeSize::get() - 1);
		let who = members.last().unwrap().clone();
		let c = poq_primitives::commitment::scores(&who, task, &reports(1, 1), &H256::zero(), &salt());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), task, c);
		assert_eq!(Commits::<T>::get(task, &who), Some(c));
	}

	/// The last reveal of a full committee with `n` outputs: it also moves the settlement to
	/// this block.
	#[benchmark]
	fn reveal_scores(n: Linear<1, { T::MaxOutputs::get() }>) {
		let (task, members) = task_with_committee::<T>(n, T::MaxCommitteeSize::get());
		Rounds::<T>::mutate(task, |r| {
			let r = r.as_mut().unwrap();
			r.committed = T::MaxCommitteeSize::get();
			r.revealed = T::MaxCommitteeSize::get() - 1;
		});
		let who = members.last().unwrap().clone();
		let r = reports(n, 500_000);
		Commits::<T>::insert(task, &who, poq_primitives::commitment::scores(&who, task, &r, &H256::zero(), &salt()));
		frame_system::Pallet::<T>::set_block_number(Rounds::<T>::get(task).unwrap().commit_ends);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), task, r, H256::zero(), salt());
		assert!(matches!(Reveals::<T>::get(task, &who), Some(Reveal::Valid { .. })));
		assert!(Due::<T>::contains_key(Rounds::<T>::get(task).unwrap().reveal_ends, task));
	}

	/// Settlement with `m` members who all revealed and `n` outputs. Every other member reports
	/// the opposite extreme and is on its last strike, so half the committee is slashed as
	/// persistent outliers: the costliest path per member.
	#[benchmark]
	fn settle(m: Linear<1, { T::MaxCommitteeSize::get() }>, n: Linear<1, { T::MaxOutputs::get() }>) {
		let (task, members) = task_with_committee::<T>(n, m);
		let strikes = CurrentParams::<T>::get().outlier_strikes;
		// Reveals of an accepted set: they count (a set that is not accepted is cheaper).
		AcceptedModelSets::<T>::insert(H256::zero(), ModelSetInfo::new(b"bench".to_vec(), b"1".to_vec()).unwrap());
		for (i, who) in members.iter().enumerate() {
			let r = reports(n, if i % 2 == 0 { 0 } else { 1_000_000 });
			Commits::<T>::insert(task, who, H256::zero());
			Reveals::<T>::insert(
				task,
				who,
				Reveal::Valid { reports: r.try_into().unwrap(), model_set: H256::zero() },
			);
			Strikes::<T>::insert(who, strikes - 1);
		}
		frame_system::Pallet::<T>::set_block_number(Rounds::<T>::get(task).unwrap().reveal_ends);
		let caller = members[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), task);
		assert!(Results::<T>::get(task).is_some());
	}

	#[benchmark]
	fn set_dimension_weights() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, TaskFamily::Code, CALIBRATED_WEIGHTS);
		assert_eq!(Weights::<T>::get(TaskFamily::Code), CALIBRATED_WEIGHTS);
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut p = CurrentParams::<T>::get();
		p.committee_size = 1;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, p);
		assert_eq!(CurrentParams::<T>::get().committee_size, 1);
		Ok(())
	}

	#[benchmark]
	fn set_min_committee() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1);
		assert_eq!(MinCommittee::<T>::get(), 1);
		Ok(())
	}

	#[benchmark]
	fn accept_model_set() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let hash = H256::repeat_byte(0xab);
		let label = alloc::vec![b'x'; MAX_MODEL_SET_LABEL as usize];
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, hash, label.clone(), label);
		assert!(AcceptedModelSets::<T>::contains_key(hash));
		Ok(())
	}

	#[benchmark]
	fn retire_model_set() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let label = alloc::vec![b'x'; MAX_MODEL_SET_LABEL as usize];
		for b in [0xab, 0xcd] {
			AcceptedModelSets::<T>::insert(H256::repeat_byte(b), ModelSetInfo::new(label.clone(), label.clone()).unwrap());
		}
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, H256::repeat_byte(0xab));
		assert!(!AcceptedModelSets::<T>::contains_key(H256::repeat_byte(0xab)));
		Ok(())
	}

	/// A task with its outputs revealed and no round or pending draw, `c` active evaluators.
	fn undrawn_task<T: Config>(c: u32) -> TaskId {
		for i in 0..c {
			T::BenchmarkHelper::evaluator(i);
		}
		let task = T::BenchmarkHelper::scoring_task(T::MaxOutputs::get());
		Consensus::<T>::cancel_draw(task);
		Consensus::<T>::clear_round(task);
		task
	}

	/// Fixing the candidates of a draw: a snapshot of `c` active evaluators.
	#[benchmark]
	fn snapshot_candidates(c: Linear<1, { T::MaxCandidates::get() }>) {
		let task = undrawn_task::<T>(c);
		let at = frame_system::Pallet::<T>::block_number() + 1_000u32.into();
		#[block]
		{
			Consensus::<T>::hold_snapshot(task, at);
		}
		assert_eq!(Snapshots::<T>::get(at).map(|s| s.candidates.len() as u32), Some(c));
	}

	/// The committee draw from a snapshot of `c` candidates, for the largest committee a task
	/// may ask for.
	#[benchmark]
	fn draw_committee(c: Linear<1, { T::MaxCandidates::get() }>) {
		CurrentParams::<T>::mutate(|p| p.committee_size = T::MaxCommitteeSize::get());
		let task = undrawn_task::<T>(c);
		Consensus::<T>::hold_snapshot(task, frame_system::Pallet::<T>::block_number());
		#[block]
		{
			Consensus::<T>::draw(task);
		}
		assert!(Rounds::<T>::get(task).is_some());
	}

	/// Pruning `r` expired results.
	#[benchmark]
	fn prune_results(r: Linear<0, { crate::queue::MAX_PRUNED_PER_CALL }>) {
		let (task, _) = task_with_committee::<T>(T::MaxOutputs::get(), 1);
		frame_system::Pallet::<T>::set_block_number(Rounds::<T>::get(task).unwrap().reveal_ends);
		Consensus::<T>::do_settle(task).expect("settles");
		let result = Results::<T>::get(task).unwrap();
		Results::<T>::remove(task);
		ResultQueue::<T>::remove(0);
		for i in 0..r {
			let t = 1_000_000 + i as TaskId;
			Results::<T>::insert(t, result.clone());
			ResultQueue::<T>::insert(i as u64, t);
		}
		ResultQueueBounds::<T>::put((0, r as u64));
		let now = result.expires_at;
		#[block]
		{
			Consensus::<T>::prune_results(now, Weight::MAX);
		}
		assert_eq!(ResultQueueBounds::<T>::get(), (r as u64, r as u64));
	}

	impl_benchmark_test_suite!(Consensus, crate::tests::mock::new_test_ext(), crate::tests::mock::Test);
}
