//! Unit and property tests of the consensus math, apart from the math itself: `unit` for
//! aggregation, trust, rewards and the committee draw, `calibration` for the gold-task math, `settle`
//! for the steps of a settlement.

mod calibration;
mod settle;
mod unit;
