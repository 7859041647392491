//! The schedule of phase ends: every task's deadlines, serviced within a weight budget.
//!
//! A task puts three entries in [`Schedule`] when it is posted: the close of its reveal phase,
//! the end of its scoring phase and the pruning of its record; a fourth, the admission draw at
//! the answer phase's end, when it gets more commitments than `max_outputs` (`admission.rs`). An entry is keyed by the block
//! at which it falls due and by `(task, action)`, so a block can hold any number of them and
//! one can be removed or moved without a search (a cancelled task removes its three; a reveal
//! phase that ends early moves its close to the current block).
//!
//! Servicing walks the blocks from [`ScheduleCursor`] (the first block that may still hold due
//! entries) to the current block, taking entries while the next one's weight (from its own
//! task: its outputs, the draw over the current candidates) fits in the budget:
//! [`Config::ServiceWeight`] in `on_initialize`, half the block's remaining weight in `on_idle`. What does not fit stays and is taken in the next call; nothing is dropped.
//!
//! The actions themselves are here too: closing a reveal phase, expiring, pruning.
//! Revealed outputs keep their deposit held until the task ends: settlement returns it unless
//! the output scored below the quality floor (`scoring.rs`), expiry returns it.

use crate::*;
use frame_support::weights::Weight;
use poq_primitives::due;

impl<T: Config> Pallet<T> {
	/// Puts `action` of `task` at block `at` (not before the current block, which `on_idle`
	/// still services).
	pub(crate) fn schedule(at: BlockNumberFor<T>, task: TaskId, action: Action) {
		let now = frame_system::Pallet::<T>::block_number();
		due::enqueue::<_, _, Schedule<T>, ScheduleCursor<T>>(at, now, (task, action));
	}

	/// Removes `action` of `task` from block `at`, if it is there.
	pub(crate) fn unschedule(at: BlockNumberFor<T>, task: TaskId, action: Action) {
		Schedule::<T>::remove(at, (task, action));
	}

	/// The most one entry of `action` can weigh when serviced, its queue entry included.
	pub fn action_weight(action: Action) -> Weight {
		let o = T::MaxOutputs::get();
		let c = MaxCommitments::<T>::get();
		let entry = T::DbWeight::get().reads_writes(2, 1);
		let expire = T::WeightInfo::expire(o).saturating_add(T::Scoring::forget_weight());
		let w = match action {
			// Either hands over to scoring (the committee draw) or, with nothing revealed,
			// expires the task; runs a pending admission first.
			Action::CloseReveal => T::WeightInfo::close_reveal(o)
				.saturating_add(T::Scoring::begin_weight().max(T::Scoring::forget_weight()))
				.saturating_add(T::WeightInfo::admit(c)),
			Action::Admit => T::WeightInfo::admit(c),
			Action::Expire => expire,
			// The task has ended by then (its `Expire` entry is due earlier), so only the
			// check of `expire` is paid.
			Action::Prune => T::WeightInfo::prune(o).saturating_add(T::DbWeight::get().reads(1)),
		};
		w.saturating_add(entry)
	}

	/// The costliest entry of any action: `ServiceWeight` must hold at least this much.
	pub fn max_action_weight() -> Weight {
		[Action::CloseReveal, Action::Expire, Action::Prune, Action::Admit]
			.into_iter()
			.map(Self::action_weight)
			.fold(Weight::zero(), |a, b| a.max(b))
	}

	/// What servicing `action` of `task` weighs in the current state (at most
	/// [`Pallet::action_weight`]), its queue entry and the task's read included: the task's
	/// own number of outputs, the draw over the current candidates (its snapshot only for the
	/// first close of a block), the consensus pallet's clean-up of what it holds of the task,
	/// nothing beyond the read for an entry that has become a no-op.
	fn entry_weight(task: TaskId, action: Action) -> Weight {
		let entry = T::DbWeight::get().reads_writes(2, 1);
		let Some(info) = Tasks::<T>::get(task) else { return entry };
		let o = info.commits.max(1);
		let admit = if Self::admission_pending(&info, task) { T::WeightInfo::admit(o) } else { Weight::zero() };
		let w = match action {
			_ if info.ended.is_some() && action != Action::Prune => Weight::zero(),
			Action::CloseReveal if info.scoring => Weight::zero(),
			Action::CloseReveal if info.reveals == 0 => T::WeightInfo::close_reveal(o)
				.saturating_add(T::Scoring::current_forget_weight(task))
				.saturating_add(admit),
			Action::CloseReveal =>
				T::WeightInfo::close_reveal(o).saturating_add(T::Scoring::current_begin_weight()).saturating_add(admit),
			Action::Admit => admit,
			Action::Expire => T::WeightInfo::expire(o).saturating_add(T::Scoring::current_forget_weight(task)),
			Action::Prune => T::WeightInfo::prune(o).saturating_add(T::DbWeight::get().reads(1)),
		};
		w.saturating_add(entry)
	}

