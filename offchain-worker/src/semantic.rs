//! The semantic dimension: how close an output's meaning is to what it should convey, as the
//! cosine of L2-normalised sentence embeddings, clamped to `[0, 1]`, against an **anchor**:
//! - the **reference** when the task has one;
//! - otherwise the **query**; when the query is a long source (cut into chunks for alignment),
//!   the normalised mean of its chunks' embeddings, so that the whole source counts and not only
//!   its first 128 tokens.
//!
//! Each output is compared with the anchor alone, never with the task's other outputs: two
//! outputs get the same score only when they are equally close to it, and a good answer among
//! bad ones is not pulled down by them (the earlier definition, the centroid of the other
//! outputs, did both).

use crate::embed::{cosine, normalize, DIM};

/// The anchor: the normalised mean of `embeddings` (one embedding is returned as it is).
pub fn anchor(embeddings: &[Vec<f32>]) -> Vec<f32> {
	if embeddings.len() == 1 {
		return embeddings[0].clone();
	}
	let mut c = vec![0f32; DIM];
	for e in embeddings {
		c.iter_mut().zip(e).for_each(|(a, b)| *a += b);
	}
	normalize(&mut c);
	c
}

/// The semantic score of an output embedding against the anchor.
pub fn score(output: &[f32], anchor: &[f32]) -> f32 {
	cosine(output, anchor).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn unit(axis: usize) -> Vec<f32> {
		let mut v = vec![0f32; DIM];
		v[axis] = 1.0;
		v
	}

	#[test]
	fn the_score_is_the_clamped_cosine_to_the_anchor() {
		assert_eq!(score(&unit(0), &unit(0)), 1.0);
		assert_eq!(score(&unit(0), &unit(1)), 0.0);
		let neg: Vec<f32> = unit(0).iter().map(|x| -x).collect();
		assert_eq!(score(&neg, &unit(0)), 0.0);
	}

	#[test]
	fn a_multi_part_anchor_is_the_normalised_mean() {
		let a = anchor(&[unit(0), unit(1)]);
		assert!((score(&unit(0), &a) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
		assert_eq!(anchor(&[unit(3)]), unit(3));
	}

	#[test]
	fn an_output_does_not_depend_on_the_others() {
		// The same output against the same anchor scores the same whatever else is scored.
		let a = anchor(&[unit(0)]);
		let mut x = unit(0);
		x[1] = 0.5;
		normalize(&mut x);
		assert_eq!(score(&x, &a), score(&x, &a.clone()));
		assert!(score(&x, &a) > 0.8);
	}
}
