//! What other pallets call: the session manager of `pallet-session` (the runtime adds the
//! historical roots around it), the authorship event handler of `pallet-authorship` and the
//! offence handler of `pallet-offences`.

use super::*;
use frame_support::weights::Weight;
use sp_staking::offence::OffenceDetails;

impl<T: Config> Pallet<T> {
	/// The set handed to `pallet-session` for `session` if it changed: only accounts with session
	/// keys, the same filter `pallet-session` applies when it queues the keys. When fewer than
	/// [`MinValidators`] of them have keys, the running set stays and the plan is tried again at
	/// the next session ([`Event::PlanDeferred`]): a set that lost its keys must not shrink the
	/// authorities below the minimum, or to none.
	fn plan(session: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let set: BoundedVec<_, T::MaxValidators> = Validators::<T>::get()
			.into_iter()
			.filter(|v| T::HasSessionKeys::contains(v))
			.collect::<Vec<_>>()
			.try_into()
			.expect("a filtered bounded set stays within its bound; qed");
		let with_keys = set.len() as u32;
		if with_keys < MinValidators::<T>::get().max(1) {
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::PlanDeferred { session, with_keys });
			return None;
		}
		Planned::<T>::put((session, set.clone()));
		let validators = set.into_inner();
		Self::deposit_event(Event::NewSetPlanned { session, validators: validators.clone() });
		Some(validators)
	}

	/// Makes the set planned for `session` the active one when that session starts, and forgets
	/// the counters of the validators that left.
	fn activate(session: SessionIndex) {
		let Some((planned_for, set)) = Planned::<T>::get() else { return };
		if planned_for != session {
			return;
		}
		Planned::<T>::kill();
		for gone in Active::<T>::get().iter().filter(|v| !set.contains(v)) {
			AuthoredBlocks::<T>::remove(gone);
			IdleSessions::<T>::remove(gone);
		}
		Active::<T>::put(set);
	}

	/// Reports the active validators that authored nothing in `session`, and resets the block
	/// counters for the next one.
	fn close(session: SessionIndex) {
		for who in Active::<T>::get() {
			if AuthoredBlocks::<T>::take(&who) > 0 {
				IdleSessions::<T>::remove(&who);
				continue;
			}
			let sessions = IdleSessions::<T>::mutate(&who, |n| {
				*n = n.saturating_add(1);
				*n
			});
			Self::deposit_event(Event::ValidatorIdle { who, session, sessions });
		}
	}

	/// The genesis set, for sessions 0 and 1; `None` (session keys decide) when it is empty.
	fn genesis_set() -> Option<Vec<T::AccountId>> {
		let set = Validators::<T>::get();
		(!set.is_empty()).then(|| set.into_inner())
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan(new_index)
	}

	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::genesis_set()
	}

	fn end_session(end_index: SessionIndex) {
		Self::close(end_index)
	}

	fn start_session(start_index: SessionIndex) {
		Self::activate(start_index)
	}
}

impl<T: Config> pallet_authorship::EventHandler<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn note_author(author: T::AccountId) {
		if Active::<T>::get().contains(&author) {
			AuthoredBlocks::<T>::mutate(&author, |n| *n = n.saturating_add(1));
		}
	}
}

impl<T: Config, FullId> OnOffenceHandler<T::AccountId, (T::AccountId, FullId), Weight>
	for Pallet<T>
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, FullId)>],
		slash_fraction: &[Perbill],
		session: SessionIndex,
	) -> Weight {
		let mut set = Validators::<T>::get();
		let min = MinValidators::<T>::get() as usize;
		let mut removed = false;
		for (details, fraction) in offenders.iter().zip(slash_fraction) {
			let who = details.offender.0.clone();
			T::DisableOffender::disable(&who, *fraction);
			match set.iter().position(|v| v == &who) {
				Some(i) if set.len() > min => {
					set.remove(i);
					removed = true;
					Self::deposit_event(Event::OffenderRemoved { who, session });
				},
				_ => Self::deposit_event(Event::OffenderKept { who, session }),
			}
		}
		if removed {
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
		}
		let n = offenders.len() as u64;
		// The set and the minimum are read once; each offender costs a disable (a read and a
		// write of the session's disabled list) and the set is written once.
		T::DbWeight::get().reads_writes(2 + n, 2 + n)
	}
}
