//! Settlement of a task, as a pipeline of named steps in the order of the module docs:
//! read the committee ([`Pallet::members`]), aggregate, composite, rewards (the pure steps of
//! [`poq_consensus_math::settle`]), pay, trust and slash, ratings, record. The payout is the one
//! fallible step and comes before any other write, so a settlement is all or nothing. The queue
//! that runs settlements from the hooks is in `queue.rs`.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use math::settle::{self as steps, Consensus, MemberStake, OutputScore, RewardParams};
use poq_primitives::{ScoringView, SettledTask, SettledTasks};
use sp_runtime::{
	traits::{SaturatedConversion, Saturating, Zero},
	Perbill, Permill,
};

/// A member who revealed validly and its reports.
type ValidReveal<T> = (<T as frame_system::Config>::AccountId, BoundedVec<ScoreReport, <T as Config>::MaxOutputs>);

/// What a task's scoring view is in this pallet's types.
type ViewOf<T> = ScoringView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// A committee member as settlement reads it.
struct Member<A> {
	who: A,
	price: u128,
	conduct: Conduct,
	/// Trust before this task.
	trust: Perbill,
	/// Its reports' cells, output-major (empty unless it revealed validly).
	cells: Vec<Permill>,
	/// Its deviation from the consensus (valid reveals only).
	deviation: Option<Permill>,
}

/// What the steps before "record" computed.
struct Tally<A, B> {
	weights: [Permill; 6],
	members: Vec<Member<A>>,
	scores: Vec<OutputScore>,
	/// What the payout moved: one amount per output, then one per member.
	moved: Vec<B>,
	outcomes: Vec<Outcome<B>>,
	scored: bool,
	tau: Permill,
}