	/// Services the entries due by `now` while they fit in `limit`; returns the weight used.
	pub(crate) fn service(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		due::service::<_, _, Schedule<T>, ScheduleCursor<T>>(
			now,
			limit,
			T::DbWeight::get(),
			|(task, action)| Self::entry_weight(*task, *action),
			|(task, action)| match action {
				Action::CloseReveal => Self::close_reveal(task),
				Action::Expire => Self::expire(task),
				Action::Prune => Self::prune(task),
				Action::Admit => Self::admit(task),
			},
		)
	}

	/// Entries due by `now` not serviced yet.
	pub fn backlog(now: BlockNumberFor<T>) -> u32 {
		due::backlog::<_, _, Schedule<T>, ScheduleCursor<T>>(now)
	}

	/// End of the reveal phase: forfeits unrevealed outputs, then hands over to scoring or,
	/// with nothing revealed, expires the task.
	pub(crate) fn close_reveal(task: TaskId) {
		let Some(info) = Tasks::<T>::get(task) else { return };
		if info.ended.is_some() {
			return;
		}
		if Self::admission_pending(&info, task) {
			Self::admit(task);
		}
		let Some(mut info) = Tasks::<T>::get(task) else { return };
		for p in Committers::<T>::get(task) {
			let revealed = Outputs::<T>::get(task, &p).is_some_and(|o| o.output_hash.is_some());
			if !revealed {
				let amount = Self::forfeit_output_deposit(&p);
				Self::deposit_event(Event::OutputForfeited { task, provider: p, amount });
			}
		}
		if info.reveals == 0 {
			Self::expire(task);
			return;
		}
		info.scoring = true;
		let now = frame_system::Pallet::<T>::block_number();
		if now < info.reveal_ends {
			// Closed early: every output was revealed.
			info.reveal_ends = now;
		}
		Tasks::<T>::insert(task, &info);
		Self::deposit_event(Event::ScoringStarted { task, outputs: info.reveals });
		T::Scoring::begin(task);
	}

	/// End of the scoring phase: an unsettled task expires and its bounty returns.
	pub(crate) fn expire(task: TaskId) {
		let Some(mut info) = Tasks::<T>::get(task) else { return };
		if info.ended.is_some() {
			return;
		}
		Self::release_task_funds(&info, info.bounty);
		Self::return_output_deposits(task, &[]);
		Self::clear_texts(task);
		Self::unschedule(info.scoring_ends, task, Action::Expire);
		info.ended = Some(Phase::Expired);
		let refunded = info.bounty;
		Tasks::<T>::insert(task, info);
		T::Scoring::forget(task);
		Self::deposit_event(Event::TaskExpired { task, refunded });
	}

	/// Removes everything left of a task.
	pub(crate) fn prune(task: TaskId) {
		// A task still running here means its phases outlived the retention: end it first.
		Self::expire(task);
		Tasks::<T>::remove(task);
		Committers::<T>::remove(task);
		let _ = Outputs::<T>::clear_prefix(task, MaxCommitments::<T>::get(), None);
	}

	/// When a task ends: returns the deposits of its revealed outputs, except those of
	/// `below_floor`, which go to the slash destination (unrevealed ones were forfeited when the
	/// reveal phase closed, which always comes first).
	pub(crate) fn return_output_deposits(task: TaskId, below_floor: &[T::AccountId]) {
		for p in Committers::<T>::get(task) {
			if !Outputs::<T>::get(task, &p).is_some_and(|o| o.output_hash.is_some()) {
				continue;
			}
			if below_floor.contains(&p) {
				let amount = Self::forfeit_output_deposit(&p);
				Self::deposit_event(Event::OutputBelowFloor { task, provider: p, amount });
			} else {
				let _ = T::Currency::release(
					&HoldReason::OutputDeposit.into(),
					&p,
					T::OutputDeposit::get(),
					Precision::BestEffort,
				);
			}
		}
	}

	/// Sends `provider`'s deposit for one output to the slash destination; returns the amount.
	pub(crate) fn forfeit_output_deposit(provider: &T::AccountId) -> BalanceOf<T> {
		let (credit, missing) = <T::Currency as BalancedHold<T::AccountId>>::slash(
			&HoldReason::OutputDeposit.into(),
			provider,
			T::OutputDeposit::get(),
		);
		T::Slashed::on_unbalanced(credit);
		T::OutputDeposit::get().saturating_sub(missing)
	}
}
