//! `poq-scorer bench-code`: the code sandbox measured on the project's own problems
//! (`data/code-dev.json`, written by `python/code_dev.py`; not from any public benchmark).
//!
//! For each problem the correct solution is paired with its first one-operator copy (in source
//! order) that fails at least one of the problem's tests, as the acceptance set is
//! built. Both are scored as one Code task, with the tests in the reference and without them,
//! and the evaluator-side composite (the chain's default weights) must prefer the correct
//! program. Timing: each task's scoring time per output, on the engine's threads.

use crate::{audit::DEFAULT_WEIGHTS, code::TESTS_MARKER, Engine, Family, TaskInput};
use serde::Deserialize;
use std::time::Instant;

/// The development problems, as JSON.
pub const DEV_SET: &str = include_str!("../data/code-dev.json");

/// One problem of the development set.
#[derive(Clone, Debug, Deserialize)]
pub struct Problem {
	/// Short name.
	pub name: String,
	/// The query a user would post.
	pub query: String,
	/// A correct program.
	pub solution: String,
	/// The test program.
	pub tests: String,
}

/// The development problems.
pub fn problems() -> Vec<Problem> {
	serde_json::from_str(DEV_SET).expect("data/code-dev.json is valid (checked by a test)")
}

/// Operator changes a mutant makes, each at one place.
const SWAPS: &[(&str, &str)] = &[
	(" + ", " - "),
	(" - ", " + "),
	(" * ", " + "),
	(" // ", " * "),
	(" % ", " // "),
	(" < ", " <= "),
	(" <= ", " < "),
	(" > ", " >= "),
	(" >= ", " > "),
	(" == ", " != "),
	(" != ", " == "),
	(" and ", " or "),
	(" or ", " and "),
	(" += ", " -= "),
	(" -= ", " += "),
	(" *= ", " += "),
	(" not in ", " in "),
	("return not ", "return "),
	("if ", "if not "),
	("[-1]", "[0]"),
	("[::-1]", "[::1]"),
];

/// Every copy of `src` with one operator changed, in the order of the changed position.
pub fn mutants(src: &str) -> Vec<String> {
	let mut found: Vec<(usize, String)> = Vec::new();
	for (from, to) in SWAPS {
		for (at, _) in src.match_indices(from) {
			found.push((at, format!("{}{to}{}", &src[..at], &src[at + from.len()..])));
		}
	}
	found.sort_by_key(|(at, _)| *at);
	found.into_iter().map(|(_, m)| m).collect()
}

/// The figures of one run.
#[derive(Clone, Debug, Default)]
pub struct Figures {
	/// Problems in the set.
	pub problems: usize,
	/// Problems with a one-operator copy that fails a test (the pairs measured).
	pub pairs: usize,
	/// Pairs whose composite prefers the correct program, tests in the reference.
	pub wins_with_tests: usize,
	/// The same without tests (the cross-encoder reads the code against the query).
	pub wins_without_tests: usize,
	/// Seconds to compile the sandbox (first use).
	pub compile_seconds: f64,
	/// Seconds per output, with tests (the task's scoring time over its outputs), sorted.
	pub per_output_seconds: Vec<f64>,
	/// Fuel of each correct program's run, sorted.
	pub fuel: Vec<u64>,
}

impl Figures {
	/// The `q` quantile (nearest rank) of the per-output time.
	pub fn seconds_quantile(&self, q: f64) -> f64 {
		quantile(&self.per_output_seconds, q).unwrap_or(f64::NAN)
	}

	/// The `q` quantile (nearest rank) of the correct programs' fuel; 0 without problems.
	pub fn fuel_quantile(&self, q: f64) -> u64 {
		quantile(&self.fuel, q).unwrap_or(0)
	}
}

/// The `q` quantile (nearest rank) of sorted values; `None` when there are none.
fn quantile<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
	if sorted.is_empty() {
		return None;
	}
	let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
	Some(sorted[rank - 1])
}

fn composite(s: &crate::Scores) -> f64 {
	let w = [DEFAULT_WEIGHTS[2] as f64, DEFAULT_WEIGHTS[3] as f64, DEFAULT_WEIGHTS[4] as f64];
	crate::audit::composite(&w, &[s.structure, s.semantic, s.alignment])
}

/// Runs the benchmark over `problems`.
pub fn run(engine: &Engine, problems: &[Problem]) -> Result<Figures, String> {
	let started = Instant::now();
	let sandbox = engine.sandbox().map_err(|e| e.to_string())?;
	let mut fig = Figures { problems: problems.len(), compile_seconds: started.elapsed().as_secs_f64(), ..Default::default() };
	for p in problems {
		let good = sandbox.run(&p.solution, &p.tests).map_err(|e| format!("{}: {e}", p.name))?;
		if good.passed() != good.total() {
			return Err(format!("{}: the solution fails its own tests: {good:?}", p.name));
		}
		fig.fuel.push(good.fuel);
		let mut failing = None;
		for m in mutants(&p.solution) {
			let v = sandbox.run(&m, &p.tests).map_err(|e| format!("{}: {e}", p.name))?;
			if v.passed() < v.total() {
				failing = Some(m);
				break;
			}
		}
		let Some(mutant) = failing else { continue };
		fig.pairs += 1;
		let reference = format!("{TESTS_MARKER}\n{}", p.tests);
		let outputs = vec![p.solution.as_str(), mutant.as_str()];
		let task = TaskInput { family: Family::Code, query: &p.query, reference: Some(&reference), outputs };
		let t = Instant::now();
		let with = engine.score_task(&task).map_err(|e| e.to_string())?;
		fig.per_output_seconds.push(t.elapsed().as_secs_f64() / 2.0);
		let without = engine.score_task(&TaskInput { reference: None, ..task }).map_err(|e| e.to_string())?;
		fig.wins_with_tests += usize::from(composite(&with[0]) > composite(&with[1]));
		fig.wins_without_tests += usize::from(composite(&without[0]) > composite(&without[1]));
	}
	fig.per_output_seconds.sort_by(f64::total_cmp);
	fig.fuel.sort_unstable();
	Ok(fig)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_dev_set_parses_and_every_solution_has_mutants() {
		let ps = problems();
		assert!(ps.len() >= 30);
		for p in &ps {
			assert!(!mutants(&p.solution).is_empty(), "{}", p.name);
		}
	}

	#[test]
	fn a_mutant_changes_one_operator() {
		let m = mutants("a = b + c - d");
		assert_eq!(m, vec!["a = b - c - d".to_string(), "a = b + c + d".to_string()]);
	}

	#[test]
	fn quantiles_take_the_nearest_rank() {
		let xs = [1.0, 2.0, 3.0, 4.0];
		assert_eq!(quantile(&xs, 0.5), Some(2.0));
		assert_eq!(quantile(&xs, 0.95), Some(4.0));
		assert_eq!(quantile::<f64>(&[], 0.5), None);
		assert_eq!(quantile(&[7u64, 9], 1.0), Some(9));
	}
}
