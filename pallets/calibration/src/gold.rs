//! A gold reveal, step by step: check the reveal, refuse (and penalise) what breaks the rules,
//! then measure the series, move the gates, move the members' trust and keep the record.

use crate::*;
use frame_support::traits::{fungible::BalancedHold, Imbalance};
use sp_runtime::Saturating;
use poq_primitives::SettledTask;

impl<T: Config> Pallet<T> {
	/// See [`Pallet::reveal_gold`].
	pub(crate) fn do_reveal_gold(
		who: T::AccountId,
		commitment: H256,
		task: TaskId,
		labels: GoldLabels,
		salt: [u8; 32],
	) -> DispatchResult {
		let c = GoldCommits::<T>::get(commitment).ok_or(Error::<T>::UnknownCommitment)?;
		ensure!(c.poster == who, Error::<T>::NotYourCommitment);
		ensure!(GoldPosters::<T>::contains_key(&who), Error::<T>::NotGoldPoster);
		ensure!(!GoldRecords::<T>::contains_key(task), Error::<T>::AlreadyCalibrated);
		ensure!(labels.len() as u32 <= T::MaxLabels::get(), Error::<T>::TooManyLabels);

		if poq_primitives::commitment::gold(&who, task, &labels, &salt) != commitment {
			return Self::reject(commitment, &c, RejectReason::Mismatch);
		}
		if T::Settled::scoring(task) {
			return Self::reject(commitment, &c, RejectReason::EarlyReveal);
		}
		let settled = T::Settled::settled(task).ok_or(Error::<T>::NotSettled)?;
		if c.committed_at > settled.drawn_at {
			return Self::reject(commitment, &c, RejectReason::LateCommitment);
		}
		let n = settled.scores.len();
		if n as u32 > T::MaxOutputs::get() || !labels.as_ref().fits(n) {
			return Self::reject(commitment, &c, RejectReason::MalformedLabels);
		}
		let family = settled.family;
		let credit = GoldCredit::<T>::get(family);
		ensure!(credit >= CREDIT_UNIT, Error::<T>::GoldShareExceeded);
		GoldCredit::<T>::insert(family, credit - CREDIT_UNIT);

		let concordance = Self::measure(&settled, &labels);
		Self::update_window_and_gates(family, concordance);
		Self::apply_gold_trust(task, &settled, &labels);
		Self::keep_record(task, &who, &settled, labels, concordance);

		Self::remove_commit(commitment, &c);
		T::Currency::release(&HoldReason::GoldDeposit.into(), &who, c.deposit, Precision::BestEffort)?;
		Self::deposit_event(Event::GoldRevealed {
			task,
			family,
			poster: who,
			accuracy: concordance.map(|p| p.accuracy()),
		});
		Ok(())
	}

	/// Refuses a reveal: the commitment is removed and its deposit slashed. The call itself
	/// succeeds, so that the penalty stays.
	fn reject(commitment: H256, c: &GoldCommitOf<T>, reason: RejectReason) -> DispatchResult {
		Self::remove_commit(commitment, c);
		let (credit, _missing) =
			<T::Currency as BalancedHold<T::AccountId>>::slash(&HoldReason::GoldDeposit.into(), &c.poster, c.deposit);
		let slashed = credit.peek();
		T::Slashed::on_unbalanced(credit);
		Self::deposit_event(Event::GoldRejected { commitment, poster: c.poster.clone(), reason, slashed });
		Ok(())
	}

	/// Pairwise agreement with the labels of every series: the six dimensions' consensus, the
	/// published composite and the composite the fallback weights would have given.
	fn measure(settled: &SettledTask<T::AccountId, BlockNumberFor<T>>, labels: &GoldLabels) -> [PairCount; SERIES] {
		let l = labels.as_ref();
		let fallback = CurrentParams::<T>::get().fallback;
		let mut out = [PairCount::default(); SERIES];
		for (d, slot) in out.iter_mut().enumerate().take(6) {
			let series: Vec<Option<Permill>> = settled.scores.iter().map(|s| s[d]).collect();
			*slot = cal::concordance(&series, l);
		}
		// With no valid reveal the composite is zero by convention, not a measurement.
		if !settled.reports.is_empty() {
			let composite: Vec<Option<Permill>> = settled.composites.iter().map(|c| Some(*c)).collect();
			out[SERIES_COMPOSITE] = cal::concordance(&composite, l);
		}
		let fb: Vec<Option<Permill>> = settled
			.scores
			.iter()
			.map(|s| {
				let present = fallback.iter().zip(s).any(|(w, x)| !w.is_zero() && x.is_some());
				present.then(|| poq_consensus_math::composite(&fallback, s))
			})
			.collect();
		out[SERIES_FALLBACK] = cal::concordance(&fb, l);
		out
	}

