//! Runtime tests of the storage migrations ([`crate::migrations`]) on the development genesis.

use super::presets::preset_ext;
use crate::{
	migrations::{census, unchanged, untouched, Census, KeepLayout, Migrations},
	Calibration, Consensus, Evaluators, Preimage, Runtime, Tasks, ValidatorSet, Whitelist,
};
use frame_support::{
	migrations::VersionedMigration,
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, PalletInfoAccess, StorageVersion, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

type DbWeight = <Runtime as frame_system::Config>::DbWeight;

/// The census of each of the project's five pallets, in the order of [`Migrations`].
fn censuses() -> [Census; 5] {
	[census::<Tasks>(), census::<Evaluators>(), census::<Consensus>(), census::<Calibration>(), census::<ValidatorSet>()]
}

/// The on-chain storage version of each of them.
fn on_chain() -> [StorageVersion; 5] {
	[
		Tasks::on_chain_storage_version(),
		Evaluators::on_chain_storage_version(),
		Consensus::on_chain_storage_version(),
		Calibration::on_chain_storage_version(),
		ValidatorSet::on_chain_storage_version(),
	]
}

/// `n` five times.
fn all(n: u16) -> [StorageVersion; 5] {
	[StorageVersion::new(n); 5]
}

/// What a chain of the previous release holds: no storage-version keys (version 0), and none
/// of the pallets this release adds.
fn previous_release() {
	for prefix in [Preimage::name(), Whitelist::name()] {
		let _ = sp_io::storage::clear_prefix(&sp_io::hashing::twox_128(prefix.as_bytes()), None);
	}
	assert!(untouched::<Preimage>() && untouched::<Whitelist>());
	unhashed::kill(&StorageVersion::storage_key::<Tasks>());
	unhashed::kill(&StorageVersion::storage_key::<Evaluators>());
	unhashed::kill(&StorageVersion::storage_key::<Consensus>());
	unhashed::kill(&StorageVersion::storage_key::<Calibration>());
	unhashed::kill(&StorageVersion::storage_key::<ValidatorSet>());
}

/// The first key under pallet `P`'s prefix that is not its storage version.
fn first_key<P: PalletInfoAccess>() -> Vec<u8> {
	let prefix = sp_io::hashing::twox_128(P::name().as_bytes());
	let version = StorageVersion::storage_key::<P>();
	let mut key = prefix.to_vec();
	loop {
		key = sp_io::storage::next_key(&key).expect("the pallet holds a key");
		assert!(key.starts_with(&prefix), "the pallet holds a key");
		if key[..] != version[..] {
			return key;
		}
	}
}

/// An evaluator bonds, a provider registers, a user posts a query and the provider commits.
fn open_a_task() {
	use crate::{RuntimeOrigin, System, UNIT};
	use frame_support::assert_ok;
	use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
	System::set_block_number(1);
	let signed = |k: sp_keyring::Sr25519Keyring| RuntimeOrigin::signed(k.to_account_id());
	assert_ok!(Evaluators::bond(signed(Bob), 1_000 * UNIT));
	assert_ok!(Evaluators::activate(signed(Bob)));
	assert_ok!(Tasks::register_provider(signed(Charlie), b"good-model@1".to_vec(), UNIT));
	assert_ok!(Tasks::submit_query(
		signed(Alice),
		poq_primitives::TaskFamily::Qa,
		b"What is the capital of France?".to_vec(),
		None,
		10 * UNIT,
		Default::default()
	));
	let who = Charlie.to_account_id();
	let commitment = poq_primitives::commitment::output(&who, 0, b"Paris", &[3; 32]);
	assert_ok!(Tasks::commit_output(signed(Charlie), 0, commitment));
}

#[test]
fn genesis_writes_the_in_code_storage_versions() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(on_chain(), all(1));
		assert_eq!(Tasks::in_code_storage_version(), 1);
		assert_eq!(ValidatorSet::in_code_storage_version(), 1);
	});
}

#[test]
fn a_chain_of_the_previous_release_moves_to_version_1_and_keeps_every_key_and_value() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		open_a_task();
		previous_release();
		assert_eq!(on_chain(), all(0));
		let before = censuses();
		// Genesis (models, the accepted model set, the validator set) and the open task fill
		// every pallet but calibration, so the census has something to compare.
		assert!([0, 1, 2, 4].iter().all(|&i| before[i].keys > 0), "{before:?}");

		let weight = Migrations::on_runtime_upgrade();
		assert_eq!(on_chain(), all(1));
		// The new pallets stand at their in-code versions, as on a chain started with them.
		assert_eq!(Preimage::on_chain_storage_version(), Preimage::in_code_storage_version());
		assert!(!untouched::<Whitelist>());
		assert_eq!(Whitelist::on_chain_storage_version(), StorageVersion::new(0));
		for (i, (b, a)) in before.iter().zip(censuses()).enumerate() {
			assert_eq!(unchanged("pallet", *b, a), Ok(()), "pallet {i}");
		}
		assert_eq!(weight, DbWeight::get().reads_writes(1, 1).saturating_mul(7));
		Tasks::do_try_state().unwrap();
		Evaluators::do_try_state().unwrap();
		Consensus::do_try_state().unwrap();
		Calibration::do_try_state().unwrap();

		// Once more (the next upgrade before the entries are removed): a read each.
		assert_eq!(Migrations::on_runtime_upgrade(), DbWeight::get().reads(1).saturating_mul(7));
		assert_eq!(censuses(), before);
	});
}

