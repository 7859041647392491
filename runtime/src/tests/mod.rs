//! Runtime tests, apart from the runtime's code: `presets` for the genesis presets, governance
//! origins and pallet wiring, `session` for BABE-driven sessions and the governed validator
//! set, `upgrade` for the storage migrations.

mod presets;
mod session;
mod upgrade;
