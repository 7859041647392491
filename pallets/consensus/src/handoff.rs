//! The hand-over from the tasks pallet ([`TaskScoring`]): a task whose reveal phase closed is
//! queued for its draw, an expired one forgotten; the governed committee minimum, the initial
//! rating and the beacon's entropy are what the tasks pallet asks of scoring.

use crate::*;
use frame_support::weights::Weight;
use sp_runtime::{traits::One, Permill};

impl<T: Config> TaskScoring for Pallet<T> {
	fn begin(task: TaskId) {
		Self::queue_draw(task)
	}

	fn begin_weight() -> Weight {
		Self::queue_weight(T::MaxCandidates::get())
	}

	fn current_begin_weight() -> Weight {
		let candidates = T::Evaluators::active_count().clamp(1, T::MaxCandidates::get());
		// One snapshot serves every draw of a block: once taken, a close only counts itself in.
		let at = Self::now().saturating_add(T::DrawDelay::get());
		let queue = if Snapshots::<T>::contains_key(at) {
			let join = T::WeightInfo::snapshot_candidates(1);
			if T::DrawDelay::get().is_zero() {
				join.saturating_add(T::WeightInfo::draw_committee(candidates))
			} else {
				join
			}
		} else {
			Self::queue_weight(candidates)
		};
		queue.saturating_add(T::DbWeight::get().reads(2))
	}

	fn current_forget_weight(task: TaskId) -> Weight {
		let db = T::DbWeight::get();
		// What `forget` finds: a pending draw (released with its snapshot's count), a round
		// (cleared with its members' commits, reveals and engagement), or nothing.
		let found = if PendingDraws::<T>::contains_key(task) {
			db.reads_writes(6, 5)
		} else if let Some(round) = Rounds::<T>::get(task) {
			let m = round.committee.len() as u64;
			db.reads_writes(3 + 3 * m, 5 + 3 * m)
		} else {
			Weight::zero()
		};
		found.saturating_add(db.reads(2))
	}

	fn forget(task: TaskId) {
		if Self::cancel_draw(task) || Rounds::<T>::contains_key(task) {
			Self::clear_round(task);
			Self::deposit_event(Event::RoundDropped { task });
		}
	}

	fn scoring_blocks_needed() -> u32 {
		Self::blocks_needed(&CurrentParams::<T>::get()).saturated_into()
	}

	fn min_committee() -> u32 {
		MinCommittee::<T>::get()
	}

	fn initial_rating() -> Permill {
		CurrentParams::<T>::get().initial_rating
	}

	fn quality_floor() -> Permill {
		CurrentParams::<T>::get().quality_floor
	}

	fn entropy() -> [u8; 32] {
		Beacon::<T>::get().0
	}

	fn forget_weight() -> Weight {
		// A pending draw and its snapshot, or the round, its settlement entry, and every
		// member's commit, reveal and engagement.
		let m = T::MaxCommitteeSize::get() as u64;
		T::DbWeight::get().reads_writes(3 + 3 * m, 5 + 3 * m)
	}
}

impl<T: Config> Pallet<T> {
	/// The scoring phase `p` needs: the draw delay, the commit and reveal windows, and the
	/// block of settlement before the task expires.
	pub fn blocks_needed(p: &Params<BlockNumberFor<T>>) -> BlockNumberFor<T> {
		T::DrawDelay::get()
			.saturating_add(p.commit_blocks)
			.saturating_add(p.reveal_blocks)
			.saturating_add(One::one())
	}

	/// Queueing one draw over `c` candidates: the snapshot it may take, and the draw itself
	/// when [`Config::DrawDelay`] is zero.
	fn queue_weight(c: u32) -> Weight {
		let snapshot = T::WeightInfo::snapshot_candidates(c);
		if T::DrawDelay::get().is_zero() {
			snapshot.saturating_add(T::WeightInfo::draw_committee(c))
		} else {
			snapshot
		}
	}
}

