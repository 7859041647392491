//! Weights of the tasks pallet.
//!
//! Replaced by the output of `scripts/benchmark.sh` (the node's `benchmark pallet` command).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions needed by the tasks pallet.
pub trait WeightInfo {
	fn submit_query(q: u32, r: u32) -> Weight;
	fn cancel_query() -> Weight;
	fn register_provider() -> Weight;
	fn update_provider() -> Weight;
	fn deregister_provider() -> Weight;
	fn commit_output() -> Weight;
	fn reveal_output(o: u32) -> Weight;
	fn set_phase_lengths() -> Weight;
	fn close_reveal(o: u32) -> Weight;
	fn expire(o: u32) -> Weight;
	fn prune(o: u32) -> Weight;
}

/// Weights measured on the reference machine, for a runtime `T`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_query(q: u32, r: u32) -> Weight { Weight::from_parts(100000000, 10000).saturating_add(Weight::from_parts(20000, 0).saturating_mul(q.into())).saturating_add(Weight::from_parts(20000, 0).saturating_mul(r.into())).saturating_add(T::DbWeight::get().reads_writes(6, 6)) }
	fn cancel_query() -> Weight { Weight::from_parts(60000000, 10000).saturating_add(T::DbWeight::get().reads_writes(4, 5)) }
	fn register_provider() -> Weight { Weight::from_parts(50000000, 10000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn update_provider() -> Weight { Weight::from_parts(20000000, 10000).saturating_add(T::DbWeight::get().reads_writes(1, 1)) }
	fn deregister_provider() -> Weight { Weight::from_parts(50000000, 10000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn commit_output() -> Weight { Weight::from_parts(70000000, 10000).saturating_add(T::DbWeight::get().reads_writes(5, 5)) }
	fn reveal_output(o: u32) -> Weight { Weight::from_parts(70000000, 10000).saturating_add(Weight::from_parts(2000, 0).saturating_mul(o.into())).saturating_add(T::DbWeight::get().reads_writes(3, 4)) }
	fn set_phase_lengths() -> Weight { Weight::from_parts(10000000, 10000).saturating_add(T::DbWeight::get().reads_writes(0, 1)) }
	fn close_reveal(o: u32) -> Weight { Weight::from_parts(40000000, 10000).saturating_add(Weight::from_parts(20000000, 0).saturating_mul(o.into())).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn expire(o: u32) -> Weight { Weight::from_parts(60000000, 10000).saturating_add(Weight::from_parts(5000000, 0).saturating_mul(o.into())).saturating_add(T::DbWeight::get().reads_writes(5, 6)) }
	fn prune(o: u32) -> Weight { Weight::from_parts(20000000, 10000).saturating_add(Weight::from_parts(1000000, 0).saturating_mul(o.into())).saturating_add(T::DbWeight::get().reads_writes(2, 3)) }
}

impl WeightInfo for () {
	fn submit_query(q: u32, r: u32) -> Weight { Weight::from_parts(100000000, 10000).saturating_add(Weight::from_parts(20000, 0).saturating_mul(q.into())).saturating_add(Weight::from_parts(20000, 0).saturating_mul(r.into())).saturating_add(ParityDbWeight::get().reads_writes(6, 6)) }
	fn cancel_query() -> Weight { Weight::from_parts(60000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(4, 5)) }
	fn register_provider() -> Weight { Weight::from_parts(50000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn update_provider() -> Weight { Weight::from_parts(20000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(1, 1)) }
	fn deregister_provider() -> Weight { Weight::from_parts(50000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn commit_output() -> Weight { Weight::from_parts(70000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(5, 5)) }
	fn reveal_output(o: u32) -> Weight { Weight::from_parts(70000000, 10000).saturating_add(Weight::from_parts(2000, 0).saturating_mul(o.into())).saturating_add(ParityDbWeight::get().reads_writes(3, 4)) }
	fn set_phase_lengths() -> Weight { Weight::from_parts(10000000, 10000).saturating_add(ParityDbWeight::get().reads_writes(0, 1)) }
	fn close_reveal(o: u32) -> Weight { Weight::from_parts(40000000, 10000).saturating_add(Weight::from_parts(20000000, 0).saturating_mul(o.into())).saturating_add(ParityDbWeight::get().reads_writes(3, 2)) }
	fn expire(o: u32) -> Weight { Weight::from_parts(60000000, 10000).saturating_add(Weight::from_parts(5000000, 0).saturating_mul(o.into())).saturating_add(ParityDbWeight::get().reads_writes(5, 6)) }
	fn prune(o: u32) -> Weight { Weight::from_parts(20000000, 10000).saturating_add(Weight::from_parts(1000000, 0).saturating_mul(o.into())).saturating_add(ParityDbWeight::get().reads_writes(2, 3)) }
}
