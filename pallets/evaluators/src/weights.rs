//! Weights of the evaluators pallet.
//!
//! Replaced by the output of `scripts/benchmark.sh` (the node's `benchmark pallet` command).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions needed by the evaluators pallet.
pub trait WeightInfo {
	fn bond() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded(c: u32) -> Weight;
	fn rebond(c: u32) -> Weight;
	fn activate() -> Weight;
	fn chill() -> Weight;
	fn set_trust_bounds() -> Weight;
	fn slash(c: u32) -> Weight;
}

/// Weights measured on the reference machine, for a runtime `T`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn bond() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn bond_extra() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn unbond() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn withdraw_unbonded(c: u32) -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn rebond(c: u32) -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(T::DbWeight::get().reads_writes(1, 1)) }
	fn activate() -> Weight { Weight::from_parts(40_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn chill() -> Weight { Weight::from_parts(40_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn set_trust_bounds() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
	fn slash(c: u32) -> Weight { Weight::from_parts(80_000_000, 8000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(T::DbWeight::get().reads_writes(5, 5)) }
}

impl WeightInfo for () {
	fn bond() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn bond_extra() -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn unbond() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn withdraw_unbonded(c: u32) -> Weight { Weight::from_parts(60_000_000, 4000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn rebond(c: u32) -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(ParityDbWeight::get().reads_writes(1, 1)) }
	fn activate() -> Weight { Weight::from_parts(40_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn chill() -> Weight { Weight::from_parts(40_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn set_trust_bounds() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(1)) }
	fn slash(c: u32) -> Weight { Weight::from_parts(80_000_000, 8000).saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(c.into())).saturating_add(ParityDbWeight::get().reads_writes(5, 5)) }
}
