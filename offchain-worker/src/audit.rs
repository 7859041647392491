//! `poq-scorer audit`: how well each evaluator-side dimension, and their composite, agree with
//! reference labels, per task family, and which weights the labels support.
//!
//! Input: JSON lines of scored outputs (the fields `poq-scorer score` writes, with the input's
//! `family`), each with a reference label, in one of two forms:
//! - a **label** per output: `{"family", "structure", "semantic", "alignment", "label": x}`; with
//!   `x` in {0, 1} the measure is AUROC, otherwise Pearson and Spearman;
//! - a **preference** between two outputs: two lines with the same `"pair"` (string or integer),
//!   one of them `"better": true`; the measure is pairwise accuracy;
//! - a **model** per output: `{"family", "structure", "semantic", "alignment", "model": name,
//!   "label": x}` with `x` the model's label (e.g. its place on a public leaderboard, the same on
//!   all its lines); the measure is the Spearman of the models' mean scores with their labels
//!   (do the scores rank the models as the labels do).
//!
//! Output, per family: each dimension's agreement with the labels, the composite with the given
//! weights, the ablations (each dimension removed, equal weights, semantic alone), and a proposed
//! weight vector: each dimension weighted by how far it is above chance, with the family's
//! evaluator-side total kept (semantic alone when none is above chance), with the SCALE call
//! data of `consensus.setDimensionWeights(family, weights)` that a council motion would carry.

use crate::stats::{auroc, calibration_error, pairwise_accuracy, pearson, reliability, spearman, Bin};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The three evaluator-side dimensions, in the order of the weights.
pub const DIMENSIONS: [&str; 3] = ["structure", "semantic", "alignment"];

/// The runtime's pallet index of the consensus pallet and the call index of
/// `set_dimension_weights` (checked against the runtime by its tests).
pub const CONSENSUS_PALLET_INDEX: u8 = 12;
/// See [`CONSENSUS_PALLET_INDEX`].
pub const SET_DIMENSION_WEIGHTS_CALL_INDEX: u8 = 4;

/// One scored, labelled output.
#[derive(Clone, Debug, Deserialize)]
pub struct Row {
	/// The chain's family name (or lower case).
	pub family: crate::Family,
	/// Structure score.
	pub structure: f64,
	/// Semantic score.
	pub semantic: f64,
	/// Alignment score.
	pub alignment: f64,
	/// A quality label for this output.
	#[serde(default)]
	pub label: Option<f64>,
	/// The pair this output belongs to, for preferences.
	#[serde(default)]
	pub pair: Option<serde_json::Value>,
	/// Whether this output is the preferred one of its pair.
	#[serde(default)]
	pub better: Option<bool>,
	/// The model that wrote this output, for a model-level label.
	#[serde(default)]
	pub model: Option<String>,
	/// A name to report these rows under, apart from the rest of their family.
	#[serde(default)]
	pub set: Option<String>,
}

impl Row {
	/// The three scores in [`DIMENSIONS`] order.
	pub fn scores(&self) -> [f64; 3] {
		[self.structure, self.semantic, self.alignment]
	}

	/// The group it is reported under: its `set`, else its family's chain name.
	pub fn group(&self) -> String {
		self.set.clone().unwrap_or_else(|| format!("{:?}", self.family))
	}
}

/// What a measure is, and its value at chance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
	/// Area under the ROC curve (binary labels); chance 0.5.
	Auroc,
	/// Pairwise accuracy (preferences); chance 0.5.
	Pairwise,
	/// Spearman rank correlation (graded labels); chance 0. Pearson is reported beside it.
	Spearman,
	/// Spearman rank correlation of the models' mean scores with the models' labels; chance 0.
	Models,
}

impl Measure {
	/// The value of a score with no information.
	pub fn chance(self) -> f64 {
		match self {
			Self::Auroc | Self::Pairwise => 0.5,
			Self::Spearman | Self::Models => 0.0,
		}
	}
	/// Its name in the report.
	pub fn name(self) -> &'static str {
		match self {
			Self::Auroc => "AUROC",
			Self::Pairwise => "pairwise accuracy",
			Self::Spearman => "Spearman",
			Self::Models => "model-level Spearman",
		}
	}
}

/// The labelled data of one group (a family, or a named set of one family).
#[derive(Debug)]
pub struct FamilyData {
	/// The family of the rows.
	pub family: crate::Family,
	/// Outputs with a label: scores and label.
	pub labelled: Vec<([f64; 3], f64)>,
	/// Preference pairs: (better's scores, worse's scores).
	pub pairs: Vec<([f64; 3], [f64; 3])>,
	/// Outputs by model: their scores and the model's label.
	pub models: BTreeMap<String, (Vec<[f64; 3]>, f64)>,
}

