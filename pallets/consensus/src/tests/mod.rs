//! The consensus pallet's tests, apart from its production code:
//! - `mock`: the mock runtime (system, balances, the real tasks, evaluators and calibration
//!   pallets, and this pallet) and the helpers every test uses; `test` runs a closure and checks
//!   every pallet's `try_state` afterwards;
//! - `util`: the shared deterministic generator and statistics;
//! - `unit`: every call and error path, settlement, governance and pruning;
//! - `model_sets`, `security`: the registry of model sets and the attacks of `docs/security.md`;
//! - `adversarial`, `calibration`: scenarios over many tasks (the adversarial report, gold
//!   calibration);
//! - `market`: the market's attacks (trust farming, slot squatting, backlog) with their costs;
//! - `harness`: the randomised harness of arbitrary calls.

pub mod mock;

mod adversarial;
mod calibration;
mod harness;
mod market;
mod model_sets;
mod security;
mod unit;
mod util;
