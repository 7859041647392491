//! Storage migrations: what the runtime does to the state of a chain started on an earlier
//! release when it takes this one.
//!
//! # Overview
//!
//! [`Migrations`] runs in `Executive` on the first block after a runtime upgrade (a new
//! `spec_version`), before any pallet hook. Every entry is a
//! [`VersionedMigration`]: it runs only when the pallet's on-chain storage version is the one
//! it migrates from, and then writes the version it migrates to, so running it again, or on
//! a chain that never held the old layout (one started from this release's genesis), does
//! nothing but read the version.
//!
//! # This release (spec_version 106)
//!
//! The previous release (spec_version 105) had no storage versions: its pallets stand at
//! version 0. Their layout is this release's, so each of the five pallets of the project
//! takes [`KeepLayout`] from 0 to 1: nothing is moved. Under `try-runtime`, its
//! `pre_upgrade` takes a [`Census`] of the pallet (every key and value under its prefix) and
//! `post_upgrade` checks that the upgrade left every one of them as it was; `try-runtime`'s
//! `try_state` then checks each pallet's invariants.
//!
//! The two pallets this release adds, [`pallet_preimage`] and [`pallet_whitelist`] (the
//! council's way to runtime upgrades), start empty on an upgraded chain: [`NewPallet`] writes
//! their in-code storage versions, as their genesis does on a new chain.
//!
//! # Rules for the next releases
//!
//! A change of a pallet's layout bumps its `STORAGE_VERSION` and adds an entry here, a
//! migration from the old version with `pre_upgrade` / `post_upgrade` checks and a weight
//! from its benchmark; entries of releases every chain has passed are removed.
//! `scripts/spec-version.sh` (run by the test command) fails when the runtime's code changed
//! and its `spec_version` did not.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration,
	traits::{
		OnGenesis, OnRuntimeUpgrade, PalletInfoAccess, StorageVersion,
		UncheckedOnRuntimeUpgrade,
	},
	weights::Weight,
};

/// The migrations of this release, in the order they run.
pub type Migrations = (
	VersionedMigration<0, 1, KeepLayout<crate::Tasks>, crate::Tasks, DbWeight>,
	VersionedMigration<0, 1, KeepLayout<crate::Evaluators>, crate::Evaluators, DbWeight>,
	VersionedMigration<0, 1, KeepLayout<crate::Consensus>, crate::Consensus, DbWeight>,
	VersionedMigration<0, 1, KeepLayout<crate::Calibration>, crate::Calibration, DbWeight>,
	VersionedMigration<0, 1, KeepLayout<crate::ValidatorSet>, crate::ValidatorSet, DbWeight>,
	NewPallet<crate::Preimage>,
	NewPallet<crate::Whitelist>,
);

/// The weights of database reads and writes (those of `frame_system::Config`).
type DbWeight = <crate::Runtime as frame_system::Config>::DbWeight;

/// A pallet's storage in two figures: how many keys lie under its prefix and a digest of all
/// of them with their values, the storage-version key aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Census {
	/// Keys under the pallet's prefix.
	pub keys: u32,
	/// `blake2_256` chained over every key and value, in key order.
	pub digest: [u8; 32],
}

/// The [`Census`] of pallet `P` in the current state (reads every key of the pallet: for
/// checks, never in a block).
pub fn census<P: PalletInfoAccess>() -> Census {
	let prefix = sp_io::hashing::twox_128(P::name().as_bytes());
	let version_key = StorageVersion::storage_key::<P>();
	let mut census = Census { keys: 0, digest: [0; 32] };
	let mut key = prefix.to_vec();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(&prefix) {
			break;
		}
		if next[..] != version_key[..] {
			let value = sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
			let mut link = Vec::with_capacity(32 + next.len() + value.len() + 8);
			link.extend_from_slice(&census.digest);
			(next.as_slice(), value.as_slice()).encode_to(&mut link);
			census.digest = sp_io::hashing::blake2_256(&link);
			census.keys += 1;
		}
		key = next;
	}
	census
}

/// `Ok` when `after` is `before`; otherwise what changed, in words.
pub fn unchanged(pallet: &str, before: Census, after: Census) -> Result<(), &'static str> {
	if before.keys != after.keys {
		log::error!(target: "runtime::migrations", "{pallet}: {} keys before, {} after", before.keys, after.keys);
		return Err("a migration that keeps the layout changed the number of a pallet's keys");
	}
	if before.digest != after.digest {
		log::error!(target: "runtime::migrations", "{pallet}: a value changed");
		return Err("a migration that keeps the layout changed a pallet's values");
	}
	Ok(())
}

/// The migration of a pallet whose layout did not change between its two versions: it moves
/// nothing (the weight is that of the version's read and write, which [`VersionedMigration`]
/// adds), and its checks prove that nothing moved.
pub struct KeepLayout<P>(PhantomData<P>);

impl<P: PalletInfoAccess> UncheckedOnRuntimeUpgrade for KeepLayout<P> {
	fn on_runtime_upgrade() -> Weight {
		log::info!(target: "runtime::migrations", "{}: layout kept", P::name());
		Weight::zero()
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		Ok(census::<P>().encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		let before = Census::decode(&mut &state[..]).map_err(|_| "undecodable census")?;
		unchanged(P::name(), before, census::<P>()).map_err(Into::into)
	}
}

/// `true` when nothing at all lies under pallet `P`'s prefix, its storage version included.
pub fn untouched<P: PalletInfoAccess>() -> bool {
	let prefix = sp_io::hashing::twox_128(P::name().as_bytes());
	sp_io::storage::next_key(&prefix).is_none_or(|k| !k.starts_with(&prefix))
}

/// A pallet added by this release: on a chain that never had it (nothing under its prefix),
/// its genesis hook writes its in-code storage version, as on a chain started with it; on
/// any other chain it does nothing.
pub struct NewPallet<P>(PhantomData<P>);

impl<P: PalletInfoAccess + OnGenesis> OnRuntimeUpgrade for NewPallet<P> {
	fn on_runtime_upgrade() -> Weight {
		if !untouched::<P>() {
			return DbWeight::get().reads(1);
		}
		P::on_genesis();
		log::info!(target: "runtime::migrations", "{}: added", P::name());
		DbWeight::get().reads_writes(1, 1)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		frame_support::ensure!(!untouched::<P>(), "a new pallet has no storage version");
		Ok(())
	}
}