impl FamilyData {
	/// The measure that fits the data: preferences if any, else models if any, else AUROC for
	/// 0/1 labels, else Spearman.
	pub fn measure(&self) -> Measure {
		if !self.pairs.is_empty() {
			Measure::Pairwise
		} else if !self.models.is_empty() {
			Measure::Models
		} else if self.labelled.iter().all(|(_, l)| *l == 0.0 || *l == 1.0) {
			Measure::Auroc
		} else {
			Measure::Spearman
		}
	}

	/// The measure of a scoring function of the three dimensions.
	pub fn evaluate(&self, f: impl Fn(&[f64; 3]) -> f64) -> Option<f64> {
		match self.measure() {
			Measure::Pairwise => pairwise_accuracy(&self.pairs.iter().map(|(b, w)| (f(b), f(w))).collect::<Vec<_>>()),
			Measure::Auroc => {
				let s: Vec<f64> = self.labelled.iter().map(|(x, _)| f(x)).collect();
				auroc(&s, &self.labelled.iter().map(|(_, l)| *l == 1.0).collect::<Vec<_>>())
			},
			Measure::Spearman => {
				let s: Vec<f64> = self.labelled.iter().map(|(x, _)| f(x)).collect();
				spearman(&s, &self.labelled.iter().map(|(_, l)| *l).collect::<Vec<_>>())
			},
			Measure::Models => {
				let means: Vec<f64> =
					self.models.values().map(|(rows, _)| rows.iter().map(&f).sum::<f64>() / rows.len() as f64).collect();
				spearman(&means, &self.models.values().map(|(_, l)| *l).collect::<Vec<_>>())
			},
		}
	}

	/// Pearson of a scoring function against graded labels (none for preferences).
	pub fn pearson(&self, f: impl Fn(&[f64; 3]) -> f64) -> Option<f64> {
		let s: Vec<f64> = self.labelled.iter().map(|(x, _)| f(x)).collect();
		pearson(&s, &self.labelled.iter().map(|(_, l)| *l).collect::<Vec<_>>())
	}

	/// How many labelled items (outputs, pairs or models).
	pub fn len(&self) -> usize {
		self.labelled.len() + self.pairs.len() + self.models.len()
	}

	/// Whether there is nothing to measure.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// The weighted composite of three scores (weights renormalised; zero weights drop out).
pub fn composite(w: &[f64; 3], s: &[f64; 3]) -> f64 {
	let total: f64 = w.iter().sum();
	if total <= 0.0 {
		return 0.0;
	}
	w.iter().zip(s).map(|(w, s)| w * s).sum::<f64>() / total
}

/// Groups rows by [`Row::group`]; preference pairs are matched by `pair`. Returns the data and
/// the errors (one line each) of rows that cannot be used.
pub fn group(rows: Vec<(usize, Row)>) -> (BTreeMap<String, FamilyData>, Vec<String>) {
	let mut out: BTreeMap<String, FamilyData> = BTreeMap::new();

	let mut errors = Vec::new();
	let mut open: BTreeMap<String, (usize, Row)> = BTreeMap::new();
	for (n, r) in rows {
		if let Some(model) = &r.model {
			match r.label {
				None => errors.push(format!("line {n}: a \"model\" line needs its model's \"label\"")),
				Some(l) => {
					let entry = slot(&mut out, &r).models.entry(model.clone()).or_insert((Vec::new(), l));
					if entry.1 != l {
						errors.push(format!("line {n}: model {model} has two labels ({} and {l})", entry.1));
					} else {
						entry.0.push(r.scores());
					}
				},
			}
			continue;
		}
		match (&r.pair, r.label) {
			(Some(p), _) => {
				let key = p.to_string();
				match open.remove(&key) {
					None => {
						open.insert(key, (n, r));
					},
					Some((m, first)) => match (first.better, r.better, first.group() == r.group() && first.family == r.family) {
						(_, _, false) => errors.push(format!("lines {m} and {n}: pair {key} mixes families or sets")),
						(Some(true), Some(true), _) | (Some(false) | None, Some(false) | None, _) =>
							errors.push(format!("lines {m} and {n}: pair {key} needs exactly one \"better\": true")),
						(Some(true), _, _) => slot(&mut out, &r).pairs.push((first.scores(), r.scores())),
						(_, Some(true), _) => slot(&mut out, &r).pairs.push((r.scores(), first.scores())),
					},
				}
			},
			(None, Some(l)) => slot(&mut out, &r).labelled.push((r.scores(), l)),
			(None, None) => errors.push(format!("line {n}: needs a \"label\" or a \"pair\"")),
		}
	}
	for (key, (n, _)) in open {
		errors.push(format!("line {n}: pair {key} has one output"));
	}
	(out, errors)
}

fn slot<'a>(out: &'a mut BTreeMap<String, FamilyData>, r: &Row) -> &'a mut FamilyData {
	out.entry(r.group())
		.or_insert_with(|| FamilyData { family: r.family, labelled: Vec::new(), pairs: Vec::new(), models: BTreeMap::new() })
}

