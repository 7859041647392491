//! The semantic dimension: how close an output's meaning is to what it should say, as the
//! cosine of L2-normalised sentence embeddings, clamped to `[0, 1]`:
//! - to the **reference** when the task has one;
//! - otherwise to the **centroid of the task's other non-empty outputs** (the answers'
//!   consensus: an output that says what the others say scores high);
//! - otherwise (a single output, no reference) to the **query**.

use crate::embed::{cosine, normalize, DIM};

/// The semantic score of `outputs[i]`. `outputs` are the task's output embeddings, `empty`
/// marks empty outputs (left out of the consensus), `reference` and `query` are embeddings.
pub fn score(i: usize, outputs: &[Vec<f32>], empty: &[bool], reference: Option<&[f32]>, query: &[f32]) -> f32 {
	let raw = match reference {
		Some(r) => cosine(&outputs[i], r),
		None => match centroid_of_others(i, outputs, empty) {
			Some(c) => cosine(&outputs[i], &c),
			None => cosine(&outputs[i], query),
		},
	};
	raw.clamp(0.0, 1.0)
}

/// The normalised mean of every non-empty output but `i`, if there is one.
pub fn centroid_of_others(i: usize, outputs: &[Vec<f32>], empty: &[bool]) -> Option<Vec<f32>> {
	let mut c = vec![0f32; DIM];
	let mut k = 0;
	for (j, o) in outputs.iter().enumerate() {
		if j != i && !empty[j] {
			c.iter_mut().zip(o).for_each(|(a, b)| *a += b);
			k += 1;
		}
	}
	if k == 0 {
		return None;
	}
	normalize(&mut c);
	Some(c)
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
	fn the_reference_wins_over_the_other_outputs() {
		let outs = vec![unit(0), unit(1)];
		assert_eq!(score(0, &outs, &[false, false], Some(&unit(0)), &unit(2)), 1.0);
		assert_eq!(score(0, &outs, &[false, false], Some(&unit(3)), &unit(2)), 0.0);
	}

	#[test]
	fn without_a_reference_the_consensus_of_the_others_counts() {
		// Two outputs agree, one differs: the agreeing ones score high, the odd one low.
		let mut a = unit(0);
		a[1] = 0.1;
		normalize(&mut a);
		let outs = vec![unit(0), a, unit(5)];
		let empty = [false; 3];
		let s: Vec<f32> = (0..3).map(|i| score(i, &outs, &empty, None, &unit(9))).collect();
		assert!(s[0] > 0.6 && s[1] > 0.6 && s[2] < 0.1, "{s:?}");
	}

	#[test]
	fn empty_outputs_are_left_out_and_a_lone_output_meets_the_query() {
		let outs = vec![unit(0), unit(4)];
		// The only other output is empty: compare with the query.
		assert_eq!(score(0, &outs, &[false, true], None, &unit(0)), 1.0);
		assert_eq!(centroid_of_others(0, &outs, &[false, true]), None);
		// Opposite vectors clamp to zero.
		let neg: Vec<f32> = unit(0).iter().map(|x| -x).collect();
		assert_eq!(score(0, &[neg], &[false], None, &unit(0)), 0.0);
	}
}
