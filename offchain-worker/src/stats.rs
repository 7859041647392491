//! Agreement statistics between scores and reference labels, for `poq-scorer audit`: Pearson,
//! Spearman (average ranks for ties), AUROC (Mann-Whitney, ties count half) and pairwise accuracy
//! (ties count half). Each returns `None` when it is undefined (too few points, no variance,
//! one class only).

/// Pearson correlation of `x` and `y`.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
	let n = x.len();
	if n < 2 || n != y.len() {
		return None;
	}
	let (mx, my) = (x.iter().sum::<f64>() / n as f64, y.iter().sum::<f64>() / n as f64);
	let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
	for (a, b) in x.iter().zip(y) {
		sxy += (a - mx) * (b - my);
		sxx += (a - mx) * (a - mx);
		syy += (b - my) * (b - my);
	}
	(sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
	let mut idx: Vec<usize> = (0..x.len()).collect();
	idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
	let mut r = vec![0.0; x.len()];
	let mut i = 0;
	while i < idx.len() {
		let mut j = i;
		while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
			j += 1;
		}
		let avg = (i + j) as f64 / 2.0 + 1.0;
		for k in i..=j {
			r[idx[k]] = avg;
		}
		i = j + 1;
	}
	r
}

/// Spearman rank correlation of `x` and `y`.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
	pearson(&ranks(x), &ranks(y))
}

/// Area under the ROC curve of `scores` for the positives in `positive`.
pub fn auroc(scores: &[f64], positive: &[bool]) -> Option<f64> {
	let r = ranks(scores);
	let p = positive.iter().filter(|&&b| b).count();
	let n = positive.len() - p;
	if p == 0 || n == 0 || scores.len() != positive.len() {
		return None;
	}
	let rank_sum: f64 = r.iter().zip(positive).filter(|(_, &b)| b).map(|(r, _)| r).sum();
	Some((rank_sum - (p * (p + 1)) as f64 / 2.0) / (p * n) as f64)
}

/// Share of `(better, worse)` score pairs ordered right (a tie counts half).
pub fn pairwise_accuracy(pairs: &[(f64, f64)]) -> Option<f64> {
	if pairs.is_empty() {
		return None;
	}
	let right: f64 = pairs.iter().map(|(b, w)| if b > w { 1.0 } else if b == w { 0.5 } else { 0.0 }).sum();
	Some(right / pairs.len() as f64)
}

/// One bin of a reliability diagram: the outputs whose predicted probability lies in `[lo, hi)`
/// (the last bin includes 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
	/// Lower edge.
	pub lo: f64,
	/// Upper edge.
	pub hi: f64,
	/// How many outputs fall in it.
	pub count: usize,
	/// Their mean predicted probability.
	pub predicted: f64,
	/// The share of them that are positive (right, faithful).
	pub observed: f64,
}

/// The reliability diagram of probabilities `pred` (clamped to `[0, 1]`) against the outcomes
/// `positive`: `bins` equal-width bins, the empty ones left out. Empty when the lengths differ.
pub fn reliability(pred: &[f64], positive: &[bool], bins: usize) -> Vec<Bin> {
	if pred.len() != positive.len() || bins == 0 {
		return Vec::new();
	}
	let mut acc = vec![(0usize, 0.0f64, 0usize); bins];
	for (p, &y) in pred.iter().zip(positive) {
		let p = p.clamp(0.0, 1.0);
		let b = ((p * bins as f64) as usize).min(bins - 1);
		acc[b].0 += 1;
		acc[b].1 += p;
		acc[b].2 += y as usize;
	}
	acc.iter()
		.enumerate()
		.filter(|(_, a)| a.0 > 0)
		.map(|(b, &(n, sum, pos))| Bin {
			lo: b as f64 / bins as f64,
			hi: (b + 1) as f64 / bins as f64,
			count: n,
			predicted: sum / n as f64,
			observed: pos as f64 / n as f64,
		})
		.collect()
}