/// The proposed evaluator-side weights: each dimension's excess over chance (zero if below),
/// scaled so that they sum to `total`; semantic alone when none is above chance.
pub fn propose(measures: &[Option<f64>; 3], chance: f64, total: f64) -> [f64; 3] {
	let excess: Vec<f64> = measures.iter().map(|m| m.map_or(0.0, |m| (m - chance).max(0.0))).collect();
	let sum: f64 = excess.iter().sum();
	if sum <= 0.0 {
		return [0.0, total, 0.0];
	}
	[excess[0] / sum * total, excess[1] / sum * total, excess[2] / sum * total]
}

/// SCALE call data of `consensus.setDimensionWeights(family, weights)`: pallet index, call index,
/// the family's variant index, six `Permill` (u32 little endian) in the chain's dimension order.
pub fn set_weights_call(family: crate::Family, weights: &[u32; 6]) -> Vec<u8> {
	let mut v = vec![CONSENSUS_PALLET_INDEX, SET_DIMENSION_WEIGHTS_CALL_INDEX, family as u8];
	for w in weights {
		v.extend_from_slice(&w.to_le_bytes());
	}
	v
}

/// The chain's default composite weights (`DEFAULT_WEIGHTS` of the consensus pallet), in its
/// dimension order: model prior, cost prior, structure, semantic, alignment, agreement.
pub const DEFAULT_WEIGHTS: [u32; 6] = [150_000, 100_000, 50_000, 250_000, 450_000, 150_000];

/// The ablations of the report, by name, as weights of the three dimensions (`None`: the
/// given weights).
pub fn ablations(w: &[f64; 3]) -> Vec<(&'static str, [f64; 3])> {
	vec![
		("composite", *w),
		("without structure", [0.0, w[1], w[2]]),
		("without semantic", [w[0], 0.0, w[2]]),
		("without alignment", [w[0], w[1], 0.0]),
		("equal weights", [1.0, 1.0, 1.0]),
		("semantic only", [0.0, 1.0, 0.0]),
	]
}

