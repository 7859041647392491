//! Chain specifications built into the node: `dev`, `local`, `local3` and `local4`.

use poq_runtime::WASM_BINARY;
use sc_service::ChainType;

/// A chain spec whose genesis is built by the runtime (genesis presets).
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm binary is not available: rebuild the node without SKIP_WASM_BUILD"
			.to_string()
	})
}

/// Token properties shown by wallets.
fn properties() -> sc_service::Properties {
	let mut p = sc_service::Properties::new();
	p.insert("tokenSymbol".into(), "POQ".into());
	p.insert("tokenDecimals".into(), 12.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

/// The single-validator development chain (Alice), from the runtime's `development` preset.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Proof-of-Quality Development")
		.with_id("poq_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The two-validator local testnet (Alice and Bob), from the runtime's `local_testnet` preset.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Proof-of-Quality Local Testnet")
		.with_id("poq_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The three-validator local testnet (Alice, Bob and Charlie), from the runtime's `local_three`
/// preset: the network of the validator-set scenario (`zombienet/validators.toml`).
pub fn local_three_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Proof-of-Quality Local Testnet (three validators)")
		.with_id("poq_local_three")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(poq_runtime::genesis_config_presets::LOCAL_THREE_PRESET)
		.with_properties(properties())
		.build())
}

/// The four-validator local testnet (Alice, Bob, Charlie and Dave), from the runtime's
/// `local_four` preset: the network of the evaluator scenario (`zombienet/evaluators.toml`),
/// which keeps finalizing with one validator down.
pub fn local_four_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Proof-of-Quality Local Testnet (four validators)")
		.with_id("poq_local_four")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(poq_runtime::genesis_config_presets::LOCAL_FOUR_PRESET)
		.with_properties(properties())
		.build())
}