/// What the step "trust and slash" did to one member.
struct Outcome<B> {
	trust: Perbill,
	slashed: B,
}

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

		let mut members = Self::members(task, &round, n);
		let consensus = Self::aggregate(p.rule, &mut members, n, MinCommittee::<T>::get());
		let tau = math::tolerance(&members.iter().filter_map(|m| m.deviation).collect::<Vec<_>>(), p.tolerance);
		let ratings: Vec<ModelRating> = view
			.outputs
			.iter()
			.map(|o| o.rating.unwrap_or(ModelRating { rating: p.initial_rating, results: 0 }))
			.collect();
		let costs: Vec<u128> = view.outputs.iter().map(|o| o.declared_cost.saturated_into()).collect();
		let scores = steps::score_outputs(&weights, &ratings.iter().map(|r| r.rating).collect::<Vec<_>>(), &costs, &consensus);
		let rewards = Self::rewards(&view, &round, &members, &scores, &costs, consensus.scored(), &p);
		let below_floor: Vec<T::AccountId> = view
			.outputs
			.iter()
			.zip(&scores)
			.filter(|(_, s)| consensus.scored() && s.quality < p.quality_floor)
			.map(|(o, _)| o.provider.clone())
			.collect();
		let moved = Self::pay(task, &view, &members, rewards, &below_floor)?;
		let outcomes = Self::trust_and_slash(&members, tau, &p, Self::cut_windows(&round, &p));
		if consensus.scored() {
			Self::ratings(&view, &ratings, &scores, p.rating_step_min);
		}
		let scored = consensus.scored();
		let tally = Tally { weights, members, scores, moved, outcomes, scored, tau };
		Self::record(task, round, &view, tally, p.result_retention);
		Ok(())
	}

	/// Step "read": each member's conduct, trust before the task and cells.
	fn members(task: TaskId, round: &RoundOf<T>, n: usize) -> Vec<Member<T::AccountId>> {
		round
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
				let price = (*price).saturated_into();
				Member { who: who.clone(), price, conduct, trust, cells, deviation: None }
			})
			.collect()
	}

	/// Step "aggregate": the consensus of the valid reveals, and each one's deviation from it.
	/// Fewer than `min` valid reveals (the committee minimum) make no consensus: the task is
	/// unscored, and without deviations the revealers' trust stays as it was.
	fn aggregate(
		rule: math::AggregationRule,
		members: &mut [Member<T::AccountId>],
		n: usize,
		min: u32,
	) -> Consensus {
		let mut valid: Vec<(&[Permill], Perbill)> = members
			.iter()
			.filter(|m| m.conduct == Conduct::Revealed)
			.map(|m| (&m.cells[..], m.trust))
			.collect();
		if (valid.len() as u32) < min {
			valid.clear();
		}
		let consensus = steps::aggregate(rule, &valid, n);
		if !consensus.scored() {
			return consensus;
		}
		for m in members.iter_mut().filter(|m| m.conduct == Conduct::Revealed) {
			m.deviation = math::deviation(&m.cells, &consensus.cells);
		}
		consensus
	}

	/// Step "rewards": the split of the pool between the outputs and the committee.
	fn rewards(
		view: &ViewOf<T>,
		round: &RoundOf<T>,
		members: &[Member<T::AccountId>],
		scores: &[OutputScore],
		costs: &[u128],
		scored: bool,
		p: &Params<BlockNumberFor<T>>,
	) -> steps::Rewards {
		let stakes: Vec<MemberStake> = members
			.iter()
			.map(|m| MemberStake { price: m.price, trust: m.trust, deviation: m.deviation })
			.collect();
		let params = RewardParams {
			quality_floor: p.quality_floor,
			alpha: p.alpha,
			beta: p.beta,
			accuracy_bound: p.accuracy_bound,
			cost_cap: p.cost_cap,
		};
		let (pool, budget) = (view.bounty.saturated_into(), round.budget.saturated_into());
		steps::rewards(pool, budget, scores, costs, &stakes, scored, params)
	}

	/// Step "pay": the tasks pallet moves the rewards out of the bounty (outputs first, then
	/// members) and refunds the rest, and forfeits the output deposits of `below_floor` (the
	/// outputs scored below the quality floor); returns what each one actually received.
	fn pay(
		task: TaskId,
		view: &ViewOf<T>,
		members: &[Member<T::AccountId>],
		rewards: steps::Rewards,
		below_floor: &[T::AccountId],
	) -> Result<Vec<BalanceOf<T>>, DispatchError> {
		let to_outputs = view.outputs.iter().map(|o| o.provider.clone()).zip(rewards.outputs);
		let to_members = members.iter().map(|m| m.who.clone()).zip(rewards.members);
		let payouts: Vec<(T::AccountId, BalanceOf<T>)> =
			to_outputs.chain(to_members).map(|(who, amount)| (who, amount.saturated_into())).collect();
		T::Tasks::settle(task, &payouts, below_floor)
	}

	/// Which of the round's windows (commit, reveal) the backlog cut below what governance set
	/// and below two blocks: a member cannot be expected to act in them, and is not penalised
	/// for missing them.
	fn cut_windows(round: &RoundOf<T>, p: &Params<BlockNumberFor<T>>) -> (bool, bool) {
		let two: BlockNumberFor<T> = 2u32.into();
		let commit = round.commit_ends.saturating_sub(round.drawn_at);
		let reveal = round.reveal_ends.saturating_sub(round.commit_ends);
		(commit < p.commit_blocks.min(two), reveal < p.reveal_blocks.min(two))
	}

	/// Step "trust and slash": each member's new trust (up or down with its deviation, down for
	/// absence), its outlier strikes, and the slashes its conduct calls for. A member who
	/// revealed validly without a consensus (fewer valid reveals than the committee minimum)
	/// keeps its trust; absence from a window the backlog cut (`cut`: commit, reveal) costs
	/// nothing.
	fn trust_and_slash(
		members: &[Member<T::AccountId>],
		tau: Permill,
		p: &Params<BlockNumberFor<T>>,
		cut: (bool, bool),
	) -> Vec<Outcome<BalanceOf<T>>> {
		let (w_min, w_max) = T::Evaluators::trust_bounds();
		members
			.iter()
			.map(|m| {
				let absent = m.trust.saturating_sub(p.absent_penalty * m.trust);
				let (trust, slash) = match (m.conduct, m.deviation) {
					(Conduct::Revealed, Some(d)) => (
						math::update_trust(m.trust, d, tau, p.trust.within(w_min, w_max)),
						Self::strike(&m.who, d, p).then_some((p.slash_outlier, SlashReason::PersistentOutlier)),
					),
					(Conduct::Revealed, None) => (m.trust, None),
					(Conduct::Silent, _) if cut.0 => (m.trust, None),
					(Conduct::NoReveal, _) if cut.1 => (m.trust, None),
					(Conduct::NoReveal, _) => (absent, Some((p.slash_no_reveal, SlashReason::NoReveal))),
					(Conduct::BadReveal, _) => (absent, Some((p.slash_bad_reveal, SlashReason::BadReveal))),
					_ => (absent, None),
				};
				let trust = T::Evaluators::set_trust(&m.who, trust);
				let slashed = match slash {
					Some((fraction, reason)) if !fraction.is_zero() => T::Evaluators::slash(&m.who, fraction, reason),
					_ => Zero::zero(),
				};
				Outcome { trust, slashed }
			})
			.collect()
	}

	/// Counts an outlier strike for `who` at deviation `d` (or clears its strikes when it was
	/// within the bound); true when the strikes reach the limit, which clears them too.
	fn strike(who: &T::AccountId, d: Permill, p: &Params<BlockNumberFor<T>>) -> bool {
		let strikes = if d > p.outlier_bound { Strikes::<T>::get(who) + 1 } else { 0 };
		if strikes == 0 || strikes >= p.outlier_strikes {
			Strikes::<T>::remove(who);
		} else {
			Strikes::<T>::insert(who, strikes);
		}
		strikes >= p.outlier_strikes
	}

	/// Step "ratings": each provider's rating and its model's leaderboard statistics follow the
	/// evaluator-side quality (not the priors, to avoid feedback).
	fn ratings(view: &ViewOf<T>, ratings: &[ModelRating], scores: &[OutputScore], step_min: Permill) {
		for ((o, r), s) in view.outputs.iter().zip(ratings).zip(scores) {
			let rating = math::update_rating(r.rating, s.quality, r.results, step_min);
			T::Tasks::set_rating(&o.provider, ModelRating { rating, results: r.results.saturating_add(1) });
			T::Tasks::record_quality(&o.model_id, view.family, s.quality);
		}
	}

	/// Step "record": the result, the reveals that counted (for calibration), the result's place
	/// in the pruning queue, the end of the round and the event.
	fn record(
		task: TaskId,
		round: RoundOf<T>,
		view: &ViewOf<T>,
		tally: Tally<T::AccountId, BalanceOf<T>>,
		retention: BlockNumberFor<T>,
	) {
		let Tally { weights, members, scores, moved, outcomes, scored, tau } = tally;
		let n = view.outputs.len();
		let composites: Vec<Permill> = scores.iter().map(|s| s.composite).collect();
		let winner = scored.then(|| steps::winner(&composites)).flatten().map(|i| view.outputs[i].provider.clone());
		let outputs: Vec<OutputResult<T::AccountId, BalanceOf<T>>> = view
			.outputs
			.iter()
			.zip(&scores)
			.zip(&moved)
			.map(|((o, s), reward)| OutputResult {
				provider: o.provider.clone(),
				scores: s.scores,
				composite: s.composite,
				reward: *reward,
			})
			.collect();
		let evaluators: Vec<EvaluatorResult<T::AccountId, BalanceOf<T>>> = members
			.iter()
			.zip(&outcomes)
			.zip(&moved[n..])
			.map(|((m, o), reward)| EvaluatorResult {
				who: m.who.clone(),
				conduct: m.conduct,
				deviation: m.deviation,
				trust: o.trust,
				reward: *reward,
				slashed: o.slashed,
			})
			.collect();
		let pool: u128 = view.bounty.saturated_into();
		let paid: u128 = moved.iter().fold(0u128, |a, m| a.saturating_add((*m).saturated_into()));
		let refunded: BalanceOf<T> = pool.saturating_sub(paid).saturated_into();
		let now = Self::now();
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
				expires_at: now.saturating_add(retention),
			},
		);
		let reports = Self::counted_reports(task, &members, n);
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
	}

	/// The reveals that counted (of an accepted model set), for calibration.
	fn counted_reports(task: TaskId, members: &[Member<T::AccountId>], n: usize) -> Vec<ValidReveal<T>> {
		members
			.iter()
			.filter(|m| m.conduct == Conduct::Revealed)
			.filter_map(|m| match Reveals::<T>::get(task, &m.who) {
				Some(Reveal::Valid { reports, .. }) if reports.len() == n => Some((m.who.clone(), reports)),
				_ => None,
			})
			.collect()
	}
}

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
