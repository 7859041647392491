//! Output admission: a task's answer window accepts up to twice its `max_outputs`
//! commitments, and when it closes with more than `max_outputs`, the outputs that go on to be
//! revealed and scored are drawn, weighted by the square of each provider's rating, from
//! randomness nobody knew while committing ([`TaskScoring::entropy`], the consensus pallet's
//! beacon). Coming first buys nothing: a sybil that fills the window early still has to win the
//! draw, and its rating falls with every junk output that is scored (and its deposit with every
//! output below the quality floor, see `scoring.rs`). Providers not admitted get their deposit
//! back and their open-task slot freed.
//!
//! The answer phase still closes early for honest providers: once `max_outputs` commitments
//! come from providers rated at least the quality floor (unrated ones at the initial rating), or
//! at twice `max_outputs` commitments; junk soon rates a squatter below the floor, and its
//! commitments stop counting.
//!
//! The draw runs as the schedule's `Action::Admit` entry at the answer phase's end, or first
//! thing when the reveal phase closes if the hooks have not reached that entry yet. Reveals wait
//! for it ([`Error::AdmissionPending`]).

use crate::*;
use frame_support::weights::Weight;
use sp_runtime::Permill;

/// Most commitments a task holds: twice [`Config::MaxOutputs`].
pub struct MaxCommitments<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<u32> for MaxCommitments<T> {
	fn get() -> u32 {
		T::MaxOutputs::get().saturating_mul(2)
	}
}

/// The admission weight of a provider of `rating` (parts per million): its square, at least 1,
/// so that a provider rated zero can still be drawn when there is room.
pub fn admission_weight(rating: Permill) -> u128 {
	let r = rating.deconstruct() as u128;
	(r * r).max(1)
}

/// Draws `k` of `weights.len()` entries without replacement, each pick proportional to weight
/// among those left, with `rand(n)` a number below `n`; returns the picked indices in
/// ascending order (all of them when `k` is not smaller).
pub fn draw_admitted(weights: &[u128], k: usize, mut rand: impl FnMut(u128) -> u128) -> Vec<usize> {
	let mut left: Vec<usize> = (0..weights.len()).collect();
	if k >= left.len() {
		return left;
	}
	let mut picked = Vec::with_capacity(k);
	while picked.len() < k {
		let total = left.iter().fold(0u128, |a, i| a.saturating_add(weights[*i]));
		let mut r = rand(total.max(1)).min(total.saturating_sub(1));
		let mut at = left.len() - 1;
		for (j, i) in left.iter().enumerate() {
			if r < weights[*i] {
				at = j;
				break;
			}
			r -= weights[*i];
		}
		picked.push(left.remove(at));
	}
	picked.sort_unstable();
	picked
}

impl<T: Config> Pallet<T> {
	/// The task's `max_outputs` (set at submission).
	pub(crate) fn max_outputs_of(info: &TaskInfoOf<T>) -> u32 {
		info.options.max_outputs.unwrap_or(T::MaxOutputs::get())
	}

	/// A provider's rating, the initial one while it has no settled result.
	fn rating_of(provider: &T::AccountId) -> Permill {
		Providers::<T>::get(provider).and_then(|p| p.rating).map_or_else(T::Scoring::initial_rating, |r| r.rating)
	}

	/// How many of the task's commitments come from providers rated at least the quality floor
	/// (unrated ones at the initial rating): `max_outputs` of them close the answer phase
	/// early. Junk lowers a provider's rating below the floor, so squatters stop counting
	/// after their first scored junk and honest providers keep their early close.
	pub(crate) fn qualified_commitments(task: TaskId) -> u32 {
		let floor = T::Scoring::quality_floor();
		Committers::<T>::get(task).iter().filter(|p| Self::rating_of(p) >= floor).count() as u32
	}

	/// Whether the task's admission draw is due and has not run.
	pub(crate) fn admission_pending(info: &TaskInfoOf<T>, task: TaskId) -> bool {
		info.commits > Self::max_outputs_of(info) && Schedule::<T>::contains_key(info.answer_ends, (task, Action::Admit))
	}

	/// Runs the admission draw of `task` if it is pending: keeps `max_outputs` commitments,
	/// returns the others' deposits and open-task slots.
	pub(crate) fn admit(task: TaskId) {
		let Some(mut info) = Tasks::<T>::get(task) else { return };
		Self::unschedule(info.answer_ends, task, Action::Admit);
		let max = Self::max_outputs_of(&info);
		if info.ended.is_some() || info.commits <= max {
			return;
		}
		let committers = Committers::<T>::get(task);
		let weights: Vec<u128> = committers.iter().map(|p| admission_weight(Self::rating_of(p))).collect();
		let seed = sp_io::hashing::blake2_256(&(b"poq/admit", task, T::Scoring::entropy()).encode());
		let mut counter = 0u32;
		let picked = draw_admitted(&weights, max as usize, |n| {
			counter += 1;
			let h = sp_io::hashing::blake2_256(&(seed, counter).encode());
			let mut b = [0u8; 16];
			b.copy_from_slice(&h[..16]);
			u128::from_le_bytes(b) % n
		});
		let (mut admitted, mut refused) = (Vec::new(), Vec::new());
		for (i, p) in committers.into_iter().enumerate() {
			if picked.contains(&i) {
				admitted.push(p);
			} else {
				Self::refuse_output(task, &p);
				refused.push(p);
			}
		}
		info.commits = admitted.len() as u32;
		Committers::<T>::insert(task, BoundedVec::truncate_from(admitted.clone()));
		Tasks::<T>::insert(task, info);
		Self::deposit_event(Event::OutputsAdmitted { task, admitted, refused });
	}

	/// Takes back a commitment that was not admitted: deposit and open-task slot returned.
	fn refuse_output(task: TaskId, provider: &T::AccountId) {
		let _ = T::Currency::release(
			&HoldReason::OutputDeposit.into(),
			provider,
			T::OutputDeposit::get(),
			Precision::BestEffort,
		);
		Outputs::<T>::remove(task, provider);
		Providers::<T>::mutate(provider, |p| {
			if let Some(p) = p {
				p.open_tasks = p.open_tasks.saturating_sub(1);
			}
		});
	}

	/// The most the schedule entries of one task can weigh when the hooks service them: the
	/// close of its reveal phase (with the committee draw, and the admission draw, which runs
	/// there or in its own entry, not both), its expiry and its pruning. Charged to the
	/// submitter with [`Pallet::submit_query`].
	pub fn scheduled_weight() -> Weight {
		[Action::CloseReveal, Action::Expire, Action::Prune]
			.into_iter()
			.map(Self::action_weight)
			.fold(Weight::zero(), |a, b| a.saturating_add(b))
	}

	/// The weight of [`Pallet::submit_query`]: the call's own, plus [`Pallet::scheduled_weight`].
	pub fn submit_weight(query: u32, reference: u32) -> Weight {
		T::WeightInfo::submit_query(query, reference).saturating_add(Self::scheduled_weight())
	}
}
