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

#[cfg(test)]
mod tests {
	use super::*;

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
