//! The settlement queue: settlements scheduled per block and serviced by the hooks as weight
//! allows (draws first, then settlements oldest first, then pruning of expired results), each
//! settlement all or nothing.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use poq_primitives::due;

impl<T: Config> Pallet<T> {
	/// Settles `task` from a hook: all of it, or, when settlement fails, nothing but the round
	/// dropped (the task then expires in the tasks pallet, which refunds it).
	pub(crate) fn settle_or_drop(task: TaskId) {
		let settled = frame_support::storage::with_transaction(|| match Self::do_settle(task) {
			Ok(()) => frame_support::storage::TransactionOutcome::Commit(Ok(())),
			Err(e) => frame_support::storage::TransactionOutcome::Rollback(Err(e)),
		});
		if let Err(error) = settled {
			log::warn!(target: "poq-consensus", "settlement of task {task} failed: {error:?}");
			Self::clear_round(task);
			Self::deposit_event(Event::SettlementFailed { task, error });
		}
	}

	/// Queues the settlement of `task` at block `at` (not before the current block, which
	/// `on_idle` still services).
	pub(crate) fn schedule_settlement(at: BlockNumberFor<T>, task: TaskId) {
		due::enqueue::<_, _, Due<T>, DueCursor<T>>(at, Self::now(), task);
	}

	/// Moves the settlement of `task` from block `from` to `to`.
	pub(crate) fn reschedule_settlement(task: TaskId, from: BlockNumberFor<T>, to: BlockNumberFor<T>) {
		Due::<T>::remove(from, task);
		Self::schedule_settlement(to, task);
	}

	/// The most one settlement can weigh (committee and outputs at their maxima), its queue
	/// entry included: `ServiceWeight` must hold at least this much.
	pub fn max_settlement_weight() -> Weight {
		T::WeightInfo::settle(T::MaxCommitteeSize::get(), T::MaxOutputs::get())
			.saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}

	/// Draws the committees due by `now`, then settles the tasks due by `now`, oldest block
	/// first, while the next one's weight (from its round's committee and outputs) fits in
	/// `limit`, then prunes expired results with what is left. Returns the weight used.
	pub(crate) fn service(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let used = Self::service_draws(now, limit);
		let used = used.saturating_add(Self::service_settlements(now, limit.saturating_sub(used)));
		used.saturating_add(Self::prune_results(now, limit.saturating_sub(used)))
	}

	/// Settles the tasks due by `now` that fit in `limit`; returns the weight used.
	fn service_settlements(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		due::service::<_, _, Due<T>, DueCursor<T>>(
			now,
			limit,
			db,
			// The round's read; a round already gone (settled by hand, dropped) costs no more.
			|task| {
				Rounds::<T>::get(task).map_or(Weight::zero(), |r| {
					T::WeightInfo::settle(r.committee.len() as u32, r.outputs)
				})
				.saturating_add(db.reads(1))
			},
			|task| {
				if Rounds::<T>::contains_key(task) {
					Self::settle_or_drop(task);
				}
			},
		)
	}

	/// Tasks due for settlement by `now` and not settled yet.
	pub fn settlement_backlog(now: BlockNumberFor<T>) -> u32 {
		due::backlog::<_, _, Due<T>, DueCursor<T>>(now)
	}

	/// Prunes expired results from the head of the queue, as many as fit in `limit` (at most
	/// [`MAX_PRUNED_PER_CALL`]); returns the weight used.
	pub(crate) fn prune_results(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		if !T::WeightInfo::prune_results(1).all_lte(limit) {
			return Weight::zero();
		}
		let (mut head, tail) = ResultQueueBounds::<T>::get();
		let mut pruned = 0u32;
		while head < tail &&
			pruned < MAX_PRUNED_PER_CALL &&
			T::WeightInfo::prune_results(pruned + 1).all_lte(limit)
		{
			let Some(task) = ResultQueue::<T>::get(head) else {
				head += 1;
				continue;
			};
			match Results::<T>::get(task) {
				Some(r) if r.expires_at > now => break,
				Some(_) => {
					Results::<T>::remove(task);
					SettledReports::<T>::remove(task);
				},
				None => {},
			}
			ResultQueue::<T>::remove(head);
			head += 1;
			pruned += 1;
		}
		ResultQueueBounds::<T>::put((head, tail));
		T::WeightInfo::prune_results(pruned)
	}
}

/// Most results one hook call prunes (the range of the `prune_results` benchmark).
pub const MAX_PRUNED_PER_CALL: u32 = 64;

