//! The audit's PNG charts (plotters, bitmap backend, the DejaVu Sans font embedded so that no
//! system font library is needed): the measure of each dimension and of the composite per family
//! (`audit-dimensions.png`), the ablations per family (`audit-ablations.png`), and, for the
//! groups with right/wrong labels, the reliability diagram of alignment read as a probability
//! (`audit-reliability.png`). A dashed line marks chance (the diagonal: perfect calibration).

use crate::audit::{FamilyAudit, DIMENSIONS};
use plotters::{
	prelude::*,
	style::text_anchor::{HPos, Pos, VPos},
};
use std::path::{Path, PathBuf};

const COLOURS: [RGBColor; 6] = [
	RGBColor(76, 114, 176),
	RGBColor(221, 132, 82),
	RGBColor(85, 168, 104),
	RGBColor(196, 78, 82),
	RGBColor(129, 114, 179),
	RGBColor(147, 120, 96),
];

fn register_font() {
	static ONCE: std::sync::Once = std::sync::Once::new();
	ONCE.call_once(|| {
		let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
	});
}

/// Grouped bars: one group per family, one bar per series; values in `[0, 1]` (negative
/// correlations are drawn at zero height and printed).
fn grouped_bars(path: &Path, title: &str, series: &[&str], groups: &[(String, Vec<Option<f64>>, f64)]) -> Result<(), String> {
	register_font();
	let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
	let width = 160 + 60 * (series.len() as u32 + 1) * groups.len().max(1) as u32;
	let root = BitMapBackend::new(path, (width.max(640), 420)).into_drawing_area();
	root.fill(&WHITE).map_err(|e| err(&e))?;
	let slots = (series.len() + 1) * groups.len().max(1);
	let mut chart = ChartBuilder::on(&root)
		.caption(title, ("sans-serif", 20))
		.margin(12)
		.x_label_area_size(36)
		.y_label_area_size(48)
		.build_cartesian_2d(0f64..slots as f64, 0f64..1.05f64)
		.map_err(|e| err(&e))?;
	let per = series.len() + 1;
	chart
		.configure_mesh()
		.disable_x_mesh()
		.x_labels(0)
		.light_line_style(WHITE)
		.y_desc("agreement with the labels")
		.label_style(("sans-serif", 14))
		.draw()
		.map_err(|e| err(&e))?;
	for (g, (_, values, chance)) in groups.iter().enumerate() {
		let x0 = (g * per) as f64;
		chart
			.draw_series(DashedLineSeries::new(vec![(x0, *chance), (x0 + series.len() as f64, *chance)], 4, 3, BLACK.stroke_width(1)))
			.map_err(|e| err(&e))?;
		for (k, v) in values.iter().enumerate() {
			let h = v.unwrap_or(0.0).max(0.0);
			let x = x0 + k as f64 + 0.1;
			chart
				.draw_series(std::iter::once(Rectangle::new([(x, 0.0), (x + 0.8, h)], COLOURS[k % COLOURS.len()].filled())))
				.map_err(|e| err(&e))?;
			let label = v.map_or("-".to_string(), |v| format!("{v:.2}"));
			chart
				.draw_series(std::iter::once(Text::new(label, (x + 0.05, h + 0.04), ("sans-serif", 12))))
				.map_err(|e| err(&e))?;
		}
	}
	// Group names under each group's bars.
	for (g, (name, _, _)) in groups.iter().enumerate() {
		let centre = (g * per) as f64 + series.len() as f64 / 2.0;
		let (px, py) = chart.backend_coord(&(centre, 0.0));
		let style = ("sans-serif", 14).into_font().into_text_style(&root).pos(Pos::new(HPos::Center, VPos::Top));
		root.draw(&Text::new(name.clone(), (px, py + 8), style)).map_err(|e| err(&e))?;
	}
	// Legend, top right.
	for (k, name) in series.iter().enumerate() {
		let at = ((width.max(640) - 170) as i32, 40 + 18 * k as i32);
		let style = ("sans-serif", 14).into_font().color(&COLOURS[k % COLOURS.len()]);
		root.draw(&Text::new(format!("■ {name}"), at, style)).map_err(|e| err(&e))?;
	}
	root.present().map_err(|e| err(&e))?;
	Ok(())
}

/// Writes `audit-dimensions.png` and `audit-ablations.png` into `dir`; returns their paths.
pub fn write(dir: &Path, audits: &[FamilyAudit]) -> Result<Vec<PathBuf>, String> {
	std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
	let dims = dir.join("audit-dimensions.png");
	let mut series: Vec<&str> = DIMENSIONS.to_vec();
	series.push("composite");
	let groups: Vec<(String, Vec<Option<f64>>, f64)> = audits
		.iter()
		.map(|a| {
			let mut v: Vec<Option<f64>> = a.dimensions.iter().map(|d| d.0).collect();
			v.push(a.ablations[0].1);
			(format!("{} ({})", a.name, a.measure.name()), v, a.measure.chance())
		})
		.collect();
	grouped_bars(&dims, "Each dimension against the labels", &series, &groups)?;
	let abl = dir.join("audit-ablations.png");
	let names: Vec<&str> = audits.first().map(|a| a.ablations.iter().map(|(n, _)| *n).collect()).unwrap_or_default();
	let groups: Vec<(String, Vec<Option<f64>>, f64)> = audits
		.iter()
		.map(|a| (a.name.clone(), a.ablations.iter().map(|(_, m)| *m).collect(), a.measure.chance()))
		.collect();
	grouped_bars(&abl, "Composite and ablations", &names, &groups)?;
	let mut written = vec![dims, abl];
	let calibrated: Vec<&FamilyAudit> = audits.iter().filter(|a| !a.reliability.is_empty()).collect();
	if !calibrated.is_empty() {
		let rel = dir.join("audit-reliability.png");
		reliability(&rel, &calibrated)?;
		written.push(rel);
	}
	Ok(written)
}

