//! The model leaderboard: from the chain's per (model, family) statistics of settled quality
//! (`TasksApi::model_stats`, written as JSON lines by `tests/e2e/model-stats.mjs`), each model's
//! mean quality, a 95% confidence interval and Arena-style ranks, per family.
//!
//! - **Interval**: Student's t interval of the mean, `mean ± t(0.975, n - 1) · s / √n`, with
//!   `s` the sample standard deviation, clipped to `[0, 1]`. One output says nothing of the
//!   spread: its interval is the whole `[0, 1]`.
//! - **Rank** (as LMSYS Chatbot Arena ranks): one plus the number of models whose interval lies
//!   wholly above this model's. Models whose intervals overlap can share a rank, and a rank says
//!   only what the data can tell apart.
//!
//! The input line: `{"model": "name@version", "family": "Open", "count": n, "sum": Σq,
//! "sum_sq": Σq², "retired": bool?}` with qualities in parts per million (`sum_sq` may be a
//! string: it can exceed what a JSON number holds exactly).

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// One input line: a model's statistics in one family, as the chain keeps them.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsLine {
	/// The model's id, `name@version`.
	pub model: String,
	/// The family, as the chain names it (`Qa`, `Summarization`, `Code`, `Open`).
	pub family: String,
	/// Settled outputs counted.
	pub count: u64,
	/// Sum of their qualities, in parts per million.
	#[serde(deserialize_with = "big_uint")]
	pub sum: u128,
	/// Sum of their squared qualities, in parts per million squared.
	#[serde(deserialize_with = "big_uint")]
	pub sum_sq: u128,
	/// Whether governance retired the model.
	#[serde(default)]
	pub retired: bool,
}

/// An unsigned integer from a JSON number or a decimal string.
fn big_uint<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
	use serde::de::Error;
	match serde_json::Value::deserialize(d)? {
		serde_json::Value::Number(n) => n.as_u64().map(u128::from).ok_or_else(|| D::Error::custom("not an unsigned integer")),
		serde_json::Value::String(s) => s.parse().map_err(|_| D::Error::custom(format!("'{s}' is not an unsigned integer"))),
		_ => Err(D::Error::custom("expected an unsigned integer")),
	}
}

/// A model's line of the leaderboard.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Standing {
	/// Arena-style rank (1 is best).
	pub rank: usize,
	/// The model's id.
	pub model: String,
	/// Settled outputs counted.
	pub count: u64,
	/// Mean quality in `[0, 1]`.
	pub mean: f64,
	/// Lower end of the 95% interval.
	pub lo: f64,
	/// Upper end of the 95% interval.
	pub hi: f64,
	/// Whether governance retired the model.
	pub retired: bool,
}

/// Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom.
const T95: [f64; 30] = [
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
	2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom (`df >= 1`); beyond
/// the table, the first two terms of its expansion around the normal's 1.96 (Cornish-Fisher;
/// within 0.001 of the exact value).
pub fn t95(df: u64) -> f64 {
	match df {
		0 => f64::INFINITY,
		1..=30 => T95[df as usize - 1],
		_ => {
			let (z, v) = (1.959_964f64, df as f64);
			z + (z.powi(3) + z) / (4.0 * v) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
		},
	}
}

/// Mean and 95% interval of `count` qualities with sums `sum` and `sum_sq` (parts per million);
/// `None` for no output.
pub fn interval(count: u64, sum: u128, sum_sq: u128) -> Option<(f64, f64, f64)> {
	if count == 0 {
		return None;
	}
	let n = count as f64;
	let mean = (sum as f64 / 1e6 / n).clamp(0.0, 1.0);
	if count == 1 {
		return Some((mean, 0.0, 1.0));
	}
	let var = ((sum_sq as f64 / 1e12 - n * mean * mean) / (n - 1.0)).max(0.0);
	let half = t95(count - 1) * (var / n).sqrt();
	Some((mean, (mean - half).max(0.0), (mean + half).min(1.0)))
}

/// Arena-style ranks of `(lo, hi)` intervals: one plus the number of intervals wholly above.
pub fn arena_ranks(intervals: &[(f64, f64)]) -> Vec<usize> {
	intervals
		.iter()
		.map(|(_, hi)| 1 + intervals.iter().filter(|(lo, _)| lo > hi).count())
		.collect()
}

/// The leaderboard of each family present (families in the chain's order, then any other),
/// models by rank and then mean, both descending in quality. `min_count` leaves out models with
/// fewer outputs.
pub fn leaderboards(lines: &[StatsLine], min_count: u64) -> Vec<(String, Vec<Standing>)> {
	let order = |f: &str| ["Qa", "Summarization", "Code", "Open"].iter().position(|x| x.eq_ignore_ascii_case(f)).unwrap_or(4);
	let mut by_family: BTreeMap<(usize, String), Vec<Standing>> = BTreeMap::new();
	for l in lines.iter().filter(|l| l.count >= min_count.max(1)) {
		let Some((mean, lo, hi)) = interval(l.count, l.sum, l.sum_sq) else { continue };
		by_family.entry((order(&l.family), l.family.clone())).or_default().push(Standing {
			rank: 0,
			model: l.model.clone(),
			count: l.count,
			mean,
			lo,
			hi,
			retired: l.retired,
		});
	}
	by_family
		.into_iter()
		.map(|((_, family), mut rows)| {
			let ranks = arena_ranks(&rows.iter().map(|r| (r.lo, r.hi)).collect::<Vec<_>>());
			for (r, k) in rows.iter_mut().zip(ranks) {
				r.rank = k;
			}
			rows.sort_by(|a, b| a.rank.cmp(&b.rank).then(b.mean.total_cmp(&a.mean)).then(a.model.cmp(&b.model)));
			(family, rows)
		})
		.collect()
}

/// The leaderboards as text tables.
pub fn render(boards: &[(String, Vec<Standing>)]) -> String {
	let mut s = String::new();
	for (family, rows) in boards {
		let w = rows.iter().map(|r| r.model.len()).max().unwrap_or(5).max(5);
		s.push_str(&format!("{family}: {} models\n", rows.len()));
		s.push_str(&format!("  {:>4}  {:<w$}  {:>7}  {:>6}  95% interval\n", "rank", "model", "outputs", "mean"));
		for r in rows {
			s.push_str(&format!(
				"  {:>4}  {:<w$}  {:>7}  {:>6.3}  [{:.3}, {:.3}]{}\n",
				r.rank,
				r.model,
				r.count,
				r.mean,
				r.lo,
				r.hi,
				if r.retired { "  (retired)" } else { "" }
			));
		}
		s.push('\n');
	}
	s
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn line(model: &str, family: &str, qs: &[u32]) -> StatsLine {
		StatsLine {
			model: model.into(),
			family: family.into(),
			count: qs.len() as u64,
			sum: qs.iter().map(|q| *q as u128).sum(),
			sum_sq: qs.iter().map(|q| (*q as u128).pow(2)).sum(),
			retired: false,
		}
	}

	#[test]
	fn the_interval_is_students() {
		// 0.2, 0.4, 0.6: mean 0.4, s = 0.2, t(2) = 4.303, half = 4.303 · 0.2 / √3.
		let (m, lo, hi) = interval(3, 1_200_000, 40_000_000_000 + 160_000_000_000 + 360_000_000_000).unwrap();
		let half = 4.303 * 0.2 / 3f64.sqrt();
		assert!((m - 0.4).abs() < 1e-12);
		assert!((lo - (0.4 - half).max(0.0)).abs() < 1e-9 && (hi - (0.4 + half).min(1.0)).abs() < 1e-9);
		assert_eq!(interval(1, 700_000, 490_000_000_000), Some((0.7, 0.0, 1.0)));
		assert_eq!(interval(0, 0, 0), None);
		// Exact values: t(0.975, 31) = 2.0395, t(0.975, 1000) = 1.9623.
		assert!((t95(1000) - 1.9623).abs() < 0.0005 && (t95(31) - 2.0395).abs() < 0.001);
	}

	#[test]
	fn overlapping_models_share_a_rank() {
		// a far above b and c, which overlap; d below all.
		assert_eq!(arena_ranks(&[(0.8, 0.9), (0.5, 0.7), (0.6, 0.75), (0.1, 0.2)]), vec![1, 2, 2, 4]);
		let boards = leaderboards(
			&[
				line("good@1", "Open", &[900_000, 850_000, 880_000, 920_000]),
				line("wrong@1", "Open", &[300_000, 350_000, 320_000, 310_000]),
				line("loop@1", "Open", &[10_000, 20_000, 15_000, 12_000]),
				line("good@1", "Qa", &[800_000]),
				line("lone@1", "Qa", &[100_000]),
			],
			1,
		);
		assert_eq!(boards.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["Qa", "Open"]);
		let open: Vec<(&str, usize)> = boards[1].1.iter().map(|r| (r.model.as_str(), r.rank)).collect();
		assert_eq!(open, [("good@1", 1), ("wrong@1", 2), ("loop@1", 3)]);
		// One output each: intervals [0, 1], one shared rank, ordered by mean.
		let qa: Vec<(&str, usize)> = boards[0].1.iter().map(|r| (r.model.as_str(), r.rank)).collect();
		assert_eq!(qa, [("good@1", 1), ("lone@1", 1)]);
		let text = render(&boards);
		assert!(text.contains("Open: 3 models") && text.contains("good@1"), "{text}");
		// `min_count` drops the models with fewer outputs.
		assert_eq!(leaderboards(&[line("lone@1", "Qa", &[100_000])], 2).len(), 0);
	}

	#[test]
	fn the_chart_is_a_png() {
		let dir = std::env::temp_dir().join(format!("poq-leaderboard-{}", std::process::id()));
		let path = dir.join("board.png");
		let boards = leaderboards(&[line("good@1", "Open", &[900_000, 800_000]), line("loop@1", "Open", &[10_000])], 1);
		crate::plot::leaderboard(&path, &boards).unwrap();
		let bytes = std::fs::read(&path).unwrap();
		assert_eq!(&bytes[1..4], b"PNG");
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn input_lines_take_big_sums_as_strings() {
		let l: StatsLine = serde_json::from_str(
			r#"{"model":"m@1","family":"Open","count":2,"sum":1500000,"sum_sq":"1250000000000"}"#,
		)
		.unwrap();
		assert_eq!((l.sum, l.sum_sq, l.retired), (1_500_000, 1_250_000_000_000, false));
		assert!(serde_json::from_str::<StatsLine>(r#"{"model":"m@1","family":"Open","count":2,"sum":-1,"sum_sq":0}"#).is_err());
		assert!(serde_json::from_str::<StatsLine>(r#"{"model":"m@1","family":"Open","count":2,"sum":1,"sum_sq":0,"x":1}"#).is_err());
	}

	proptest! {
		/// The interval holds the mean, lies in [0, 1], and a model whose every quality is above
		/// another's every quality never ranks below it.
		#[test]
		fn intervals_hold_their_means(a in proptest::collection::vec(0u32..=1_000_000, 1..50), b in proptest::collection::vec(0u32..=1_000_000, 1..50)) {
			let la = line("a@1", "Open", &a);
			let (m, lo, hi) = interval(la.count, la.sum, la.sum_sq).unwrap();
			prop_assert!(0.0 <= lo && lo <= m + 1e-12 && m <= hi + 1e-12 && hi <= 1.0);
			let min_a = *a.iter().min().unwrap();
			let max_b = *b.iter().max().unwrap();
			if min_a > max_b {
				let boards = leaderboards(&[la, line("b@1", "Open", &b)], 1);
				let rank = |id: &str| boards[0].1.iter().find(|r| r.model == id).unwrap().rank;
				prop_assert!(rank("a@1") <= rank("b@1"));
			}
		}
	}
}
