//! Weights of `pallet_poq_consensus`. Bootstrap values until `scripts/benchmark.sh` regenerates
//! this file.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed by `pallet_poq_consensus`.
pub trait WeightInfo {
	fn set_price() -> Weight;
	fn commit_scores() -> Weight;
	fn reveal_scores(n: u32, ) -> Weight;
	fn settle(m: u32, n: u32, ) -> Weight;
	fn set_dimension_weights() -> Weight;
	fn set_params() -> Weight;
	fn draw_committee(c: u32, ) -> Weight;
	fn prune_results(r: u32, ) -> Weight;
}

/// Bootstrap weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_price() -> Weight { Weight::from_parts(50_000_000, 10_000) }
	fn commit_scores() -> Weight { Weight::from_parts(50_000_000, 10_000) }
	fn reveal_scores(n: u32, ) -> Weight { Weight::from_parts(50_000_000 + 5_000_000 * n as u64, 10_000) }
	fn settle(m: u32, n: u32, ) -> Weight { Weight::from_parts(100_000_000 + 20_000_000 * (m as u64) * (n as u64 + 1), 100_000) }
	fn set_dimension_weights() -> Weight { Weight::from_parts(20_000_000, 1_000) }
	fn set_params() -> Weight { Weight::from_parts(20_000_000, 1_000) }
	fn draw_committee(c: u32, ) -> Weight { Weight::from_parts(100_000_000 + 10_000_000 * c as u64, 100_000) }
	fn prune_results(r: u32, ) -> Weight { Weight::from_parts(10_000_000 + 10_000_000 * r as u64, 10_000) }
}

impl WeightInfo for () {
	fn set_price() -> Weight { Weight::zero() }
	fn commit_scores() -> Weight { Weight::zero() }
	fn reveal_scores(_n: u32, ) -> Weight { Weight::zero() }
	fn settle(_m: u32, _n: u32, ) -> Weight { Weight::zero() }
	fn set_dimension_weights() -> Weight { Weight::zero() }
	fn set_params() -> Weight { Weight::zero() }
	fn draw_committee(_c: u32, ) -> Weight { Weight::zero() }
	fn prune_results(_r: u32, ) -> Weight { Weight::zero() }
}
