//! Genesis presets: `development` (one validator, Alice), `local_testnet` (Alice and Bob),
//! `local_three` (Alice, Bob and Charlie) and `local_four` (Alice, Bob, Charlie and Dave).
//!
//! Every preset accepts the scoring engine's default model set (`offchain-worker/models.lock`)
//! as `poq-default` at the runtime's crate version, and registers the inference models of the
//! demo and the tests ([`DEV_MODELS`]).
//!
//! Each validator gets session keys (BABE, GRANDPA and the evaluator key, all from its dev
//! seed) and a seat in the governed validator set; the minimum set size is the genesis size, at
//! most 2 (removals never leave fewer). The presets fund the well-known dev accounts, make Alice sudo and seat Alice, Bob and
//! Charlie on the council.

use crate::{
	AccountId, BalancesConfig, RuntimeGenesisConfig, SessionKeys, SudoConfig,
	BABE_GENESIS_EPOCH_CONFIG, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each endowed dev account at genesis.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;

/// The preset name of the three-validator local testnet.
pub const LOCAL_THREE_PRESET: &str = "local_three";

/// The preset name of the four-validator local testnet.
pub const LOCAL_FOUR_PRESET: &str = "local_four";

/// The lock of the scoring engine's default model set, compiled in.
pub const MODELS_LOCK: &str = include_str!("../../offchain-worker/models.lock");

/// Name under which every preset accepts the default model set.
pub const DEFAULT_MODEL_SET_NAME: &str = "poq-default";

/// The inference models every preset registers, as `(name, version)`: those the demo's,
/// the end-to-end tests' and the load test's inference nodes declare (`tests/e2e/lib/poq.mjs`).
pub const DEV_MODELS: [(&str, &str); 6] = [
	("good-model", "1"),
	("wrong-model", "1"),
	("offtopic-model", "1"),
	("degenerate-model", "1"),
	("poor-model", "1"),
	("e2e-model", "1"),
];

/// The hash of the default model set ([`poq_primitives::model_set_identity`] of
/// `offchain-worker/models.lock`): what an evaluator node with the default models reports.
pub fn default_model_set() -> sp_core::H256 {
	poq_primitives::model_set_identity(MODELS_LOCK)
}

/// A validator of a preset: its account and its session keys.
type Authority = (AccountId, BabeId, GrandpaId, poq_primitives::crypto::Public);

/// A genesis configuration as a JSON patch over the runtime's default genesis.
fn testnet_genesis(
	initial_authorities: Vec<Authority>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
	council: Vec<AccountId>,
	min_committee: Option<u32>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		babe: pallet_babe::GenesisConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: pallet_session::GenesisConfig {
			keys: initial_authorities
				.iter()
				.map(|(who, babe, grandpa, evaluator)| {
					let keys = SessionKeys {
						babe: babe.clone(),
						grandpa: grandpa.clone(),
						evaluator: evaluator.clone(),
					};
					(who.clone(), who.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		validator_set: pallet_poq_validators::GenesisConfig {
			validators: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
			min_validators: initial_authorities.len().min(2) as u32,
		},
		sudo: SudoConfig { key: Some(root) },
		consensus: pallet_poq_consensus::GenesisConfig {
			model_sets: vec![(
				default_model_set(),
				DEFAULT_MODEL_SET_NAME.as_bytes().to_vec(),
				env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
			)],
			min_committee,
		},
		tasks: pallet_poq_tasks::GenesisConfig {
			models: DEV_MODELS
				.iter()
				.map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
				.collect::<Vec<_>>(),
		},
		council_membership: pallet_membership::GenesisConfig {
			members: council.try_into().expect("the dev council fits CouncilMaxMembers; qed"),
		},
	})
}

/// The account, BABE (sr25519), GRANDPA (ed25519) and evaluator (sr25519) keys of a well-known
/// dev account: what `--alice` and friends put in a keystore.
fn authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Authority {
	(sr.to_account_id(), sr.public().into(), ed.public().into(), sr.public().into())
}

fn dev_council() -> Vec<AccountId> {
	vec![
		Sr25519Keyring::Alice.to_account_id(),
		Sr25519Keyring::Bob.to_account_id(),
		Sr25519Keyring::Charlie.to_account_id(),
	]
}

/// The dev accounts, plus the treasury account (so that slashes can always land there).
fn endowed() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.chain(core::iter::once(crate::configs::TreasuryAccount::get()))
		.collect()
}

/// The `development` preset: Alice authors and finalizes alone.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_council(),
		Some(1),
	)
}

/// The `local_testnet` preset: Alice and Bob author and finalize.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		endowed(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_council(),
		None,
	)
}

/// The `local_three` preset: Alice, Bob and Charlie author and finalize (all three are needed
/// for finality: the network of the validator-set scenario).
pub fn local_three_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		endowed(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_council(),
		None,
	)
}

/// The `local_four` preset: Alice, Bob, Charlie and Dave author and finalize; any three of
/// them finalize (the network of the evaluator scenario, which stops one validator).
pub fn local_four_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		endowed(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_council(),
		None,
	)
}

/// The JSON of a named preset, or `None` when the name is unknown.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		LOCAL_THREE_PRESET => local_three_config_genesis(),
		LOCAL_FOUR_PRESET => local_four_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(LOCAL_THREE_PRESET),
		PresetId::from(LOCAL_FOUR_PRESET),
	]
}
