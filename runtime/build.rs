//! Builds the runtime's WebAssembly blob (skipped with `SKIP_WASM_BUILD=1`).
fn main() {
	// The genesis presets include the default model set's lock (`include_str!`), a file outside
	// this crate: the wasm blob must be rebuilt when it changes, or a dev chain would not accept
	// the engine's model set.
	println!("cargo:rerun-if-changed=../offchain-worker/models.lock");
	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
