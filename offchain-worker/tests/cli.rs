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
	assert!(lines[0]["alignment"].as_f64() > lines[1]["alignment"].as_f64());
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
