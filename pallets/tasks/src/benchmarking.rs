//! Benchmarks of the tasks pallet (frame-benchmarking v2).

use super::*;
use crate::Pallet as TasksPallet;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	// A million minimum bounties: enough for every bounty and deposit of a benchmark, and far
	// from overflowing total issuance.
	T::Currency::set_balance(&who, T::MinBounty::get().saturating_mul(1_000_000u32.into()));
	who
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

/// A task with a maximal query and reference, submitted now by a new account.
fn new_task<T: Config>() -> (T::AccountId, TaskId) {
	let who = funded::<T>("user", 0);
	let task = NextTaskId::<T>::get();
	TasksPallet::<T>::submit_query(
		RawOrigin::Signed(who.clone()).into(),
		TaskFamily::Qa,
		vec![b'q'; T::MaxQueryLen::get() as usize],
		Some(vec![b'r'; T::MaxReferenceLen::get() as usize]),
		T::MinBounty::get().saturating_mul(100u32.into()),
		QueryOptions::default(),
	)
	.expect("submit works");
	(who, task)
}

/// The id of a registered model of maximal length (`ccc…c@1`), registered if need be.
fn model<T: Config>(c: u8) -> Vec<u8> {
	let name = vec![c; T::MaxModelIdLen::get() as usize - 2];
	let id = model_id_of(&name, b"1", T::MaxModelIdLen::get()).expect("a valid id");
	if !Models::<T>::contains_key(ModelIdOf::<T>::try_from(id.clone()).expect("fits")) {
		TasksPallet::<T>::do_register_model(name, b"1".to_vec()).expect("room for the model");
	}
	id
}

/// A registered provider with a maximal model id.
fn provider<T: Config>(i: u32) -> T::AccountId {
	let who = funded::<T>("provider", i);
	TasksPallet::<T>::register_provider(
		RawOrigin::Signed(who.clone()).into(),
		model::<T>(b'm'),
		1000u32.into(),
	)
	.expect("register works");
	who
}

fn output<T: Config>() -> Vec<u8> {
	vec![b'o'; T::MaxOutputLen::get() as usize]
}

/// `n` providers commit maximal outputs to `task`; the first `revealed` of them reveal.
fn outputs<T: Config>(task: TaskId, n: u32, revealed: u32) -> Vec<T::AccountId> {
	let salt = [7u8; 32];
	let ps: Vec<_> = (0..n).map(|i| provider::<T>(i)).collect();
	for p in &ps {
		let c = poq_primitives::commitment::output(p, task, &output::<T>(), &salt);
		TasksPallet::<T>::commit_output(RawOrigin::Signed(p.clone()).into(), task, c).expect("commit");
	}
	let info = TasksPallet::<T>::get_task(task);
	set_block::<T>(info.answer_ends);
	for p in ps.iter().take(revealed as usize) {
		TasksPallet::<T>::reveal_output(RawOrigin::Signed(p.clone()).into(), task, output::<T>(), salt)
			.expect("reveal");
	}
	ps
}

impl<T: Config> Pallet<T> {
	fn get_task(task: TaskId) -> TaskInfoOf<T> {
		Tasks::<T>::get(task).expect("task exists")
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_query(
		q: Linear<1, { T::MaxQueryLen::get() }>,
		r: Linear<0, { T::MaxReferenceLen::get() }>,
	) {
		let who = funded::<T>("user", 0);
		let reference = if r == 0 { None } else { Some(vec![b'r'; r as usize]) };
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			TaskFamily::Code,
			vec![b'q'; q as usize],
			reference,
			T::MinBounty::get(),
			QueryOptions::default(),
		);
		assert!(Tasks::<T>::contains_key(0));
	}

