//! Queues of work keyed by the block it falls due: a storage double map `block -> key -> ()`
//! and a cursor, the first block that may still hold entries. They are serviced oldest block
//! first within a weight budget; an entry that does not fit stays where it is for the next
//! call, so nothing is dropped and no block has a fixed capacity. The tasks pallet's phase ends
//! and the consensus pallet's settlements are such queues.

use codec::FullCodec;
use frame_support::{
	storage::{IterableStorageDoubleMap, StorageValue},
	weights::{RuntimeDbWeight, Weight},
};
use sp_runtime::traits::{One, Saturating};

/// Puts `key` into queue `Q` at block `at`, or at `now` if `at` is earlier (the current block is
/// still serviced by `on_idle`), and moves the cursor `C` back to it if needed.
pub fn enqueue<B, K, Q, C>(at: B, now: B, key: K)
where
	B: FullCodec + Copy + PartialOrd,
	K: FullCodec,
	Q: IterableStorageDoubleMap<B, K, ()>,
	C: StorageValue<B, Query = B>,
{
	let at = if at < now { now } else { at };
	Q::insert(at, key, ());
	if at < C::get() {
		C::put(at);
	}
}

/// Services the entries of queue `Q` (cursor `C`) due by `now` while they fit in `limit`.
/// `weigh(key)` tells what running an entry costs, the reads it needs to tell included;
/// `run(key)` does the work. The first entry that does not fit goes back in place and ends the
/// call. Returns the weight used: the cursor, one read per probe, the entries run.
pub fn service<B, K, Q, C>(
	now: B,
	limit: Weight,
	db: RuntimeDbWeight,
	mut weigh: impl FnMut(&K) -> Weight,
	mut run: impl FnMut(K),
) -> Weight
where
	B: FullCodec + Copy + PartialOrd + Saturating + One,
	K: FullCodec,
	Q: IterableStorageDoubleMap<B, K, ()>,
	C: StorageValue<B, Query = B>,
{
	let mut used = db.reads_writes(1, 1);
	if !used.all_lte(limit) {
		return Weight::zero();
	}
	let probe = db.reads(1);
	let mut at = C::get();
	'blocks: while at <= now {
		let mut due = Q::drain_prefix(at);
		loop {
			if !used.saturating_add(probe).all_lte(limit) {
				break 'blocks;
			}
			used.saturating_accrue(probe);
			let Some((key, ())) = due.next() else { break };
			let w = weigh(&key);
			if !used.saturating_add(w).all_lte(limit) {
				// Back in place for the next call; the weighing read is spent.
				used.saturating_accrue(db.reads(1));
				drop(due);
				Q::insert(at, key, ());
				break 'blocks;
			}
			used.saturating_accrue(w);
			run(key);
		}
		at = at.saturating_add(One::one());
	}
	C::put(at);
	used
}

/// Entries of queue `Q` due by `now` and not serviced yet.
pub fn backlog<B, K, Q, C>(now: B) -> u32
where
	B: FullCodec + Copy + PartialOrd + Saturating + One,
	K: FullCodec,
	Q: IterableStorageDoubleMap<B, K, ()>,
	C: StorageValue<B, Query = B>,
{
	let mut at = C::get();
	let mut n = 0u32;
	while at <= now {
		n = n.saturating_add(Q::iter_key_prefix(at).count() as u32);
		at = at.saturating_add(One::one());
	}
	n
}
