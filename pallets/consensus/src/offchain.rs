//! The evaluator's off-chain worker: score the outputs of the tasks a local evaluator key is
//! assigned to, commit, keep the salt and the scores in persistent off-chain storage, reveal.
//!
//! For every local key of [`Config::AuthorityId`] (the `poqe` key type, part of the session
//! keys) and every task whose committee holds the evaluator it scores for (the key's own
//! account, or the owner that registered it as its scoring key, `evaluators.setScoringKey`):
//! - in the commit window, unless already committed on chain: score every output once through
//!   the node's scoring engine ([`poq_primitives::poq_scoring::score`]), draw a salt from the
//!   node's randomness, store `(reports, model set, salt)` under a persistent key, and submit
//!   `commit_scores` as a signed transaction;
//! - in the reveal window, if committed on chain and not yet revealed: read the stored entry
//!   (it survives a node restart) and submit `reveal_scores`; once the reveal is on chain the
//!   entry is removed.
//!
//! The worker acts in the first block it can: its transaction lands in the next block at the
//! earliest, so it judges the windows at `now + 1`. When the last member's commitment closes
//! the commit window early, the worker of that block already reveals; tasks are taken in the
//! order of their commit deadlines, so that a burst is scored oldest first.
//!
//! One commitment per task and member, whatever the timing: the scored entry is stored only if
//! none is stored yet (a compare-and-set), before its commitment is sent, and never replaced
//! until the reveal is on chain. A second scoring run (a worker of a later block, once the
//! per-task lock expired during a slow scoring) finds the first entry, or loses the race to
//! store its own and takes the winner's; either way the commitment on chain and the stored salt
//! agree. A transaction that has not landed is sent again by the next block's worker while its
//! window is open ([`RESUBMIT_AFTER`]), with the nonce of the first attempt as long as the
//! chain has not used it: a copy of a transaction still in the pool is refused there, one that
//! was dropped is replaced.
//! Several tasks settle in the same windows, and workers of consecutive blocks overlap while a
//! burst is scored, so transactions of one account are numbered by the workers themselves,
//! under a lock: the next nonce is kept in off-chain storage while the last submission is
//! recent ([`NONCE_FRESH_MS`]), then taken from the chain again.

use super::*;
use frame_system::offchain::{Account, CreateSignedTransaction, Signer, SubmitTransaction};
use sp_runtime::traits::One;
use sp_runtime::offchain::{
	storage::StorageValueRef,
	storage_lock::{BlockAndTime, StorageLock, Time},
	Duration,
};

/// Blocks after which an unconfirmed submission is sent again (with its first nonce while the
/// chain has not used it, so that a copy of a transaction still in the pool is refused there).
pub const RESUBMIT_AFTER: u32 = 1;

/// How long (ms) the nonce a worker kept after its last submission is trusted over the chain's.
pub const NONCE_FRESH_MS: u64 = 18_000;

/// How long (ms) one worker starts scoring new tasks; later ones are left to the next block's
/// worker, which sees fresher state (the node runs at most one worker per core at a time).
pub const SCORING_BUDGET_MS: u64 = 5_000;

/// What an evaluator node keeps between its commit and its reveal.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub struct PendingScores<BlockNumber, Nonce> {
	/// The reports committed to.
	pub reports: Vec<ScoreReport>,
	/// The model set that produced them.
	pub model_set: H256,
	/// The salt of the commitment.
	pub salt: [u8; 32],
	/// Block at which `commit_scores` was last submitted.
	pub commit_sent: Option<BlockNumber>,
	/// Block at which `reveal_scores` was last submitted.
	pub reveal_sent: Option<BlockNumber>,
	/// Nonce of the first `commit_scores` submission.
	pub commit_nonce: Option<Nonce>,
	/// Nonce of the first `reveal_scores` submission.
	pub reveal_nonce: Option<Nonce>,
}

/// The pending scores of this configuration.
pub type PendingOf<T> = PendingScores<BlockNumberFor<T>, <T as frame_system::Config>::Nonce>;

/// Persistent off-chain storage key of the pending scores of `who` in `task`.
pub fn pending_key<AccountId: Encode>(task: TaskId, who: &AccountId) -> Vec<u8> {
	(b"poq-consensus/pending", task, who).encode()
}

fn millis() -> u64 {
	sp_io::offchain::timestamp().unix_millis()
}

