//! Helpers every test of this crate shares: one deterministic generator (SplitMix64, with a
//! Box-Muller normal), the clip to `Permill` and Spearman's rank correlation.

use sp_runtime::Permill;

/// SplitMix64: the same stream for the same seed on every machine.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
	/// The next 64 random bits.
	pub(crate) fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}
	/// A uniform draw in [0, 1).
	pub(crate) fn unit(&mut self) -> f64 {
		(self.next() >> 11) as f64 / (1u64 << 53) as f64
	}
	/// A normal draw with mean 0 and standard deviation `sd`.
	pub(crate) fn normal(&mut self, sd: f64) -> f64 {
		let (u1, u2) = (self.unit().max(1e-12), self.unit());
		sd * (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
	}
	/// A draw in `0..n` (0 when `n` is 0).
	pub(crate) fn below(&mut self, n: u64) -> u64 {
		if n == 0 { 0 } else { self.next() % n }
	}
	/// True with the given chance in percent.
	pub(crate) fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}
	/// One element of a non-empty slice.
	pub(crate) fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
		xs[self.below(xs.len() as u64) as usize]
	}
}

/// `x` clipped to [0, 1], as parts per million.
pub(crate) fn clip(x: f64) -> Permill {
	Permill::from_parts((x.clamp(0.0, 1.0) * 1e6).round() as u32)
}

/// Average ranks (ties share the mean of their positions).
fn ranks(v: &[f64]) -> Vec<f64> {
	let mut idx: Vec<usize> = (0..v.len()).collect();
	idx.sort_by(|a, b| v[*a].partial_cmp(&v[*b]).unwrap());
	let mut r = vec![0.0; v.len()];
	let mut i = 0;
	while i < idx.len() {
		let mut j = i;
		while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
			j += 1;
		}
		for k in i..=j {
			r[idx[k]] = (i + j) as f64 / 2.0;
		}
		i = j + 1;
	}
	r
}

/// Spearman rank correlation (Pearson of average ranks); zero when a side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
	let (ra, rb) = (ranks(a), ranks(b));
	let n = ra.len() as f64;
	let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
	let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
	let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
	let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
	if va == 0.0 || vb == 0.0 {
		0.0
	} else {
		cov / (va * vb).sqrt()
	}
}