	/// Pushes a gold task's agreement into `family`'s window (dropping the oldest beyond the
	/// governed length) and moves each dimension's gate.
	fn update_window_and_gates(family: TaskFamily, concordance: [PairCount; SERIES]) {
		let p = CurrentParams::<T>::get();
		Windows::<T>::mutate(family, |w| {
			let keep = (p.window as usize).saturating_sub(1);
			while w.len() > keep {
				w.remove(0);
			}
			let _ = w.try_push(concordance);
		});
		let (reliability, gold_tasks) = Self::reliability(family);
		Self::deposit_event(Event::ReliabilityUpdated { family, reliability, gold_tasks });
		let mut gated = Gated::<T>::get(family);
		for d in 0..6 {
			let next = cal::next_gated(gated[d], reliability[d], gold_tasks[d], p.gate);
			if next == gated[d] {
				continue;
			}
			let r = reliability[d].unwrap_or_default();
			if next {
				Self::deposit_event(Event::DimensionGated {
					family,
					dimension: d as u8,
					reliability: r,
					threshold: p.gate.threshold,
				});
			} else {
				Self::deposit_event(Event::DimensionRestored {
					family,
					dimension: d as u8,
					reliability: r,
					required: p.gate.threshold.saturating_add(p.gate.margin),
				});
			}
			gated[d] = next;
		}
		Gated::<T>::insert(family, gated);
	}

	/// Moves the trust of every member who revealed validly by its error against the labels,
	/// under a tolerance relative to the committee's median error.
	fn apply_gold_trust(task: TaskId, settled: &SettledTask<T::AccountId, BlockNumberFor<T>>, labels: &GoldLabels) {
		let p = CurrentParams::<T>::get();
		let n = settled.scores.len();
		// Judge each member's reports with the weights the task's composite used, so that a
		// gated dimension does not weigh on trust either.
		let weights = settled.weights;
		let errors: Vec<(T::AccountId, Permill)> = settled
			.reports
			.iter()
			.filter_map(|(who, reports)| {
				let cells: Vec<Permill> = reports.iter().flat_map(|r| r.cells()).collect();
				cal::gold_error(&cells, n, &weights, labels.as_ref()).map(|e| (who.clone(), e))
			})
			.collect();
		if errors.is_empty() {
			return;
		}
		let values: Vec<Permill> = errors.iter().map(|(_, e)| *e).collect();
		let tau = poq_consensus_math::tolerance(&values, p.gold_tolerance);
		// The better half needs peers: a lone member gains nothing (it only loses beyond the
		// tolerance's floor), since nothing says whether its error is small.
		let median = match values.len() {
			0 | 1 => Permill::zero(),
			_ => poq_consensus_math::median(&values).unwrap_or_default(),
		};
		let (w_min, w_max) = T::Evaluators::trust_bounds();
		let trust = p.gold_trust.within(w_min, w_max);
		let members: Vec<(T::AccountId, Permill, Perbill)> = errors
			.into_iter()
			.filter_map(|(who, e)| {
				let before = T::Evaluators::trust(&who)?;
				T::Evaluators::set_trust(&who, cal::gold_trust(before, e, median, tau, trust));
				Some((who.clone(), e, T::Evaluators::trust(&who).unwrap_or(before)))
			})
			.collect();
		Self::deposit_event(Event::GoldTrustApplied { task, tolerance: tau, members });
	}

	/// Keeps the gold task's record for audits, dropping the oldest beyond `MaxGoldHistory`.
	fn keep_record(
		task: TaskId,
		poster: &T::AccountId,
		settled: &SettledTask<T::AccountId, BlockNumberFor<T>>,
		labels: GoldLabels,
		concordance: [PairCount; SERIES],
	) {
		let Some(labels) = StoredLabels::bound(labels) else { return };
		GoldHistory::<T>::mutate(|h| {
			if h.is_full() {
				let oldest = h.remove(0);
				GoldRecords::<T>::remove(oldest);
			}
			let _ = h.try_push(task);
		});
		GoldRecords::<T>::insert(
			task,
			GoldRecord {
				task,
				family: settled.family,
				poster: poster.clone(),
				labels,
				scores: settled.scores.clone().try_into().unwrap_or_default(),
				composites: settled.composites.clone().try_into().unwrap_or_default(),
				concordance,
				revealed_at: frame_system::Pallet::<T>::block_number(),
			},
		);
	}
}
