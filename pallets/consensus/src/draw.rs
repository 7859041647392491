//! Committee draws: the randomness beacon, candidate snapshots and the draw queue.
//!
//! A committee must be fixed by randomness that nobody knew while the candidates and the task's
//! outputs could still change, and that no single block author can choose:
//!
//! 1. When a task's reveal phase closes (block `n`), its outputs are final and its draw is
//!    queued for block `n + D` ([`Config::DrawDelay`]). The candidates (active evaluators,
//!    their bond x trust and declared prices) are fixed then, in a [`CandidateSnapshot`] that
//!    every task closing in block `n` shares. `activate`, `chill`, `bond_extra` or `set_price`
//!    after that point cannot change the draw.
//! 2. Every block's `on_initialize` folds the parent block's entropy ([`Config::Randomness`],
//!    BABE's VRF output of the parent's author in the runtime) into the [`Beacon`], a hash
//!    chain. The draw at `n + D` seeds from the beacon then, which holds the VRF outputs of the
//!    blocks `n .. n + D - 1`.
//! 3. The draw runs over the snapshot (minus the task's providers and its submitter); members
//!    who left the active set meanwhile lose their seat afterwards, so leaving can only shrink
//!    a committee, never re-shuffle it. The budget limits the seats beyond the governed
//!    minimum ([`MinCommittee`]) to members whose price fits; the minimum's seats are filled
//!    by weight whatever the prices, so a small bounty cannot hand a task to the few
//!    evaluators who work for nothing.
//!
//! A block author learns its own VRF output in advance, but nobody learns the VRF outputs of
//! blocks authored by others before they are published. Knowing a draw's seed before its
//! snapshot is fixed therefore takes authoring all `D` blocks `n .. n + D - 1`. What remains is
//! the last author's choice to withhold its block (and its slot) when it dislikes the seed:
//! one of two outcomes instead of one (`docs/security.md`).

use super::*;
use poq_primitives::due;

impl<T: Config> Pallet<T> {
	/// Folds the parent block's entropy into the [`Beacon`]; returns the weight used.
	pub(crate) fn update_beacon() -> Weight {
		let (entropy, _) = T::Randomness::random(b"poq/beacon");
		match entropy {
			Some(e) => {
				Beacon::<T>::mutate(|b| *b = H256(sp_io::hashing::blake2_256(&(*b, e).encode())));
				T::DbWeight::get().reads_writes(2, 1)
			},
			None => T::DbWeight::get().reads(1),
		}
	}

	/// Queues the draw of `task` (its reveal phase closed now) for `now + DrawDelay`, fixing the
	/// candidates of that block's draws if this is the first; with no delay, draws at once.
	pub(crate) fn queue_draw(task: TaskId) {
		if Rounds::<T>::contains_key(task) || PendingDraws::<T>::contains_key(task) {
			return;
		}
		let now = Self::now();
		let at = now.saturating_add(T::DrawDelay::get());
		Self::hold_snapshot(task, at);
		if at <= now {
			Self::draw(task);
		} else {
			due::enqueue::<_, _, DrawQueue<T>, DrawCursor<T>>(at, now, task);
		}
	}

	/// Makes `task` a pending draw at `at`, from the snapshot of `at`'s draws (taken now if it
	/// is the first).
	pub(crate) fn hold_snapshot(task: TaskId, at: BlockNumberFor<T>) {
		let count = Snapshots::<T>::mutate(at, |s| match s {
			Some(s) => {
				s.pending = s.pending.saturating_add(1);
				s.candidates.len() as u32
			},
			None => {
				let candidates = Self::candidates();
				let count = candidates.len() as u32;
				*s = Some(CandidateSnapshot { candidates, pending: 1 });
				count
			},
		});
		PendingDraws::<T>::insert(task, (at, count));
	}

	/// The active evaluators with their selection weights and prices, as a draw sees them.
	fn candidates() -> BoundedVec<SnapshotEntry<T::AccountId, BalanceOf<T>>, T::MaxCandidates> {
		let entries = T::Evaluators::active_evaluators()
			.into_iter()
			.take(T::MaxCandidates::get() as usize)
			.map(|e| SnapshotEntry {
				weight: e.bonded.saturated_into::<u128>().saturating_mul(e.trust.deconstruct() as u128),
				price: Prices::<T>::get(&e.who),
				who: e.who,
			})
			.collect::<Vec<_>>();
		BoundedVec::truncate_from(entries)
	}

	/// Forgets the pending draw of `task` and releases its snapshot; returns the candidates.
	fn release(task: TaskId) -> Option<Vec<SnapshotEntry<T::AccountId, BalanceOf<T>>>> {
		let (at, _) = PendingDraws::<T>::take(task)?;
		DrawQueue::<T>::remove(at, task);
		let mut snapshot = Snapshots::<T>::take(at)?;
		snapshot.pending = snapshot.pending.saturating_sub(1);
		let candidates = snapshot.candidates.clone().into_inner();
		if snapshot.pending > 0 {
			Snapshots::<T>::insert(at, snapshot);
		}
		Some(candidates)
	}

	/// Drops the pending draw of `task` (it expired before its draw); whether there was one.
	pub(crate) fn cancel_draw(task: TaskId) -> bool {
		Self::release(task).is_some()
	}

