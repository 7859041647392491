//! Settlement of a task: consensus per cell, composite with the calibrated weights, trust,
//! strikes and slashes, rewards, ratings, the result and its retention.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use poq_primitives::{due, CompositeGate, SettledTask, SettledTasks};
use sp_runtime::{
	traits::{SaturatedConversion, Saturating, Zero},
	Perbill, Permill,
};

/// A member who revealed validly and its reports.
type ValidReveal<T> = (<T as frame_system::Config>::AccountId, BoundedVec<ScoreReport, <T as Config>::MaxOutputs>);

impl<T: Config> Pallet<T> {
	/// Settles `task`: see the module docs.
	pub(crate) fn do_settle(task: TaskId) -> DispatchResult {
		let round = Rounds::<T>::get(task).ok_or(Error::<T>::NoRound)?;
		let Some(view) = T::Tasks::scoring_view(task) else {
			Self::clear_round(task);
			Self::deposit_event(Event::RoundDropped { task });
			return Ok(());
		};
		let p = CurrentParams::<T>::get();
		// The family's weights with the dimensions calibration has gated off removed.
		let weights = T::Gate::effective_weights(view.family, Weights::<T>::get(view.family));
		let n = view.outputs.len();
		let now = Self::now();

		// Members, their conduct, trust and reports.
		struct Member<A> {
			who: A,
			price: u128,
			conduct: Conduct,
			trust: Perbill,
			cells: Vec<Permill>,
		}
		let members: Vec<Member<T::AccountId>> = round
			.committee
			.iter()
			.map(|(who, price)| {
				let trust = T::Evaluators::trust(who).unwrap_or_default();
				let (conduct, cells) = match (Commits::<T>::contains_key(task, who), Reveals::<T>::get(task, who)) {
					(false, _) => (Conduct::Silent, Vec::new()),
					(true, None) => (Conduct::NoReveal, Vec::new()),
					(true, Some(Reveal::Mismatch)) => (Conduct::BadReveal, Vec::new()),
					(true, Some(Reveal::Valid { model_set, .. }))
						if !AcceptedModelSets::<T>::contains_key(model_set) =>
						(Conduct::UnacceptedModelSet, Vec::new()),
					(true, Some(Reveal::Valid { reports, .. })) if reports.len() == n =>
						(Conduct::Revealed, reports.iter().flat_map(|r| r.cells()).collect()),
					// Refused by `reveal_scores`; never punished should it appear.
					(true, Some(Reveal::Valid { .. })) => (Conduct::Silent, Vec::new()),
				};
				Member { who: who.clone(), price: (*price).saturated_into(), conduct, trust, cells }
			})
			.collect();
		let valid: Vec<&Member<T::AccountId>> =
			members.iter().filter(|m| m.conduct == Conduct::Revealed).collect();
		let scored = !valid.is_empty();

		// Consensus per cell (output-major, three dimensions) and agreement per output. One
		// report cannot disagree with itself: agreement needs two valid reveals.
		let agreed = valid.len() >= 2;
		let mut consensus: Vec<Permill> = Vec::with_capacity(3 * n);
		let mut agreement: Vec<Permill> = Vec::with_capacity(n);
		for i in 0..n {
			let mut agr = 0u32;
			for j in 0..3 {
				let cell: Vec<(Permill, Perbill)> =
					valid.iter().map(|m| (m.cells[3 * i + j], m.trust)).collect();
				consensus.push(math::aggregate(p.rule, &cell).unwrap_or_default());
				let scores: Vec<Permill> = cell.iter().map(|(s, _)| *s).collect();
				agr += math::agreement(&scores).deconstruct();
			}
			agreement.push(Permill::from_parts(agr / 3));
		}

		// Priors from the ratings before this task.
		let ratings: Vec<ModelRating> = view
			.outputs
			.iter()
			.map(|o| o.rating.unwrap_or(ModelRating { rating: p.initial_rating, results: 0 }))
			.collect();
		let costs: Vec<u128> =
			view.outputs.iter().map(|o| o.declared_cost.saturated_into()).collect();
		let cost_priors =
			math::cost_priors(&ratings.iter().map(|r| r.rating).collect::<Vec<_>>(), &costs);

		let mut scores: Vec<[Option<Permill>; 6]> = Vec::with_capacity(n);
		let mut composites: Vec<Permill> = Vec::with_capacity(n);
		for i in 0..n {
			let ev = |j: usize| scored.then(|| consensus[3 * i + j]);
			let s = [
				Some(ratings[i].rating),
				Some(cost_priors[i]),
				ev(0),
				ev(1),
				ev(2),
				agreed.then(|| agreement[i]),
			];
			composites.push(if scored { math::composite(&weights, &s) } else { Permill::zero() });
			scores.push(s);
		}

		// Deviations and tolerance.
		let deviations: Vec<Option<Permill>> = members
			.iter()
			.map(|m| (m.conduct == Conduct::Revealed).then(|| math::deviation(&m.cells, &consensus)).flatten())
			.collect();
		let valid_devs: Vec<Permill> = deviations.iter().flatten().copied().collect();
		let tau = math::tolerance(&valid_devs, p.tolerance);

		// Rewards.
		let pool: u128 = view.bounty.saturated_into();
		let budget: u128 = round.budget.saturated_into::<u128>().min(pool);
		let p_inf = pool - budget;
		let inf_shares = if scored {
			let quality: Vec<Permill> = scores.iter().map(|s| math::evaluator_quality(&weights, s)).collect();
			let w = math::gated_inference_weights(&quality, p.quality_floor, &costs, p.alpha, p.beta);
			math::split_pool(p_inf, &w).0
		} else {
			alloc::vec![0; n]
		};
		let accuracy = |d: Permill| -> u128 {
			let d = d.deconstruct().min(p.accuracy_bound.deconstruct()) as u128;
			1_000_000 - d * 1_000_000 / p.accuracy_bound.deconstruct() as u128
		};
		let base: Vec<u128> = members
			.iter()
			.zip(&deviations)
			.map(|(m, d)| d.map_or(0, |d| m.price.saturating_mul(accuracy(d)) / 1_000_000))
			.collect();
		let base_total = base.iter().fold(0u128, |a, b| a.saturating_add(*b));
		let base: Vec<u128> = if base_total > budget {
			math::split_pool(budget, &base).0
		} else {
			base
		};
		let rest = budget - base.iter().sum::<u128>().min(budget);
		let entries: Vec<(Perbill, Permill)> = members
			.iter()
			.zip(&deviations)
			.map(|(m, d)| d.map_or((Perbill::zero(), Permill::one()), |d| (m.trust, d)))
			.collect();
		let ev_shares = math::split_pool(rest, &math::evaluator_weights(&entries, p.accuracy_bound)).0;

		// A declared cost is a price: nobody is paid more than `cost_cap` times its own.
		let capped = |s: u128, cost: u128| match p.cost_cap {
			0 => s,
			m => s.min(cost.saturating_mul(m as u128)),
		};
		let mut payouts: Vec<(T::AccountId, BalanceOf<T>)> = Vec::with_capacity(n + members.len());
		for ((o, s), c) in view.outputs.iter().zip(&inf_shares).zip(&costs) {
			payouts.push((o.provider.clone(), capped(*s, *c).saturated_into()));
		}
		for ((m, b), s) in members.iter().zip(&base).zip(&ev_shares) {
			payouts.push((m.who.clone(), b.saturating_add(*s).saturated_into()));
		}
		let moved = T::Tasks::settle(task, &payouts)?;
		let paid: u128 = moved.iter().fold(0u128, |a, m| a.saturating_add((*m).saturated_into()));
		let refunded: BalanceOf<T> = pool.saturating_sub(paid).saturated_into();

		// Trust, strikes, slashes: only once the payout has landed, so that settlement is
		// all or nothing (the payout is its one fallible step).
		let (w_min, w_max) = T::Evaluators::trust_bounds();
		let mut new_trust: Vec<Perbill> = Vec::with_capacity(members.len());
		let mut slashed: Vec<BalanceOf<T>> = Vec::with_capacity(members.len());
		for (m, d) in members.iter().zip(&deviations) {
			let (trust, slash) = match (m.conduct, d) {
				(Conduct::Revealed, Some(d)) => {
					let t = math::update_trust(m.trust, *d, tau, p.trust.within(w_min, w_max));
					let strikes = if *d > p.outlier_bound { Strikes::<T>::get(&m.who) + 1 } else { 0 };
					if strikes >= p.outlier_strikes {
						Strikes::<T>::remove(&m.who);
						(t, Some((p.slash_outlier, SlashReason::PersistentOutlier)))
					} else {
						if strikes == 0 {
							Strikes::<T>::remove(&m.who);
						} else {
							Strikes::<T>::insert(&m.who, strikes);
						}
						(t, None)
					}
				},
				(Conduct::NoReveal, _) =>
					(m.trust.saturating_sub(p.absent_penalty * m.trust), Some((p.slash_no_reveal, SlashReason::NoReveal))),
				(Conduct::BadReveal, _) =>
					(m.trust.saturating_sub(p.absent_penalty * m.trust), Some((p.slash_bad_reveal, SlashReason::BadReveal))),
				_ => (m.trust.saturating_sub(p.absent_penalty * m.trust), None),
			};
			T::Evaluators::set_trust(&m.who, trust);
			new_trust.push(T::Evaluators::trust(&m.who).unwrap_or(trust));
			slashed.push(match slash {
				Some((fraction, reason)) if !fraction.is_zero() =>
					T::Evaluators::slash(&m.who, fraction, reason),
				_ => Zero::zero(),
			});
		}

		// Ratings and the model leaderboard follow the evaluator-side quality (not the priors,
		// to avoid feedback).
		if scored {
			for ((o, r), s) in view.outputs.iter().zip(&ratings).zip(&scores) {
				let observed = math::evaluator_quality(&weights, s);
				let rating = math::update_rating(r.rating, observed, r.results, p.rating_step_min);
				T::Tasks::set_rating(&o.provider, ModelRating { rating, results: r.results.saturating_add(1) });
				T::Tasks::record_quality(&o.model_id, view.family, observed);
			}
		}

		// The result.
		let winner = scored
			.then(|| {
				let mut best: Option<usize> = None;
				for (i, c) in composites.iter().enumerate() {
					if best.is_none_or(|b| *c > composites[b]) {
						best = Some(i);
					}
				}
				best.map(|b| view.outputs[b].provider.clone())
			})
			.flatten();
		let outputs: Vec<OutputResult<T::AccountId, BalanceOf<T>>> = view
			.outputs
			.iter()
			.enumerate()
			.map(|(i, o)| OutputResult {
				provider: o.provider.clone(),
				scores: scores[i],
				composite: composites[i],
				reward: moved[i],
			})
			.collect();
		let evaluators: Vec<EvaluatorResult<T::AccountId, BalanceOf<T>>> = members
			.iter()
			.enumerate()
			.map(|(e, m)| EvaluatorResult {
				who: m.who.clone(),
				conduct: m.conduct,
				deviation: deviations[e],
				trust: new_trust[e],
				reward: moved[n + e],
				slashed: slashed[e],
			})
			.collect();
		let expires_at = now.saturating_add(p.result_retention);
		Results::<T>::insert(
			task,
			TaskResult {
				family: view.family,
				outputs: outputs.clone().try_into().unwrap_or_default(),
				evaluators: evaluators.clone().try_into().unwrap_or_default(),
				winner: winner.clone(),
				tolerance: tau,
				pool: view.bounty,
				refunded,
				settled_at: now,
				expires_at,
			},
		);
		// The reveals that counted (of an accepted model set), for calibration.
		let reports: Vec<ValidReveal<T>> = members
			.iter()
			.filter(|m| m.conduct == Conduct::Revealed)
			.filter_map(|m| match Reveals::<T>::get(task, &m.who) {
				Some(Reveal::Valid { reports, .. }) if reports.len() == n => Some((m.who.clone(), reports)),
				_ => None,
			})
			.collect();
		SettledReports::<T>::insert(
			task,
			SettledRecord { drawn_at: round.drawn_at, weights, reports: reports.try_into().unwrap_or_default() },
		);
		T::Gate::on_settled(view.family);
		ResultQueueBounds::<T>::mutate(|(_, tail)| {
			ResultQueue::<T>::insert(*tail, task);
			*tail = tail.saturating_add(1);
		});
		Self::clear_round(task);
		Self::deposit_event(Event::TaskScored { task, winner, outputs, evaluators, refunded });
		Ok(())
	}

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

impl<T: Config> SettledTasks<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn settled(task: TaskId) -> Option<SettledTask<T::AccountId, BlockNumberFor<T>>> {
		let result = Results::<T>::get(task)?;
		let record = SettledReports::<T>::get(task)?;
		Some(SettledTask {
			family: result.family,
			drawn_at: record.drawn_at,
			scores: result.outputs.iter().map(|o| o.scores).collect(),
			composites: result.outputs.iter().map(|o| o.composite).collect(),
			weights: record.weights,
			reports: record.reports.into_iter().map(|(who, r)| (who, r.into_inner())).collect(),
		})
	}

	fn scoring(task: TaskId) -> bool {
		Rounds::<T>::contains_key(task)
	}
}