#[test]
fn a_chain_started_on_this_release_is_left_alone() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let before = censuses();
		assert_eq!(Migrations::on_runtime_upgrade(), DbWeight::get().reads(1).saturating_mul(7));
		assert_eq!((on_chain(), censuses()), (all(1), before));
	});
}

/// A migration that claims to keep the layout and drops a key.
struct DropsAKey;
impl UncheckedOnRuntimeUpgrade for DropsAKey {
	fn on_runtime_upgrade() -> Weight {
		unhashed::kill(&first_key::<Tasks>());
		Weight::zero()
	}
}

/// A migration that claims to keep the layout and rewrites a value.
struct RewritesAValue;
impl UncheckedOnRuntimeUpgrade for RewritesAValue {
	fn on_runtime_upgrade() -> Weight {
		unhashed::put_raw(&first_key::<Tasks>(), b"rewritten");
		Weight::zero()
	}
}

#[test]
fn the_census_check_fails_a_broken_migration() {
	fn check<M: OnRuntimeUpgrade>() -> Result<(), &'static str> {
		preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			previous_release();
			// What `pre_upgrade` and `post_upgrade` of `KeepLayout` do under try-runtime.
			let before = census::<Tasks>();
			M::on_runtime_upgrade();
			unchanged("Tasks", before, census::<Tasks>())
		})
	}
	assert_eq!(check::<VersionedMigration<0, 1, KeepLayout<Tasks>, Tasks, DbWeight>>(), Ok(()));
	assert_eq!(
		check::<VersionedMigration<0, 1, DropsAKey, Tasks, DbWeight>>(),
		Err("a migration that keeps the layout changed the number of a pallet's keys")
	);
	assert_eq!(
		check::<VersionedMigration<0, 1, RewritesAValue, Tasks, DbWeight>>(),
		Err("a migration that keeps the layout changed a pallet's values")
	);
	// The storage version itself is not part of the census: writing it changes nothing.
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let before = census::<Tasks>();
		StorageVersion::new(9).put::<Tasks>();
		assert_eq!(census::<Tasks>(), before);
	});
}

/// The council's way to Root for an upgrade ([`crate::configs::upgrades`]): a two-thirds motion
/// whitelists `system.authorizeUpgrade(hash)`, one member dispatches it, once.
#[test]
fn the_council_authorizes_an_upgrade_through_the_whitelist() {
	use crate::{Council, RuntimeCall, RuntimeOrigin, System};
	use codec::Encode;
	use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
	use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
	use sp_runtime::traits::Hash;

	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let signed = |k: sp_keyring::Sr25519Keyring| RuntimeOrigin::signed(k.to_account_id());
		let code_hash = sp_core::H256::repeat_byte(7);
		let authorize = RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash });
		let call_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&authorize);
		let dispatch = |call: RuntimeCall| {
			RuntimeCall::Whitelist(pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
				call: Box::new(call),
			})
		};

		// Nobody outside the council dispatches it, and a member cannot before the motion
		// whitelisted it: the dispatch is only deferred.
		assert_noop!(
			Whitelist::dispatch_whitelisted_call_with_preimage(signed(Dave), Box::new(authorize.clone())),
			pallet_whitelist::Error::<Runtime>::DeferredDispatchNotFound
		);
		assert_ok!(Council::execute(signed(Bob), Box::new(dispatch(authorize.clone())), 1_000));
		assert!(pallet_whitelist::DeferredDispatch::<Runtime>::contains_key(call_hash));
		assert!(System::authorized_upgrade().is_none());

		// The motion: Alice proposes, Bob votes aye, two of three close it.
		let motion = RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash });
		let (len, weight) = (motion.encoded_size() as u32, motion.get_dispatch_info().call_weight);
		let motion_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&motion);
		assert_ok!(Council::propose(signed(Alice), 2, Box::new(motion), len));
		assert_ok!(Council::vote(signed(Alice), motion_hash, 0, true));
		assert_ok!(Council::vote(signed(Bob), motion_hash, 0, true));
		assert_ok!(Council::close(signed(Charlie), motion_hash, 0, weight, len));
		assert!(pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(call_hash));

		// Charlie, a member, dispatches it as Root: the chain records the authorized code.
		assert_ok!(Council::execute(signed(Charlie), Box::new(dispatch(authorize.clone())), 1_000));
		assert_eq!(System::authorized_upgrade().map(|a| a.code_hash().clone()), Some(code_hash));
		// Once: the whitelist entry and the deferral are gone.
		assert!(!pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(call_hash));
		assert!(!pallet_whitelist::DeferredDispatch::<Runtime>::contains_key(call_hash));
	});
}
