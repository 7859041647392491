//! The tasks pallet's tests, apart from its production code: `mock` holds the mock runtime and
//! `test`, which runs a closure and checks the pallet's `try_state` afterwards; `unit` holds
//! the tests of every call and error path; `admission` those of output admission and of output
//! deposits at settlement.

pub mod mock;

mod admission;
mod unit;