/// The audit of one group.
#[derive(Debug)]
pub struct FamilyAudit {
	/// The group's name.
	pub name: String,
	/// Its family.
	pub family: crate::Family,
	/// Items measured (outputs or pairs).
	pub items: usize,
	/// The measure.
	pub measure: Measure,
	/// The measure of each dimension, in [`DIMENSIONS`] order, and Pearson for graded labels.
	pub dimensions: [(Option<f64>, Option<f64>); 3],
	/// Each ablation's name and measure (the first is the composite with the given weights).
	pub ablations: Vec<(&'static str, Option<f64>)>,
	/// The proposed six weights (Permill parts, chain order).
	pub proposed: [u32; 6],
	/// With 0/1 labels: the reliability diagram of alignment read as the probability that the
	/// output is right ([`RELIABILITY_BINS`] bins); empty otherwise.
	pub reliability: Vec<Bin>,
}

/// The number of equal-width bins of the reliability diagrams.
pub const RELIABILITY_BINS: usize = 10;

/// Audits every family with the chain weights `weights` (six Permill parts, chain order).
pub fn audit(data: &BTreeMap<String, FamilyData>, weights: &[u32; 6]) -> Vec<FamilyAudit> {
	let ev = [weights[2] as f64, weights[3] as f64, weights[4] as f64];
	data.iter()
		.filter(|(_, d)| !d.is_empty())
		.map(|(name, d)| {
			let measure = d.measure();
			let dimensions: [(Option<f64>, Option<f64>); 3] = core::array::from_fn(|k| {
				let pearson = (measure == Measure::Spearman).then(|| d.pearson(|s| s[k])).flatten();
				(d.evaluate(|s| s[k]), pearson)
			});
			let ablations = ablations(&ev).into_iter().map(|(name, w)| (name, d.evaluate(|s| composite(&w, s)))).collect();
			let total: f64 = ev.iter().sum();
			let p = propose(&dimensions.map(|(m, _)| m), measure.chance(), total);
			let mut proposed = *weights;
			for k in 0..3 {
				proposed[2 + k] = p[k].round() as u32;
			}
			let reliability = match measure {
				Measure::Auroc => {
					let (pred, pos): (Vec<f64>, Vec<bool>) = d.labelled.iter().map(|(s, l)| (s[2], *l == 1.0)).unzip();
					reliability(&pred, &pos, RELIABILITY_BINS)
				},
				_ => Vec::new(),
			};
			FamilyAudit { name: name.clone(), family: d.family, items: d.len(), measure, dimensions, ablations, proposed, reliability }
		})
		.collect()
}

fn fmt(x: Option<f64>) -> String {
	x.map_or("-".into(), |x| format!("{x:.3}"))
}

/// The audit as Markdown: per family a table of dimensions, one of ablations, and the proposal
/// with its call data.
pub fn render(audits: &[FamilyAudit], weights: &[u32; 6]) -> String {
	let mut out = String::new();
	out += &format!(
		"weights audited (chain order: model prior, cost prior, structure, semantic, alignment, agreement; parts per million): {weights:?}\n"
	);
	for a in audits {
		out += &format!("\n## {} ({:?}; {} {}, {}; chance {:.1})\n\n", a.name, a.family, a.items, match a.measure {
			Measure::Pairwise => "pairs",
			Measure::Models => "models",
			_ => "outputs",
		}, a.measure.name(), a.measure.chance());
		out += "| dimension | measure | Pearson |\n|---|---|---|\n";
		for (k, name) in DIMENSIONS.iter().enumerate() {
			out += &format!("| {name} | {} | {} |\n", fmt(a.dimensions[k].0), fmt(a.dimensions[k].1));
		}
		out += "\n| scoring | measure |\n|---|---|\n";
		for (name, m) in &a.ablations {
			out += &format!("| {name} | {} |\n", fmt(*m));
		}
		if let Some(e) = calibration_error(&a.reliability) {
			out += &format!("\nalignment as P(right): expected calibration error {e:.3} over {} bins (predicted -> observed, outputs):", a.reliability.len());
			for b in &a.reliability {
				out += &format!(" {:.2}->{:.2} ({})", b.predicted, b.observed, b.count);
			}
			out += "\n";
		}
		let call = set_weights_call(a.family, &a.proposed);
		out += &format!(
			"\nproposed weights for {:?}: {:?}\ncouncil call data (consensus.setDimensionWeights): 0x{}\n",
			a.family,
			a.proposed,
			hex::encode(&call)
		);
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Family;

	fn row(family: Family, s: [f64; 3], label: Option<f64>, pair: Option<&str>, better: Option<bool>) -> Row {
		Row {
			family,
			structure: s[0],
			semantic: s[1],
			alignment: s[2],
			label,
			pair: pair.map(|p| serde_json::Value::String(p.into())),
			better,
			model: None,
			set: None,
		}
	}

	#[test]
	fn models_are_ranked_by_their_mean_scores() {
		let m = |n: usize, name: &str, s: [f64; 3], label: f64| (n, Row { model: Some(name.into()), ..row(Family::Open, s, Some(label), None, None) });
		let rows = vec![
			m(1, "weak", [0.1, 0.1, 0.1], 10.0),
			m(2, "weak", [0.1, 0.1, 0.3], 10.0),
			m(3, "strong", [0.9, 0.1, 0.8], 90.0),
			m(4, "middle", [0.5, 0.1, 0.5], 50.0),
			m(5, "middle", [0.5, 0.1, 0.4], 55.0),
			(6, row(Family::Open, [0.5, 0.1, 0.4], None, None, None)),
		];
		let (data, errors) = group(rows);
		assert_eq!(errors, ["line 5: model middle has two labels (50 and 55)", "line 6: needs a \"label\" or a \"pair\""]);
		let open = &data["Open"];
		assert_eq!(open.measure(), Measure::Models);
		assert_eq!(open.len(), 3);
		assert_eq!(open.evaluate(|s| s[2]), Some(1.0));
		assert_eq!(open.evaluate(|s| -s[0]), Some(-1.0));
		let (none, errors) = group(vec![(1, Row { model: Some("x".into()), ..row(Family::Open, [0.0; 3], None, None, None) })]);
		assert!(none.is_empty());
		assert_eq!(errors, ["line 1: a \"model\" line needs its model's \"label\""]);
	}

	#[test]
	fn rows_group_by_family_and_pairs_are_matched() {
		let rows = vec![
			(1, row(Family::Qa, [0.5, 0.9, 0.9], Some(1.0), None, None)),
			(2, row(Family::Qa, [0.5, 0.8, 0.1], Some(0.0), None, None)),
			(3, row(Family::Open, [0.9, 0.5, 0.4], None, Some("a"), Some(false))),
			(4, row(Family::Open, [0.2, 0.5, 0.9], None, Some("a"), Some(true))),
			(5, row(Family::Open, [0.2, 0.5, 0.9], None, Some("b"), None)),
			(6, row(Family::Code, [0.2, 0.5, 0.9], None, None, None)),
		];
		let (data, errors) = group(rows);
		assert_eq!(errors, ["line 6: needs a \"label\" or a \"pair\"", "line 5: pair \"b\" has one output"]);
		let qa = &data["Qa"];
		assert_eq!(qa.measure(), Measure::Auroc);
		assert_eq!(qa.evaluate(|s| s[2]), Some(1.0));
		assert_eq!(qa.evaluate(|s| s[0]), Some(0.5));
		let open = &data["Open"];
		assert_eq!(open.measure(), Measure::Pairwise);
		assert_eq!(open.pairs, vec![([0.2, 0.5, 0.9], [0.9, 0.5, 0.4])]);
		assert_eq!(open.evaluate(|s| s[2]), Some(1.0));
		assert_eq!(open.evaluate(|s| s[0]), Some(0.0));
	}

	#[test]
	fn right_wrong_labels_get_a_reliability_diagram_and_the_plots_include_it() {
		let rows = vec![
			(1, row(Family::Qa, [0.5, 0.9, 0.95], Some(1.0), None, None)),
			(2, row(Family::Qa, [0.5, 0.8, 0.05], Some(0.0), None, None)),
			(3, row(Family::Qa, [0.5, 0.8, 0.91], Some(0.0), None, None)),
			(4, row(Family::Open, [0.9, 0.5, 0.4], None, Some("a"), Some(false))),
			(5, row(Family::Open, [0.2, 0.5, 0.9], None, Some("a"), Some(true))),
		];
		let (data, _) = group(rows);
		let audits = audit(&data, &DEFAULT_WEIGHTS);
		let qa = audits.iter().find(|a| a.name == "Qa").unwrap();
		assert_eq!(qa.reliability.iter().map(|b| (b.lo, b.count)).collect::<Vec<_>>(), vec![(0.0, 1), (0.9, 2)]);
		assert_eq!(qa.reliability[1].observed, 0.5);
		assert!(audits.iter().find(|a| a.name == "Open").unwrap().reliability.is_empty());
		let text = render(&audits, &DEFAULT_WEIGHTS);
		assert!(text.contains("expected calibration error 0.303 over 2 bins"), "{text}");
		let dir = std::env::temp_dir().join(format!("poq-audit-plots-{}", std::process::id()));
		let written = crate::plot::write(&dir, &audits).unwrap();
		assert_eq!(written.last().unwrap().file_name().unwrap(), "audit-reliability.png");
		assert!(std::fs::metadata(written.last().unwrap()).unwrap().len() > 1000);
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn proposals_follow_the_excess_over_chance_and_fall_back_to_semantic() {
		let p = propose(&[Some(0.5), Some(0.75), Some(1.0)], 0.5, 0.6);
		assert!(p.iter().zip([0.0, 0.2, 0.4]).all(|(a, b)| (a - b).abs() < 1e-12), "{p:?}");
		assert_eq!(propose(&[Some(0.4), None, Some(0.5)], 0.5, 0.6), [0.0, 0.6, 0.0]);
		assert!((composite(&[1.0, 0.0, 1.0], &[0.2, 0.9, 0.4]) - 0.3).abs() < 1e-12);
	}

	#[test]
	fn call_data_is_the_chains_encoding() {
		// The same bytes are checked against the runtime's `RuntimeCall` in the runtime tests.
		let call = set_weights_call(Family::Summarization, &[150_000, 100_000, 200_000, 250_000, 150_000, 150_000]);
		assert_eq!(
			hex::encode(call),
			"0c0401f0490200a0860100400d030090d00300f0490200f0490200"
		);
	}
}
