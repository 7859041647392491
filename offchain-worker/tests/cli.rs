//! The `poq-scorer` command line, run as a process with the real model set.

use std::{io::Write, process::{Command, Stdio}};

fn scorer() -> Command {
	Command::new(env!("CARGO_BIN_EXE_poq-scorer"))
}

#[test]
fn score_reports_bad_lines_by_number_and_scores_the_rest() {
	let input = [
		r#"{"query": "What is the capital of France?", "output": "Paris is the capital.", "family": "qa", "task": "t1"}"#,
		r#"{"query": "What is the capital of France?", "output": "Bananas.", "family": "qa", "task": "t1"}"#,
		r#"{"query": "missing output", "family": "qa"}"#,
		r#"not json"#,
		r#"{"query": "Write hello world in C.", "output": "int main() { puts(\"hello\"); }", "family": "code"}"#,
		r#"{"query": "q", "output": "o", "family": "poetry"}"#,
		// The chain's names: family `Qa`, integer task ids.
		r#"{"query": "Who wrote Hamlet?", "output": "William Shakespeare wrote Hamlet.", "family": "Qa", "task": 7}"#,
		r#"{"query": "Who wrote Hamlet?", "output": "Hamlet was written by Shakespeare.", "family": "Qa", "task": "7"}"#,
		r#"{"query": "Summarise: the cat sat on the mat.", "output": "A cat sat on a mat.", "family": "Summarization", "task": 8}"#,
		r#"{"query": "q", "output": "o", "family": "Qa", "task": -1}"#,
		r#"{"query": "q", "output": "o", "family": "Qa", "task": [1]}"#,
	]
	.join("\n");
	let mut child = scorer()
		.args(["score"])
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.unwrap();
	child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
	let out = child.wait_with_output().unwrap();
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(out.status.success(), "{stderr}");
	let lines: Vec<serde_json::Value> =
		String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
	assert_eq!(lines.len(), 11);
	for (i, l) in lines.iter().enumerate() {
		assert_eq!(l["line"], i + 1);
	}
	for i in [0, 1, 4, 6, 7, 8] {
		for d in ["structure", "semantic", "alignment"] {
			let v = lines[i][d].as_f64().unwrap_or_else(|| panic!("line {} has no {d}: {}", i + 1, lines[i]));
			assert!((0.0..=1.0).contains(&v));
		}
	}
	for i in [2, 3, 5, 9, 10] {
		assert!(lines[i]["error"].is_string(), "line {}: {}", i + 1, lines[i]);
	}
	assert!(stderr.contains("line 3: missing field `output`"), "{stderr}");
	assert!(stderr.contains("line 4:"), "{stderr}");
	assert!(stderr.contains("line 6: unknown variant `poetry`"), "{stderr}");
	assert!(stderr.contains("line 10: task must be a non-negative integer or a string, not -1"), "{stderr}");
	assert!(stderr.contains("line 11: task must be a non-negative integer or a string, not [1]"), "{stderr}");
	assert_eq!(stderr.lines().filter(|l| l.starts_with("line ")).count(), 5, "one line per bad input line: {stderr}");
	assert!(stderr.contains("scored 11 lines (5 with errors)"), "{stderr}");
	// Two QA answers alone without a reference: neither can be corroborated, the semantic score
	// tells the on-topic one.
	assert_eq!(lines[0]["alignment"], lines[1]["alignment"]);
	assert!(lines[0]["semantic"].as_f64() > lines[1]["semantic"].as_f64());
}

#[test]
fn models_prints_the_set_and_a_missing_directory_is_one_line() {
	let out = scorer().arg("models").output().unwrap();
	let stdout = String::from_utf8_lossy(&out.stdout);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	assert!(stdout.contains("embedding.onnx"));
	assert!(stdout.contains("model set identity: 0x"));

	let out = scorer().args(["--models", "/nonexistent/poq-models", "models"]).output().unwrap();
	assert_eq!(out.status.code(), Some(1));
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert_eq!(stderr.lines().count(), 1, "{stderr}");
	assert!(stderr.starts_with("Error: models directory /nonexistent/poq-models does not exist"), "{stderr}");
}

#[test]
fn score_runs_code_with_tests_and_reports_the_counts() {
	let reference = "def total(numbers):\n    return sum(numbers)\n# poq-tests\nassert total([1, 2, 3]) == 6\nassert total([]) == 0\n";
	let line = |output: &str| {
		serde_json::json!({ "query": "Write total(numbers), the sum of a list.", "reference": reference, "output": output, "family": "Code", "task": 1 })
			.to_string()
	};
	let input = [line("def total(numbers):\n    return sum(numbers)"), line("def total(numbers):\n    return max(numbers)")].join("\n");
	let mut child = scorer().args(["score"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
	child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
	let out = child.wait_with_output().unwrap();
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let lines: Vec<serde_json::Value> =
		String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
	assert_eq!(lines[0]["tests"], serde_json::json!({ "passed": 2, "total": 2 }));
	assert_eq!(lines[0]["alignment"], 1.0);
	assert_eq!(lines[1]["tests"], serde_json::json!({ "passed": 0, "total": 2 }));
	assert_eq!(lines[1]["alignment"], 0.0);
}

/// The development figure of the code sandbox (`bench-code`): with tests, the composite prefers
/// the correct program to its failing one-operator copy in at least 95% of the problems.
#[test]
fn bench_code_prefers_the_working_program() {
	let out = scorer().args(["--threads", "1", "bench-code"]).output().unwrap();
	let stdout = String::from_utf8_lossy(&out.stdout);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	println!("{stdout}");
	let row = stdout.lines().find(|l| l.contains("tests in the reference")).expect("the row");
	let cell = row.split('|').nth(2).unwrap().trim();
	let (wins, pairs): (usize, usize) = {
		let mut w = cell.split(" of ");
		(w.next().unwrap().parse().unwrap(), w.next().unwrap().split(' ').next().unwrap().parse().unwrap())
	};
	assert!(pairs >= 25, "{stdout}");
	assert!(wins * 100 >= pairs * 95, "{stdout}");
}
