//! The pallet's invariants ([`Pallet::do_try_state`]): what its storage promises, checked by
//! `try_state` after every unit test, by the runtime's `try-runtime` feature and by the
//! runtime's randomised harness.

use crate::*;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// Checks the invariants of the consensus pallet:
	/// - every round belongs to a task still scoring, has distinct members (bonded evaluators,
	///   each engaged once per round it sits on), ordered windows, its settlement queued at its `reveal_ends`, and
	///   counts of commits and reveals that match the stored ones, all by members;
	/// - every valid reveal holds one report per output; a reveal has a commitment;
	/// - every pending draw is queued at its block, has no round yet, and its snapshot counts
	///   it; no snapshot outlives its draws; queue entries lie at or after their cursors;
	/// - settled reports and results go together; the parameters and weights are valid.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_rounds()?;
		Self::check_draws()?;
		Self::check_results()?;
		Self::check_model_sets()
	}

	fn check_model_sets() -> Result<(), TryRuntimeError> {
		let n = AcceptedModelSets::<T>::iter().count() as u32;
		ensure!(n == AcceptedModelSets::<T>::count(), "the model-set counter differs from the entries");
		ensure!(n <= T::MaxModelSets::get(), "more accepted model sets than MaxModelSets");
		for (_, info) in AcceptedModelSets::<T>::iter() {
			ensure!(!info.name.is_empty() && !info.version.is_empty(), "a model set with an empty label");
		}
		Ok(())
	}

	fn check_rounds() -> Result<(), TryRuntimeError> {
		let mut engaged = alloc::collections::BTreeMap::<T::AccountId, u32>::new();
		for (task, round) in Rounds::<T>::iter() {
			ensure!(T::Tasks::scoring_view(task).is_some(), "a round of a task that is not scoring");
			let members: Vec<&T::AccountId> = round.committee.iter().map(|(m, _)| m).collect();
			for (i, m) in members.iter().enumerate() {
				ensure!(!members[..i].contains(m), "a member drawn twice");
				ensure!(T::Evaluators::trust(m).is_some(), "a member that is not a bonded evaluator");
				*engaged.entry((*m).clone()).or_default() += 1;
			}
			ensure!(round.drawn_at <= round.commit_ends, "commit window ends before the draw");
			ensure!(round.commit_ends <= round.reveal_ends, "reveal window ends before the commit window");
			ensure!(Due::<T>::contains_key(round.reveal_ends, task), "a round without its settlement entry");
			let commits: Vec<T::AccountId> = Commits::<T>::iter_key_prefix(task).collect();
			ensure!(commits.len() as u32 == round.committed, "committed differs from the commitments");
			ensure!(commits.iter().all(|c| members.contains(&c)), "a commitment by a non-member");
			let mut reveals = 0u32;
			for (who, reveal) in Reveals::<T>::iter_prefix(task) {
				reveals += 1;
				ensure!(commits.contains(&who), "a reveal without a commitment");
				if let Reveal::Valid { reports, .. } = reveal {
					ensure!(reports.len() as u32 == round.outputs, "a valid reveal with a wrong report count");
				}
			}
			ensure!(reveals == round.revealed, "revealed differs from the reveals");
			ensure!(!PendingDraws::<T>::contains_key(task), "a task both drawn and pending");
		}
		for (who, n) in Engaged::<T>::iter() {
			ensure!(engaged.remove(&who) == Some(n), "an engagement count differs from the committees");
		}
		ensure!(engaged.is_empty(), "a member without its engagement count");
		for task in Commits::<T>::iter_keys().map(|(t, _)| t).chain(Reveals::<T>::iter_keys().map(|(t, _)| t)) {
			ensure!(Rounds::<T>::contains_key(task), "a commitment or reveal without its round");
		}
		let cursor = DueCursor::<T>::get();
		for (at, task, ()) in Due::<T>::iter() {
			ensure!(at >= cursor, "a settlement entry before the cursor");
			ensure!(
				Rounds::<T>::get(task).is_some_and(|r| r.reveal_ends == at),
				"a settlement entry without its round"
			);
		}
		Ok(())
	}

	fn check_draws() -> Result<(), TryRuntimeError> {
		let cursor = DrawCursor::<T>::get();
		for (at, task, ()) in DrawQueue::<T>::iter() {
			ensure!(at >= cursor, "a draw entry before the cursor");
			ensure!(PendingDraws::<T>::get(task).map(|(a, _)| a) == Some(at), "a queued draw that is not pending");
		}
		let mut counts = alloc::collections::BTreeMap::<BlockNumberFor<T>, u32>::new();
		for (task, (at, count)) in PendingDraws::<T>::iter() {
			ensure!(DrawQueue::<T>::contains_key(at, task), "a pending draw missing from the queue");
			ensure!(
				Snapshots::<T>::get(at).is_some_and(|s| s.candidates.len() as u32 == count),
				"a pending draw's candidate count differs from its snapshot"
			);
			*counts.entry(at).or_default() += 1;
		}
		for (at, snapshot) in Snapshots::<T>::iter() {
			ensure!(counts.remove(&at) == Some(snapshot.pending), "a snapshot's pending count is wrong");
		}
		ensure!(counts.is_empty(), "pending draws without their snapshot");
		Ok(())
	}

	fn check_results() -> Result<(), TryRuntimeError> {
		let (head, tail) = ResultQueueBounds::<T>::get();
		ensure!(head <= tail, "result queue head beyond its tail");
		for task in SettledReports::<T>::iter_keys() {
			ensure!(Results::<T>::contains_key(task), "settled reports without their result");
		}
		let p = CurrentParams::<T>::get();
		ensure!(p.validate(T::MaxCommitteeSize::get()), "invalid parameters");
		ensure!(Self::valid_min_committee(MinCommittee::<T>::get()), "a committee minimum out of range");
		for (_, w) in Weights::<T>::iter() {
			ensure!(w.iter().any(|x| !x.is_zero()), "weights without a non-zero entry");
		}
		Ok(())
	}
}