impl<T: Config> Pallet<T> {
	/// The off-chain worker's work at block `now` (see the module docs).
	pub(crate) fn evaluate_offchain(now: BlockNumberFor<T>) {
		let signer = Signer::<T, T::AuthorityId>::all_accounts();
		if !signer.can_sign() {
			return;
		}
		// Each local key with the evaluator it scores for (itself, or the owner of the key).
		let locals: Vec<(Account<T>, T::AccountId)> = signer
			.accounts_from_keys()
			.filter_map(|a| T::Evaluators::scorer_of(&a.id).map(|owner| (a, owner)))
			.collect();
		let mut mine: Vec<(TaskId, RoundOf<T>)> = Rounds::<T>::iter()
			.filter(|(_, round)| {
				round.committee.iter().any(|(m, _)| locals.iter().any(|(_, o)| o == m))
			})
			.collect();
		// Earliest deadline first: a burst is scored in the order its windows close.
		mine.sort_by(|a, b| (a.1.commit_ends, a.0).cmp(&(b.1.commit_ends, b.0)));
		// This worker sees the state of block `now`: it stops scoring new tasks once that state
		// is about a block old, and leaves them to the next block's worker.
		let deadline = millis().saturating_add(SCORING_BUDGET_MS);
		for (task, round) in mine {
			for (account, owner) in &locals {
				if round.committee.iter().any(|(m, _)| m == owner) {
					Self::evaluate_task(now, task, &round, account, owner, deadline);
				}
			}
		}
	}

	fn evaluate_task(
		now: BlockNumberFor<T>,
		task: TaskId,
		round: &RoundOf<T>,
		account: &Account<T>,
		who: &T::AccountId,
		deadline: u64,
	) {
		let key = pending_key(task, who);
		let mut store = StorageValueRef::persistent(&key);
		let mut lock_key = key.clone();
		lock_key.extend_from_slice(b"/lock");
		let mut lock = StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
			&lock_key,
			1,
			Duration::from_millis(30_000),
		);
		let Ok(_guard) = lock.try_lock() else { return };
		let pending: Option<PendingOf<T>> = store.get().ok().flatten();
		let recent = |sent: Option<BlockNumberFor<T>>| sent.is_some_and(|b| now < b.saturating_add(RESUBMIT_AFTER.into()));
		// The earliest block a transaction submitted now can land in.
		let lands = now.saturating_add(One::one());