	#[benchmark]
	fn cancel_query() {
		let (who, task) = new_task::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), task);
		assert!(!Tasks::<T>::contains_key(task));
	}

	#[benchmark]
	fn register_provider() {
		let who = funded::<T>("provider", 0);
		let model = model::<T>(b'm');
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model, 1000u32.into());
		assert!(Providers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn update_provider() {
		let who = provider::<T>(0);
		// Worst case: a change of model (both models' provider counts change).
		let model = model::<T>(b'n');
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model, 2000u32.into());
		assert_eq!(Providers::<T>::get(&who).unwrap().declared_cost, 2000u32.into());
	}

	#[benchmark]
	fn deregister_provider() {
		let who = provider::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Providers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn commit_output() {
		let (_, task) = new_task::<T>();
		// Worst case: the last free commitment, which counts the qualified ones, closes the
		// answer phase and moves the admission draw. The others are rated below the quality
		// floor, so that none of them closed it before.
		let cap = MaxCommitments::<T>::get();
		let low = poq_primitives::Rating { rating: sp_runtime::Permill::zero(), results: 1 };
		for i in 0..cap - 1 {
			let p = provider::<T>(i);
			Providers::<T>::mutate(&p, |info| info.as_mut().expect("registered").rating = Some(low));
			let c = poq_primitives::commitment::output(&p, task, &output::<T>(), &[9u8; 32]);
			TasksPallet::<T>::commit_output(RawOrigin::Signed(p).into(), task, c).expect("commit");
		}
		let who = provider::<T>(cap);
		let c = poq_primitives::commitment::output(&who, task, &output::<T>(), &[1u8; 32]);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), task, c);
		assert!(Outputs::<T>::contains_key(task, &who));
		assert_eq!(TasksPallet::<T>::get_task(task).commits, cap);
	}

	#[benchmark]
	fn reveal_output(o: Linear<0, { T::MaxOutputLen::get() }>) {
		let (_, task) = new_task::<T>();
		let who = provider::<T>(0);
		let out = vec![b'o'; o as usize];
		let salt = [3u8; 32];
		let c = poq_primitives::commitment::output(&who, task, &out, &salt);
		TasksPallet::<T>::commit_output(RawOrigin::Signed(who.clone()).into(), task, c).unwrap();
		set_block::<T>(TasksPallet::<T>::get_task(task).answer_ends);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), task, out, salt);
		assert!(OutputTexts::<T>::contains_key(task, &who));
	}

	#[benchmark]
	fn set_phase_lengths() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// A scoring phase that holds what the consensus pallet needs, within the maximum.
		let needed: BlockNumberFor<T> = T::Scoring::scoring_blocks_needed().into();
		let scoring = needed.max(5u32.into()).min(T::MaxPhaseLength::get());
		let lengths = PhaseLengths { answer: 5u32.into(), reveal: 5u32.into(), scoring };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, lengths);
		assert_eq!(Phases::<T>::get(), lengths);
		Ok(())
	}

	/// Closing a reveal phase with `o` committed outputs, none revealed: every deposit is
	/// forfeited and the task expires (the costliest path).
	#[benchmark]
	fn close_reveal(o: Linear<1, { T::MaxOutputs::get() }>) {
		let (_, task) = new_task::<T>();
		let _ = outputs::<T>(task, o, 0);
		#[block]
		{
			TasksPallet::<T>::close_reveal(task);
		}
		assert_eq!(TasksPallet::<T>::get_task(task).ended, Some(Phase::Expired));
	}

	/// The admission draw of a task with `c` commitments for `c / 2` outputs (rounded up): the
	/// refused half get their deposits back.
	#[benchmark]
	fn admit(c: Linear<2, { MaxCommitments::<T>::get() }>) {
		let who = funded::<T>("user", 0);
		let task = NextTaskId::<T>::get();
		let options = QueryOptions { max_outputs: Some((c + 1) / 2), committee_size: None };
		TasksPallet::<T>::submit_query(
			RawOrigin::Signed(who).into(),
			TaskFamily::Qa,
			vec![b'q'; T::MaxQueryLen::get() as usize],
			None,
			T::MinBounty::get().saturating_mul(100u32.into()),
			options,
		)
		.expect("submit works");
		let _ = outputs_committed::<T>(task, c);
		set_block::<T>(TasksPallet::<T>::get_task(task).answer_ends);
		#[block]
		{
			TasksPallet::<T>::admit(task);
		}
		assert_eq!(TasksPallet::<T>::get_task(task).commits, (c + 1) / 2);
	}

	/// Expiring a task in scoring with `o` revealed outputs.
	#[benchmark]
	fn expire(o: Linear<1, { T::MaxOutputs::get() }>) {
		let (_, task) = new_task::<T>();
		let _ = outputs::<T>(task, o, o);
		TasksPallet::<T>::close_reveal(task);
		#[block]
		{
			TasksPallet::<T>::expire(task);
		}
		assert_eq!(TasksPallet::<T>::get_task(task).ended, Some(Phase::Expired));
	}

	/// Pruning an ended task with `o` outputs.
	#[benchmark]
	fn prune(o: Linear<1, { T::MaxOutputs::get() }>) {
		let (_, task) = new_task::<T>();
		let _ = outputs::<T>(task, o, o);
		TasksPallet::<T>::close_reveal(task);
		TasksPallet::<T>::expire(task);
		#[block]
		{
			TasksPallet::<T>::prune(task);
		}
		assert!(!Tasks::<T>::contains_key(task));
	}

	#[benchmark]
	fn register_model() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let name = vec![b'r'; T::MaxModelIdLen::get() as usize - 2];
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name, b"1".to_vec());
		assert!(Models::<T>::count() > 0);
		Ok(())
	}

	#[benchmark]
	fn retire_model() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = model::<T>(b'r');
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone());
		assert!(Models::<T>::get(ModelIdOf::<T>::try_from(id).unwrap()).unwrap().retired);
		Ok(())
	}

	#[benchmark]
	fn remove_model() -> Result<(), BenchmarkError> {
		let origin = T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// Worst case: statistics in every family.
		let id = model::<T>(b'r');
		for family in TaskFamily::ALL {
			TasksPallet::<T>::do_record_quality(&id, family, sp_runtime::Permill::from_percent(50));
		}
		TasksPallet::<T>::do_retire_model(id.clone()).expect("retire");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone());
		assert!(!Models::<T>::contains_key(ModelIdOf::<T>::try_from(id).unwrap()));
		Ok(())
	}

	impl_benchmark_test_suite!(TasksPallet, crate::tests::mock::new_test_ext(), crate::tests::mock::Test);
}

/// `n` providers commit to `task` without revealing.
fn outputs_committed<T: Config>(task: TaskId, n: u32) -> Vec<T::AccountId> {
	let ps: Vec<_> = (0..n).map(|i| provider::<T>(i)).collect();
	for p in &ps {
		let c = poq_primitives::commitment::output(p, task, &output::<T>(), &[9u8; 32]);
		TasksPallet::<T>::commit_output(RawOrigin::Signed(p.clone()).into(), task, c).expect("commit");
	}
	ps
}