/// The reliability diagram: per group, the share of right outputs against the mean predicted
/// alignment of each bin (a dot per bin, its size growing with the bin's count), joined by a line.
fn reliability(path: &Path, audits: &[&FamilyAudit]) -> Result<(), String> {
	register_font();
	let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
	let root = BitMapBackend::new(path, (760, 560)).into_drawing_area();
	root.fill(&WHITE).map_err(|e| err(&e))?;
	let mut chart = ChartBuilder::on(&root)
		.caption("Alignment as P(right): reliability", ("sans-serif", 20))
		.margin(12)
		.x_label_area_size(40)
		.y_label_area_size(48)
		.build_cartesian_2d(0f64..1f64, 0f64..1f64)
		.map_err(|e| err(&e))?;
	chart
		.configure_mesh()
		.x_desc("mean alignment of the bin")
		.y_desc("share of right outputs")
		.label_style(("sans-serif", 14))
		.draw()
		.map_err(|e| err(&e))?;
	chart
		.draw_series(DashedLineSeries::new(vec![(0.0, 0.0), (1.0, 1.0)], 4, 3, BLACK.stroke_width(1)))
		.map_err(|e| err(&e))?;
	let total = |a: &FamilyAudit| a.reliability.iter().map(|b| b.count).sum::<usize>().max(1) as f64;
	for (k, a) in audits.iter().enumerate() {
		let colour = COLOURS[k % COLOURS.len()];
		let points: Vec<(f64, f64)> = a.reliability.iter().map(|b| (b.predicted, b.observed)).collect();
		let ece = crate::stats::calibration_error(&a.reliability).unwrap_or(0.0);
		chart
			.draw_series(LineSeries::new(points, colour.stroke_width(2)))
			.map_err(|e| err(&e))?
			.label(format!("{} (ECE {ece:.2})", a.name))
			.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(3)));
		let n = total(a);
		chart
			.draw_series(a.reliability.iter().map(|b| {
				Circle::new((b.predicted, b.observed), 3 + (12.0 * (b.count as f64 / n).sqrt()) as i32, colour.filled())
			}))
			.map_err(|e| err(&e))?;
	}
	chart
		.configure_series_labels()
		.position(SeriesLabelPosition::UpperLeft)
		.background_style(WHITE.mix(0.8))
		.border_style(BLACK)
		.label_font(("sans-serif", 13))
		.draw()
		.map_err(|e| err(&e))?;
	root.present().map_err(|e| err(&e))?;
	Ok(())
}

/// The model leaderboard's chart: one panel per family, one row per model (best first) with
/// its 95% interval as a bar and its mean as a dot, labelled with its rank.
pub fn leaderboard(path: &Path, boards: &[(String, Vec<crate::leaderboard::Standing>)]) -> Result<(), String> {
	register_font();
	let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
	if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
		std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
	}
	let heights: Vec<u32> = boards.iter().map(|(_, rows)| 70 + 26 * rows.len().max(1) as u32).collect();
	let root = BitMapBackend::new(path, (900, heights.iter().sum::<u32>().max(120))).into_drawing_area();
	root.fill(&WHITE).map_err(|e| err(&e))?;
	let mut rest = root.clone();
	for ((family, rows), h) in boards.iter().zip(&heights) {
		let (panel, below) = rest.split_vertically(*h);
		rest = below;
		let n = rows.len().max(1) as u32;
		let label = |v: &SegmentValue<u32>| match v {
			// Row i is drawn at n - 1 - i, best at the top.
			SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => (n - 1)
				.checked_sub(*i)
				.and_then(|k| rows.get(k as usize))
				.map(|r| format!("{}. {}{}", r.rank, r.model, if r.retired { " (retired)" } else { "" }))
				.unwrap_or_default(),
			SegmentValue::Last => String::new(),
		};
		let mut chart = ChartBuilder::on(&panel)
			.caption(format!("{family}: mean quality of settled outputs, 95% interval"), ("sans-serif", 18))
			.margin(10)
			.x_label_area_size(28)
			.y_label_area_size(260)
			.build_cartesian_2d(0f64..1.2f64, (0u32..n).into_segmented())
			.map_err(|e| err(&e))?;
		chart
			.configure_mesh()
			.y_labels(n as usize)
			.y_label_formatter(&label)
			// The room right of 1 holds the means' labels, not qualities.
			.x_label_formatter(&|x| if *x <= 1.0 + 1e-9 { format!("{x:.1}") } else { String::new() })
			.disable_y_mesh()
			.label_style(("sans-serif", 14))
			.draw()
			.map_err(|e| err(&e))?;
		// Best at the top: row i is drawn at n - 1 - i.
		for (i, r) in rows.iter().enumerate() {
			let y = || SegmentValue::CenterOf(n - 1 - i as u32);
			let colour = COLOURS[(r.rank - 1) % COLOURS.len()];
			chart
				.draw_series(std::iter::once(PathElement::new(vec![(r.lo, y()), (r.hi, y())], colour.stroke_width(6))))
				.map_err(|e| err(&e))?;
			chart
				.draw_series(std::iter::once(Circle::new((r.mean, y()), 5, BLACK.filled())))
				.map_err(|e| err(&e))?;
			chart
				.draw_series(std::iter::once(Text::new(
					format!("{:.3} (n={})", r.mean, r.count),
					(r.hi + 0.01, y()),
					("sans-serif", 12),
				)))
				.map_err(|e| err(&e))?;
		}
	}
	root.present().map_err(|e| err(&e))?;
	Ok(())
}