		if Reveals::<T>::contains_key(task, who) {
			if pending.is_some() {
				store.clear();
			}
			return;
		}
		let committed = Commits::<T>::contains_key(task, who);
		if lands < round.commit_ends && !committed {
			let mut p = match pending {
				Some(p) => p,
				None if millis() > deadline => return,
				None => match Self::score_offchain(task) {
					// Another run may have stored its entry meanwhile: that one is kept.
					Ok(p) => match Self::store_first(&key, p) {
						Some(p) => p,
						None => return,
					},
					Err(e) => {
						log::warn!(target: "poq-ocw", "task {task}: cannot score: {e}");
						return;
					},
				},
			};
			if recent(p.commit_sent) {
				return;
			}
			let commitment = poq_primitives::commitment::scores(who, task, &p.reports, &p.model_set, &p.salt);
			// Stored before sending: a restart after the commit still finds the salt.
			p.commit_sent = Some(now);
			let reuse = p.commit_nonce;
			match Self::submit(account, Call::commit_scores { task, commitment }, reuse) {
				Ok(nonce) => {
					p.commit_nonce = Some(nonce);
					log::info!(target: "poq-ocw", "task {task}: commit_scores submitted at block {now:?}")
				},
				Err(()) => log::warn!(target: "poq-ocw", "task {task}: commit_scores could not be submitted"),
			}
			store.set(&p);
		} else if committed && lands >= round.commit_ends && lands < round.reveal_ends {
			let Some(mut p) = pending else {
				log::error!(target: "poq-ocw", "task {task}: committed but no stored scores to reveal (off-chain storage lost?)");
				return;
			};
			if recent(p.reveal_sent) {
				return;
			}
			p.reveal_sent = Some(now);
			let call = Call::reveal_scores {
				task,
				reports: p.reports.clone(),
				model_set: p.model_set,
				salt: p.salt,
			};
			match Self::submit(account, call, p.reveal_nonce) {
				Ok(nonce) => {
					p.reveal_nonce = Some(nonce);
					log::info!(target: "poq-ocw", "task {task}: reveal_scores submitted at block {now:?}")
				},
				Err(()) => log::warn!(target: "poq-ocw", "task {task}: reveal_scores could not be submitted"),
			}
			store.set(&p);
		}
	}

	/// Stores `p` under `key` unless an entry is stored already (compare-and-set); returns the
	/// entry that is stored now (`p`, or the one that was there), `None` if storage fails.
	pub(crate) fn store_first(key: &[u8], p: PendingOf<T>) -> Option<PendingOf<T>> {
		let store = StorageValueRef::persistent(key);
		let stored = store.mutate::<PendingOf<T>, (), _>(|old| match old {
			Ok(Some(existing)) => Ok(existing),
			_ => Ok(p.clone()),
		});
		match stored {
			Ok(p) => Some(p),
			// Lost a concurrent write: the winner's entry is the one to use.
			Err(_) => store.get::<PendingOf<T>>().ok().flatten(),
		}
	}

	/// Signs `call` for `account` and submits it; returns its nonce. `reuse` is the nonce of an
	/// earlier attempt of the same call: it is used again while the chain has not used it.
	/// Otherwise the call is numbered after the transactions the workers submitted for the
	/// account while the last of them is recent ([`NONCE_FRESH_MS`]).
	fn submit(account: &Account<T>, call: Call<T>, reuse: Option<T::Nonce>) -> Result<T::Nonce, ()> {
		let key = (b"poq-consensus/nonce", &account.id).encode();
		let mut lock_key = key.clone();
		lock_key.extend_from_slice(b"/lock");
		// Workers of overlapping blocks number their transactions one at a time.
		let mut lock = StorageLock::<Time>::with_deadline(&lock_key, Duration::from_millis(5_000));
		let _guard = lock.lock();
		let store = StorageValueRef::persistent(&key);
		let chain = frame_system::Pallet::<T>::account_nonce(&account.id);
		let now_ms = millis();
		let kept = store.get::<(u64, T::Nonce)>().ok().flatten();
		let fresh = match kept {
			Some((at, next)) if now_ms <= at.saturating_add(NONCE_FRESH_MS) && next > chain => next,
			_ => chain,
		};
		let nonce = match reuse {
			Some(n) if n >= chain => n,
			_ => fresh,
		};
		let xt = <T as CreateSignedTransaction<Call<T>>>::create_signed_transaction::<T::AuthorityId>(
			call.into(),
			account.public.clone(),
			account.id.clone(),
			nonce,
		)
		.ok_or(())?;
		SubmitTransaction::<T, Call<T>>::submit_transaction(xt)?;
		if nonce >= fresh {
			store.set(&(now_ms, nonce + One::one()));
		}
		Ok(nonce)
	}

	/// Scores every output of `task` with the node's engine and draws a salt.
	fn score_offchain(task: TaskId) -> Result<PendingOf<T>, alloc::string::String> {
		let view = T::Tasks::scoring_view(task).ok_or("the task is not scoring")?;
		let texts = T::Tasks::texts(task).ok_or("the task's texts are gone")?;
		let request = poq_primitives::ScoringRequest {
			family: view.family,
			query: texts.query,
			reference: texts.reference,
			outputs: texts.outputs,
		};
		let started = millis();
		let response = poq_primitives::poq_scoring::score(request)
			.map_err(|e| alloc::string::String::from_utf8_lossy(&e).into_owned())?;
		if response.reports.len() != view.outputs.len() {
			return Err("the engine returned a report count that differs from the outputs".into());
		}
		log::info!(
			target: "poq-ocw",
			"task {task}: scored {} outputs in {} ms (model set {:?})",
			response.reports.len(),
			millis().saturating_sub(started),
			response.model_set
		);
		if !AcceptedModelSets::<T>::contains_key(response.model_set) {
			log::warn!(
				target: "poq-ocw",
				"task {task}: this node's model set {:?} is not accepted on chain (consensus.acceptedModelSets): its reveals are left out of the consensus and earn nothing; install an accepted set",
				response.model_set
			);
		}
		Ok(PendingScores {
			reports: response.reports,
			model_set: response.model_set,
			salt: sp_io::offchain::random_seed(),
			commit_sent: None,
			reveal_sent: None,
			commit_nonce: None,
			reveal_nonce: None,
		})
	}
}
