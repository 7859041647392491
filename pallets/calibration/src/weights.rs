//! Weights of `pallet_poq_calibration`. Replaced by `scripts/benchmark.sh pallet_poq_calibration`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet_poq_calibration`.
pub trait WeightInfo {
	fn add_gold_poster() -> Weight;
	fn remove_gold_poster() -> Weight;
	fn commit_gold() -> Weight;
	fn reveal_gold() -> Weight;
	fn cancel_gold() -> Weight;
	fn set_params() -> Weight;
	fn pin_dimension() -> Weight;
	fn gate() -> Weight;
}

impl WeightInfo for () {
	fn add_gold_poster() -> Weight { Weight::zero() }
	fn remove_gold_poster() -> Weight { Weight::zero() }
	fn commit_gold() -> Weight { Weight::zero() }
	fn reveal_gold() -> Weight { Weight::zero() }
	fn cancel_gold() -> Weight { Weight::zero() }
	fn set_params() -> Weight { Weight::zero() }
	fn pin_dimension() -> Weight { Weight::zero() }
	fn gate() -> Weight { Weight::zero() }
}
