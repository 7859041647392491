//! The pallet's invariants ([`Pallet::do_try_state`]): what its storage promises, checked by
//! `try_state` after every unit test, by the runtime's `try-runtime` feature and by the
//! runtime's randomised harness; and the constraints of its configuration
//! ([`Pallet::check_config`], the `integrity_test`).

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::traits::fungible::InspectHold;
use sp_runtime::TryRuntimeError;

/// What the pallet should hold of one account, from its records.
#[derive(Default)]
struct Expected<B> {
	bounty: B,
	task_deposit: B,
	provider_deposit: B,
	output_deposit: B,
	open_tasks: u32,
}

impl<T: Config> Pallet<T> {
	/// Checks the invariants of the tasks pallet:
	/// - every hold equals what the records say: a running task's bounty and deposit, a
	///   provider's registration deposit, the output deposit of each committed output not yet
	///   revealed while its task's reveal phase is open;
	/// - a provider's `open_tasks` counts the running tasks it committed to;
	/// - a task's `commits` and `reveals` match its outputs, within its `max_outputs`;
	/// - texts exist only for running tasks, schedule entries only for tasks that exist and at or
	///   after the cursor;
	/// - the model registry holds at most `MaxModels` models, each with the count of the
	///   providers that declare it; every provider declares a registered model; statistics
	///   exist only for registered models and are consistent (sums within count times the
	///   largest quality);
	/// - the governed phase lengths are valid.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let expected = Self::check_tasks()?;
		Self::check_holds(expected)?;
		Self::check_schedule()?;
		Self::check_models()?;
		let p = Phases::<T>::get();
		ensure!(
			!p.answer.is_zero() && !p.reveal.is_zero() && !p.scoring.is_zero(),
			"a phase length is zero"
		);
		Ok(())
	}

	/// Per-task checks; returns what each account should have on hold.
	fn check_tasks() -> Result<BTreeMap<T::AccountId, Expected<BalanceOf<T>>>, TryRuntimeError> {
		let mut expected: BTreeMap<T::AccountId, Expected<BalanceOf<T>>> = BTreeMap::new();
		for (who, p) in Providers::<T>::iter() {
			expected.entry(who).or_default().provider_deposit = p.deposit;
		}
		for (task, info) in Tasks::<T>::iter() {
			ensure!(task < NextTaskId::<T>::get(), "a task id at or beyond NextTaskId");
			let committers = Committers::<T>::get(task);
			ensure!(committers.len() as u32 == info.commits, "commits differ from the committers");
			let max = Self::max_outputs_of(&info);
			ensure!(info.commits <= max.saturating_mul(2), "more commitments than twice max_outputs");
			ensure!(
				info.commits <= max || Self::admission_pending(&info, task) || info.ended.is_some(),
				"more commitments than max_outputs and no admission pending"
			);
			let revealed = committers
				.iter()
				.filter(|p| Outputs::<T>::get(task, *p).is_some_and(|o| o.output_hash.is_some()))
				.count() as u32;
			ensure!(revealed == info.reveals, "reveals differ from the revealed outputs");
			ensure!(
				Outputs::<T>::iter_prefix(task).count() == committers.len(),
				"an output entry without its committer"
			);
			ensure!(info.answer_ends <= info.reveal_ends, "answer phase ends after the reveal phase");
			ensure!(info.reveal_ends <= info.scoring_ends, "reveal phase ends after the scoring phase");
			if info.ended.is_some() {
				ensure!(!Queries::<T>::contains_key(task), "an ended task keeps its query text");
				ensure!(
					OutputTexts::<T>::iter_prefix(task).next().is_none(),
					"an ended task keeps output texts"
				);
				continue;
			}
			ensure!(Queries::<T>::contains_key(task), "a running task lost its query text");
			let e = expected.entry(info.submitter.clone()).or_default();
			e.bounty = e.bounty.saturating_add(info.bounty);
			e.task_deposit = e.task_deposit.saturating_add(info.deposit);
			for p in &committers {
				let e = expected.entry(p.clone()).or_default();
				e.open_tasks = e.open_tasks.saturating_add(1);
				let revealed = Outputs::<T>::get(task, p).is_some_and(|o| o.output_hash.is_some());
				if revealed || !info.scoring {
					e.output_deposit = e.output_deposit.saturating_add(T::OutputDeposit::get());
				}
			}
		}
		Ok(expected)
	}

	/// Holds of every account that has one or should have one.
	fn check_holds(expected: BTreeMap<T::AccountId, Expected<BalanceOf<T>>>) -> Result<(), TryRuntimeError> {
		let held = |r: HoldReason, who: &T::AccountId| T::Currency::balance_on_hold(&r.into(), who);
		for (who, e) in &expected {
			ensure!(held(HoldReason::Bounty, who) == e.bounty, "bounty hold differs from the running tasks");
			ensure!(
				held(HoldReason::TaskDeposit, who) == e.task_deposit,
				"task deposit hold differs from the running tasks"
			);
			ensure!(
				held(HoldReason::ProviderDeposit, who) == e.provider_deposit,
				"provider deposit hold differs from the registration"
			);
			ensure!(
				held(HoldReason::OutputDeposit, who) == e.output_deposit,
				"output deposit hold differs from the outputs of running tasks"
			);
			let open = Providers::<T>::get(who).map_or(0, |p| p.open_tasks);
			ensure!(open == e.open_tasks, "a provider's open_tasks differs from its running tasks");
		}
		// Nobody else holds anything for this pallet.
		for who in frame_system::Account::<T>::iter_keys() {
			if expected.contains_key(&who) {
				continue;
			}
			for r in [HoldReason::Bounty, HoldReason::TaskDeposit, HoldReason::ProviderDeposit, HoldReason::OutputDeposit] {
				ensure!(held(r, &who).is_zero(), "a hold without a record");
			}
		}
		Ok(())
	}

	/// Schedule entries belong to existing tasks and lie at or after the cursor.
	fn check_schedule() -> Result<(), TryRuntimeError> {
		let cursor = ScheduleCursor::<T>::get();
		for (at, (task, _), ()) in Schedule::<T>::iter() {
			ensure!(at >= cursor, "a schedule entry before the cursor");
			ensure!(Tasks::<T>::contains_key(task), "a schedule entry for a pruned task");
		}
		for (task, _) in Queries::<T>::iter() {
			ensure!(Tasks::<T>::contains_key(task), "a query text without its task");
		}
		for (task, _, _) in OutputTexts::<T>::iter() {
			ensure!(Tasks::<T>::get(task).is_some_and(|i| i.ended.is_none()), "an output text of an ended task");
		}
		Ok(())
	}

	/// The model registry and its statistics.
	fn check_models() -> Result<(), TryRuntimeError> {
		let count = Models::<T>::iter().count() as u32;
		ensure!(count == Models::<T>::count(), "the model counter differs from the registry");
		ensure!(count <= T::MaxModels::get(), "more models than MaxModels");
		let mut declared: BTreeMap<ModelIdOf<T>, u32> = BTreeMap::new();
		for (_, p) in Providers::<T>::iter() {
			ensure!(Models::<T>::contains_key(&p.model_id), "a provider declares an unregistered model");
			*declared.entry(p.model_id).or_default() += 1;
		}
		for (id, m) in Models::<T>::iter() {
			ensure!(
				m.providers == declared.get(&id).copied().unwrap_or(0),
				"a model's provider count differs from its providers"
			);
		}
		for (id, _, s) in ModelStats::<T>::iter() {
			ensure!(Models::<T>::contains_key(&id), "statistics of an unregistered model");
			ensure!(s.count > 0, "empty statistics stored");
			ensure!(s.sum <= s.count as u64 * 1_000_000, "a quality sum above its count");
			ensure!(
				s.sum_sq <= s.count as u128 * 1_000_000_000_000,
				"a squared-quality sum above its count"
			);
		}
		Ok(())
	}

	/// Checks the configuration's constraints (the pallet's `integrity_test`); panics with the
	/// constraint that does not hold.
	pub(crate) fn check_config() {
		let p = T::DefaultPhaseLengths::get();
		assert!(
			!p.answer.is_zero() && !p.reveal.is_zero() && !p.scoring.is_zero(),
			"phase lengths must be at least one block"
		);
		assert!(T::MaxOutputs::get() > 0, "MaxOutputs must be positive");
		assert!(T::MaxCommitteeSize::get() > 0, "MaxCommitteeSize must be positive");
		assert!(
			Self::max_action_weight().all_lte(T::ServiceWeight::get()),
			"ServiceWeight must hold the costliest scheduled action"
		);
		assert!(!T::RecordRetention::get().is_zero(), "RecordRetention must be at least one block");
		assert!(T::MaxModelIdLen::get() >= 3, "MaxModelIdLen must hold a name@version");
		assert!(T::MaxModels::get() > 0, "MaxModels must be positive");
	}
}