	/// Runs the draws due by `now` that fit in `limit`, oldest first; returns the weight used.
	pub(crate) fn service_draws(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		due::service::<_, _, DrawQueue<T>, DrawCursor<T>>(
			now,
			limit,
			T::DbWeight::get(),
			// The pending draw's read tells the size of its snapshot.
			|task| {
				let c = PendingDraws::<T>::get(task).map_or(0, |(_, c)| c);
				T::WeightInfo::draw_committee(c.max(1)).saturating_add(T::DbWeight::get().reads(1))
			},
			// `release` takes the entry out of the queue again; `service` drained it already.
			Self::draw,
		)
	}

	/// Draws the committee of `task` from its snapshot and the beacon, and opens its commit
	/// window.
	pub(crate) fn draw(task: TaskId) {
		let Some(snapshot) = Self::release(task) else { return };
		let Some(view) = T::Tasks::scoring_view(task) else { return };
		if Rounds::<T>::contains_key(task) {
			return;
		}
		let p = CurrentParams::<T>::get();
		let now = Self::now();
		let min = MinCommittee::<T>::get();
		let k = view.committee_size.unwrap_or(p.committee_size).max(min).min(T::MaxCommitteeSize::get());
		let pool: u128 = view.bounty.saturated_into();
		let budget = pool.saturating_sub(p.inference_share.mul_floor(pool));

		let providers: Vec<&T::AccountId> = view.outputs.iter().map(|o| &o.provider).collect();
		let views: Vec<_> = snapshot
			.into_iter()
			.filter(|e| !providers.contains(&&e.who) && e.who != view.submitter)
			.collect();
		let candidates: Vec<math::Candidate> = views
			.iter()
			.map(|e| math::Candidate { weight: e.weight, price: e.price.saturated_into() })
			.collect();
		let seed = sp_io::hashing::blake2_256(&(b"poq/committee", task, Beacon::<T>::get()).encode());
		let mut counter = 0u32;
		let mut rand = |n: u128| {
			counter += 1;
			let h = sp_io::hashing::blake2_256(&(seed, counter).encode());
			let mut b = [0u8; 16];
			b.copy_from_slice(&h[..16]);
			u128::from_le_bytes(b) % n
		};
		let drawn = math::draw_committee(&candidates, k as usize, budget, &mut rand);
		let drawn = math::fill_minimum(&candidates, min.min(k) as usize, drawn, &mut rand);
		// Seats of members who left the active set since the snapshot stay empty.
		let committee: BoundedVec<_, T::MaxCommitteeSize> = BoundedVec::truncate_from(
			drawn
				.iter()
				.map(|i| &views[*i])
				.filter(|e| T::Evaluators::is_active(&e.who))
				.map(|e| (e.who.clone(), e.price))
				.collect::<Vec<_>>(),
		);
		Self::open_round(task, &view, committee, budget, now, &p);
	}

	/// Stores the round of a drawn committee with its windows and schedules its settlement.
	fn open_round(
		task: TaskId,
		view: &poq_primitives::ScoringView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
		committee: BoundedVec<(T::AccountId, BalanceOf<T>), T::MaxCommitteeSize>,
		budget: u128,
		now: BlockNumberFor<T>,
		p: &Params<BlockNumberFor<T>>,
	) {
		// Windows: as governed, squeezed into the task's scoring window when it is shorter.
		let last = view.scoring_ends.saturating_sub(One::one());
		let mut commit_ends = now.saturating_add(p.commit_blocks);
		let mut reveal_ends = commit_ends.saturating_add(p.reveal_blocks);
		if reveal_ends > last {
			let span = last.saturating_sub(now);
			commit_ends = now.saturating_add(span / 2u32.into());
			reveal_ends = last;
		}
		// Nobody to wait for: an empty committee is settled (without quality) at once.
		if committee.is_empty() {
			commit_ends = now;
			reveal_ends = now;
		}
		Self::schedule_settlement(reveal_ends, task);
		for (m, _) in &committee {
			Engaged::<T>::mutate(m, |n| *n = n.saturating_add(1));
		}
		let members = committee.iter().map(|(m, _)| m.clone()).collect();
		Rounds::<T>::insert(
			task,
			Round {
				committee,
				outputs: view.outputs.len() as u32,
				budget: budget.saturated_into(),
				drawn_at: now,
				commit_ends,
				reveal_ends,
				committed: 0,
				revealed: 0,
			},
		);
		Self::deposit_event(Event::CommitteeDrawn { task, committee: members, commit_ends, reveal_ends });
	}

	/// Removes a round, its settlement entry and its commits and reveals, and releases its
	/// members' engagement.
	pub(crate) fn clear_round(task: TaskId) {
		if let Some(round) = Rounds::<T>::take(task) {
			Due::<T>::remove(round.reveal_ends, task);
			for (m, _) in &round.committee {
				Engaged::<T>::mutate_exists(m, |n| {
					*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
				});
			}
		}
		let _ = Commits::<T>::clear_prefix(task, T::MaxCommitteeSize::get(), None);
		let _ = Reveals::<T>::clear_prefix(task, T::MaxCommitteeSize::get(), None);
	}
}
