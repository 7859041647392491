//! Runtime tests, apart from the runtime's code: `presets` for the genesis presets, governance
//! origins and pallet wiring, `session` for BABE-driven sessions and the governed validator set.

mod presets;
mod session;
