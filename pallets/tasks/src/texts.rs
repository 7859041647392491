//! A task's texts and funds: what clients and the other pallets read of a running task, and its
//! clean-up when it ends (funds back to the submitter, texts out of state).

use crate::*;

impl<T: Config> Pallet<T> {
	/// Returns `bounty_left` of the bounty and the whole deposit to the submitter.
	pub(crate) fn release_task_funds(info: &TaskInfoOf<T>, bounty_left: BalanceOf<T>) {
		// Holds are created with exactly these amounts; best effort keeps the hook infallible.
		let _ = T::Currency::release(
			&HoldReason::Bounty.into(),
			&info.submitter,
			bounty_left,
			Precision::BestEffort,
		);
		let _ = T::Currency::release(
			&HoldReason::TaskDeposit.into(),
			&info.submitter,
			info.deposit,
			Precision::BestEffort,
		);
	}

	/// Removes the texts of a task and closes its providers' open tasks.
	pub(crate) fn clear_texts(task: TaskId) {
		Queries::<T>::remove(task);
		References::<T>::remove(task);
		let _ = OutputTexts::<T>::clear_prefix(task, T::MaxOutputs::get(), None);
		for p in Committers::<T>::get(task) {
			Providers::<T>::mutate(&p, |p| {
				if let Some(p) = p {
					p.open_tasks = p.open_tasks.saturating_sub(1);
				}
			});
		}
	}

	/// The revealed output text of `provider` in `task`, while the task runs.
	pub fn output_text(task: TaskId, provider: &T::AccountId) -> Option<Vec<u8>> {
		OutputTexts::<T>::get(task, provider).map(|t| t.into_inner())
	}

	/// The query text of a running task.
	pub fn query_text(task: TaskId) -> Option<Vec<u8>> {
		Queries::<T>::get(task).map(|q| q.into_inner())
	}

	/// The reference answer of a running task, if any.
	pub fn reference_text(task: TaskId) -> Option<Vec<u8>> {
		References::<T>::get(task).map(|r| r.into_inner())
	}

	/// The phase of `task` now, if the task exists.
	pub fn phase_of(task: TaskId) -> Option<Phase> {
		Tasks::<T>::get(task).map(|t| t.phase(frame_system::Pallet::<T>::block_number()))
	}
}
