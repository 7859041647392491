//! Code tasks that carry tests: where the tests are, which part of an output is the program,
//! and how a verdict becomes a score.
//!
//! A Code task's reference may hold a test program after a line that reads exactly
//! [`TESTS_MARKER`]: what comes before it is the reference solution (it may be empty), what
//! comes after is Python that exercises the program's names (top-level `assert`s and `test*`
//! functions, see [`crate::sandbox`]). Such a task's alignment is the execution score of each
//! output: [`execution_score`] of its verdict. A Code task without the marker is scored as
//! before (the cross-encoder reads the output against the query or reference).

use crate::sandbox::Verdict;

/// The line that starts the test program in a Code task's reference.
pub const TESTS_MARKER: &str = "# poq-tests";

/// A Code reference split at [`TESTS_MARKER`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeReference<'a> {
	/// The reference solution (the text before the marker), if not blank.
	pub solution: Option<&'a str>,
	/// The test program (the text after the marker).
	pub tests: &'a str,
}

/// Splits a Code task's reference at its first [`TESTS_MARKER`] line; `None` without one (or
/// with an empty test program).
pub fn split_reference(reference: &str) -> Option<CodeReference<'_>> {
	let mut offset = 0;
	for line in reference.split_inclusive('\n') {
		if line.trim_end_matches(['\n', '\r']).trim_end() == TESTS_MARKER {
			let solution = reference[..offset].trim_end();
			let tests = &reference[offset + line.len()..];
			if tests.trim().is_empty() {
				return None;
			}
			return Some(CodeReference { solution: (!solution.trim().is_empty()).then_some(solution), tests });
		}
		offset += line.len();
	}
	None
}

/// The program of an output: the contents of its fenced code blocks (```` ``` ```` or
/// ```` ```python ````), joined, when it has any; otherwise the whole output.
pub fn program_of(output: &str) -> String {
	let mut blocks = Vec::new();
	let mut current: Option<Vec<&str>> = None;
	for line in output.lines() {
		let fence = line.trim_start().starts_with("```");
		match (&mut current, fence) {
			(None, true) => current = Some(Vec::new()),
			(Some(lines), true) => {
				blocks.push(lines.join("\n"));
				current = None;
			},
			(Some(lines), false) => lines.push(line),
			(None, false) => {},
		}
	}
	if blocks.is_empty() {
		output.to_string()
	} else {
		blocks.join("\n\n")
	}
}

/// The execution score of a verdict: the square of the share of tests passed (1 when every
/// test passes; one failure in ten gives 0.81), 0 for a refused program. Squared so that a
/// program that fails a test loses more than its share: a user asked for a program that works.
pub fn execution_score(verdict: &Verdict) -> f64 {
	if verdict.refused.is_some() {
		return 0.0;
	}
	let s = verdict.share();
	s * s
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::sandbox::Outcome;

	#[test]
	fn the_reference_splits_at_the_marker_line() {
		let r = "def f(x):\n    return x\n# poq-tests\nassert f(1) == 1\n";
		let c = split_reference(r).unwrap();
		assert_eq!(c.solution, Some("def f(x):\n    return x"));
		assert_eq!(c.tests, "assert f(1) == 1\n");
		let only = split_reference("# poq-tests\nassert f(1) == 1").unwrap();
		assert_eq!(only.solution, None);
		assert!(split_reference("def f(x): return x  # poq-tests").is_none());
		assert!(split_reference("def f(x): return x\n# poq-tests\n  \n").is_none());
		assert!(split_reference("Paris").is_none());
	}

	#[test]
	fn the_program_is_the_fenced_code_when_there_is_some() {
		assert_eq!(program_of("def f(): pass"), "def f(): pass");
		let md = "Here it is:\n```python\ndef f():\n    return 1\n```\nand a helper\n```\ng = 2\n```\nDone.";
		assert_eq!(program_of(md), "def f():\n    return 1\n\ng = 2");
		// An unclosed fence is not a block.
		assert_eq!(program_of("```python\nx = 1"), "```python\nx = 1");
	}

	#[test]
	fn the_score_is_the_squared_share_and_zero_when_refused() {
		let v = |pass: usize, fail: usize, refused: bool| Verdict {
			outcomes: std::iter::repeat(Outcome::Pass)
				.take(pass)
				.chain(std::iter::repeat(Outcome::Fail("x".into())).take(fail))
				.collect(),
			refused: refused.then(|| "import os".to_string()),
			fuel: 0,
		};
		assert_eq!(execution_score(&v(4, 0, false)), 1.0);
		assert!((execution_score(&v(9, 1, false)) - 0.81).abs() < 1e-12);
		assert_eq!(execution_score(&v(0, 3, false)), 0.0);
		assert_eq!(execution_score(&v(0, 3, true)), 0.0);
	}
}
