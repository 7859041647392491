//! Decoding and dispatch of the project's calls: the input is a sequence of
//! `(origin byte, SCALE-encoded RuntimeCall)`; every call of the project's pallets (tasks,
//! evaluators, consensus, calibration, validator set) that decodes is dispatched from the origin
//! the byte names (root, none, or one of the dev accounts), on the dev chain's genesis, with the
//! pallets' hooks between blocks. Nothing may panic, and every project pallet's invariants
//! must hold at the end (through the runtime's `try-runtime` feature: its `try_state` hooks).
#![no_main]

use codec::DecodeLimit;
use frame_support::traits::{Hooks, OnIdle, TryState, TryStateSelect};
use libfuzzer_sys::fuzz_target;
use poq_runtime::{AllPalletsWithSystem, Consensus, RuntimeCall, RuntimeOrigin, System, Tasks};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, BuildStorage, Storage};
use std::sync::OnceLock;

/// The dev chain's genesis storage, built once.
fn genesis() -> &'static Storage {
	static GENESIS: OnceLock<Storage> = OnceLock::new();
	GENESIS.get_or_init(|| {
		let patch = poq_runtime::genesis_config_presets::get_preset(&"development".into()).expect("dev preset");
		let mut full = serde_json::to_value(poq_runtime::RuntimeGenesisConfig::default()).unwrap();
		merge(&mut full, serde_json::from_slice(&patch).unwrap());
		let config: poq_runtime::RuntimeGenesisConfig = serde_json::from_value(full).expect("genesis config");
		config.build_storage().expect("genesis builds")
	})
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) =>
			for (k, v) in p {
				merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			},
		(b, p) => *b = p,
	}
}

fn origin(byte: u8) -> RuntimeOrigin {
	let accounts = [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	];
	match byte % 8 {
		0 => RuntimeOrigin::root(),
		1 => RuntimeOrigin::none(),
		k => RuntimeOrigin::signed(accounts[(k as usize - 2) % accounts.len()].to_account_id()),
	}
}

fn is_project_call(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::Tasks(_) |
			RuntimeCall::Evaluators(_) |
			RuntimeCall::Consensus(_) |
			RuntimeCall::Calibration(_) |
			RuntimeCall::ValidatorSet(_)
	)
}

fn next_block() {
	let now = System::block_number();
	AllPalletsWithSystem::on_idle(now, frame_support::weights::Weight::from_parts(u64::MAX / 4, u64::MAX / 4));
	let next = now + 1;
	System::set_block_number(next);
	Tasks::on_initialize(next);
	Consensus::on_initialize(next);
}

fuzz_target!(|data: &[u8]| {
	let mut ext = sp_io::TestExternalities::new(genesis().clone());
	ext.execute_with(|| {
		System::set_block_number(1);
		let mut input = data;
		let mut calls = 0;
		while let Some((&byte, rest)) = input.split_first() {
			input = rest;
			let Ok(call) = RuntimeCall::decode_with_depth_limit(32, &mut input) else { break };
			if is_project_call(&call) {
				let _ = call.dispatch(origin(byte));
			}
			// The high bit ends the block.
			if byte & 0x80 != 0 {
				next_block();
			}
			calls += 1;
			if calls >= 64 {
				break;
			}
		}
		next_block();
		// The runtime's `try-runtime` hooks of the project's pallets: their `do_try_state`.
		let pallets = ["Tasks", "Evaluators", "Consensus", "Calibration", "ValidatorSet"];
		let select = TryStateSelect::Only(pallets.iter().map(|p| p.as_bytes().to_vec()).collect());
		AllPalletsWithSystem::try_state(System::block_number(), select).expect("invariants hold");
	});
});
