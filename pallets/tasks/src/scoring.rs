//! What the consensus pallet reads of a task in its scoring phase, and its settlement:
//! [`TaskProvider`] for the tasks pallet.

use crate::*;

impl<T: Config> TaskProvider<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn scoring_view(
		task: TaskId,
	) -> Option<ScoringView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let info = Tasks::<T>::get(task)?;
		if info.phase(frame_system::Pallet::<T>::block_number()) != Phase::Scoring {
			return None;
		}
		let outputs = Committers::<T>::get(task)
			.into_iter()
			.filter_map(|p| {
				let hash = Outputs::<T>::get(task, &p)?.output_hash?;
				let prov = Providers::<T>::get(&p)?;
				Some(RevealedOutput {
					provider: p,
					model_id: prov.model_id.into_inner(),
					declared_cost: prov.declared_cost,
					output_hash: hash,
					rating: prov.rating,
				})
			})
			.collect();
		Some(ScoringView {
			submitter: info.submitter,
			family: info.family,
			bounty: info.bounty,
			committee_size: info.options.committee_size,
			has_reference: info.reference_hash.is_some(),
			outputs,
			scoring_ends: info.scoring_ends,
		})
	}

	fn scoring_blocks() -> BlockNumberFor<T> {
		Phases::<T>::get().scoring
	}

	fn set_rating(provider: &T::AccountId, rating: poq_primitives::Rating) {
		Providers::<T>::mutate(provider, |p| {
			if let Some(p) = p {
				p.rating = Some(rating);
			}
		});
	}

	fn record_quality(model: &[u8], family: TaskFamily, quality: sp_runtime::Permill) {
		Self::do_record_quality(model, family, quality)
	}

	fn texts(task: TaskId) -> Option<poq_primitives::TaskTexts> {
		let view = Self::scoring_view(task)?;
		let outputs = view
			.outputs
			.iter()
			.map(|o| OutputTexts::<T>::get(task, &o.provider).map(|t| t.into_inner()))
			.collect::<Option<Vec<_>>>()?;
		Some(poq_primitives::TaskTexts {
			query: Queries::<T>::get(task)?.into_inner(),
			reference: References::<T>::get(task).map(|r| r.into_inner()),
			outputs,
		})
	}

	fn settle(
		task: TaskId,
		payouts: &[(T::AccountId, BalanceOf<T>)],
		below_floor: &[T::AccountId],
	) -> Result<Vec<BalanceOf<T>>, DispatchError> {
		let mut info = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
		ensure!(
			info.phase(frame_system::Pallet::<T>::block_number()) == Phase::Scoring,
			Error::<T>::NotScoring
		);
		let total = payouts
			.iter()
			.fold(BalanceOf::<T>::zero(), |acc, (_, a)| acc.saturating_add(*a));
		ensure!(total <= info.bounty, Error::<T>::PayoutExceedsBounty);
		let mut paid = BalanceOf::<T>::zero();
		let mut moved_each = Vec::with_capacity(payouts.len());
		for (to, amount) in payouts {
			if amount.is_zero() || *to == info.submitter {
				moved_each.push(Zero::zero());
				continue;
			}
			// A payout that cannot land (e.g. below the existential deposit of a new account)
			// stays in the bounty and returns to the submitter.
			if let Ok(moved) = T::Currency::transfer_on_hold(
				&HoldReason::Bounty.into(),
				&info.submitter,
				to,
				*amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			) {
				paid = paid.saturating_add(moved);
				moved_each.push(moved);
			} else {
				moved_each.push(Zero::zero());
			}
		}
		let refunded = info.bounty.saturating_sub(paid);
		Self::release_task_funds(&info, refunded);
		Self::return_output_deposits(task, below_floor);
		Self::clear_texts(task);
		Self::unschedule(info.scoring_ends, task, Action::Expire);
		info.ended = Some(Phase::Settled);
		Tasks::<T>::insert(task, info);
		Self::deposit_event(Event::TaskSettled { task, paid, refunded });
		Ok(moved_each)
	}
}
