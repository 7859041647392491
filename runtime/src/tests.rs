//! Runtime tests: genesis presets, governance origins, pallet wiring.

use crate::{
	configs::{RootOrTwoThirdsCouncil, TreasuryAccount},
	genesis_config_presets, AccountId, Balances, CouncilCollective, Runtime, RuntimeCall,
	RuntimeGenesisConfig, RuntimeOrigin, Sudo, System,
};
use frame_support::{
	assert_ok,
	genesis_builder_helper::build_state,
	traits::{fungible::Inspect, EnsureOrigin, UnfilteredDispatchable},
};
use sp_keyring::Sr25519Keyring;

/// `patch` merged into `base`: objects recursively, anything else replaced (what the node does
/// with a preset).
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) =>
			for (k, v) in p {
				merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			},
		(b, p) => *b = p,
	}
}

/// Externalities with the genesis state of the named preset.
fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&name.into()).expect("preset exists");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut full, serde_json::from_slice(&patch).unwrap());
	let json = serde_json::to_vec(&full).unwrap();
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
	ext
}

#[test]
fn both_presets_build_and_unknown_names_do_not() {
	for name in genesis_config_presets::preset_names() {
		let name = String::from_utf8(name.into()).unwrap();
		preset_ext(&name);
	}
	assert!(genesis_config_presets::get_preset(&"no-such-preset".into()).is_none());
}

#[test]
fn dev_genesis_seats_the_council_funds_the_treasury_and_sets_sudo() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let mut members = pallet_collective::Members::<Runtime, CouncilCollective>::get();
		members.sort();
		let mut expected: Vec<AccountId> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.iter()
			.map(|k| k.to_account_id())
			.collect();
		expected.sort();
		assert_eq!(members, expected);
		assert!(Balances::balance(&TreasuryAccount::get()) > 0);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
	});
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
	});
}

#[test]
fn governed_parameters_need_root_or_two_thirds_of_the_council() {
	let two_of_three: RuntimeOrigin =
		pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(2, 3).into();
	let one_of_three: RuntimeOrigin =
		pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(1, 3).into();
	assert!(RootOrTwoThirdsCouncil::try_origin(two_of_three.clone()).is_ok());
	assert!(RootOrTwoThirdsCouncil::try_origin(RuntimeOrigin::root()).is_ok());
	assert!(RootOrTwoThirdsCouncil::try_origin(one_of_three.clone()).is_err());
	assert!(RootOrTwoThirdsCouncil::try_origin(RuntimeOrigin::signed(
		Sr25519Keyring::Alice.to_account_id()
	))
	.is_err());

	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let lengths = pallet_poq_tasks::PhaseLengths { answer: 7, reveal: 7, scoring: 7 };
		let call = pallet_poq_tasks::Call::<Runtime>::set_phase_lengths { lengths };
		assert!(RuntimeCall::from(call.clone()).dispatch_bypass_filter(one_of_three).is_err());
		assert_ok!(RuntimeCall::from(call).dispatch_bypass_filter(two_of_three));
		assert_eq!(pallet_poq_tasks::Phases::<Runtime>::get(), lengths);
	});
}

#[test]
fn sudo_can_reach_governed_calls_on_dev() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let bounds = pallet_poq_evaluators::TrustBounds {
			min: sp_runtime::Perbill::from_percent(2),
			initial: sp_runtime::Perbill::from_percent(40),
			max: sp_runtime::Perbill::from_percent(90),
		};
		let call: RuntimeCall =
			pallet_poq_evaluators::Call::<Runtime>::set_trust_bounds { bounds }.into();
		assert_ok!(Sudo::sudo(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			Box::new(call)
		));
		assert_eq!(pallet_poq_evaluators::Bounds::<Runtime>::get(), bounds);
		// The membership pallet initialised the council.
		assert_eq!(pallet_membership::Members::<Runtime, crate::CouncilMembershipInstance>::get().len(), 3);
	});
}