/// Expected calibration error of a reliability diagram: the count-weighted mean of
/// `|predicted - observed|` over its bins, in `[0, 1]`; `None` without outputs.
pub fn calibration_error(bins: &[Bin]) -> Option<f64> {
	let n: usize = bins.iter().map(|b| b.count).sum();
	(n > 0).then(|| bins.iter().map(|b| b.count as f64 * (b.predicted - b.observed).abs()).sum::<f64>() / n as f64)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn reliability_bins_count_every_output_once() {
		let pred = [0.05, 0.15, 0.12, 0.95, 1.0, 1.7, -0.2];
		let pos = [false, false, true, true, true, true, false];
		let bins = reliability(&pred, &pos, 10);
		assert_eq!(bins.iter().map(|b| b.count).sum::<usize>(), pred.len());
		assert_eq!(bins.iter().map(|b| b.lo).collect::<Vec<_>>(), vec![0.0, 0.1, 0.9]);
		// 0.05 and the clamped -0.2 (0.0) in the first bin, both negative.
		assert_eq!((bins[0].count, bins[0].observed), (2, 0.0));
		assert!((bins[1].predicted - 0.135).abs() < 1e-12 && bins[1].observed == 0.5);
		assert_eq!((bins[2].count, bins[2].observed), (3, 1.0));
		assert!(reliability(&pred, &pos[..3], 10).is_empty());
		assert_eq!(calibration_error(&[]), None);
	}

	#[test]
	fn calibration_error_is_zero_when_predictions_are_outcomes_and_at_most_one() {
		let pos: Vec<bool> = (0..100).map(|i| i % 3 == 0).collect();
		let exact: Vec<f64> = pos.iter().map(|&y| if y { 1.0 } else { 0.0 }).collect();
		assert_eq!(calibration_error(&reliability(&exact, &pos, 10)), Some(0.0));
		let wrong: Vec<f64> = pos.iter().map(|&y| if y { 0.0 } else { 1.0 }).collect();
		assert_eq!(calibration_error(&reliability(&wrong, &pos, 10)), Some(1.0));
	}

	proptest::proptest! {
		#[test]
		fn calibration_error_lies_in_the_unit_interval(v in proptest::collection::vec((-0.5f64..1.5, proptest::bool::ANY), 1..200), bins in 1usize..30) {
			let (pred, pos): (Vec<f64>, Vec<bool>) = v.into_iter().unzip();
			let r = reliability(&pred, &pos, bins);
			proptest::prop_assert_eq!(r.iter().map(|b| b.count).sum::<usize>(), pred.len());
			let e = calibration_error(&r).unwrap();
			proptest::prop_assert!((0.0..=1.0).contains(&e), "{}", e);
		}
	}

	#[test]
	fn known_values() {
		assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap() - 1.0).abs() < 1e-12);
		assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
		assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
		assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
		assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 4.0, 9.0, 16.0]).unwrap() - 1.0).abs() < 1e-12);
		assert_eq!(auroc(&[0.9, 0.8, 0.1, 0.2], &[true, true, false, false]), Some(1.0));
		assert_eq!(auroc(&[0.5, 0.5], &[true, false]), Some(0.5));
		assert_eq!(auroc(&[0.1, 0.9], &[true, false]), Some(0.0));
		assert_eq!(auroc(&[0.1], &[true]), None);
		assert_eq!(pairwise_accuracy(&[(0.9, 0.1), (0.2, 0.3), (0.5, 0.5)]), Some(0.5));
		assert_eq!(pairwise_accuracy(&[]), None);
	}

	#[test]
	fn auroc_equals_the_share_of_ordered_positive_negative_pairs() {
		let s = [0.3, 0.7, 0.7, 0.2, 0.9, 0.4];
		let l = [false, true, false, false, true, true];
		let mut pairs = Vec::new();
		for i in 0..6 {
			for j in 0..6 {
				if l[i] && !l[j] {
					pairs.push((s[i], s[j]));
				}
			}
		}
		assert!((auroc(&s, &l).unwrap() - pairwise_accuracy(&pairs).unwrap()).abs() < 1e-12);
	}
}
