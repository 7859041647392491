//! `poq-scorer`: the scoring engine from the command line.
//!
//! - `poq-scorer score [INPUT] [-o OUTPUT]` reads JSON lines `{query, output, reference?, family,
//!   task?}` and writes one line per input line: the three scores, or the error of that line.
//!   Lines with the same `task` are scored together (the semantic score of an output without a
//!   reference compares it with the task's other outputs).
//!   With `--evidence`, each line also carries the evidence its alignment combines (the
//!   cross-encoder's own score and the word features).
//! - `poq-scorer models` prints the model set, each file's sha256 and the set's identity.
//! - `poq-scorer bench` measures the scoring time of a task of 8 outputs with a 4 KB source,
//!   outputs per second on short tasks and peak memory, and the same with Python onnxruntime
//!   (`offchain-worker/python/bench.py`) on the same work, and prints both with their ratio.
//! - `poq-scorer audit` reads scored outputs with reference labels and measures each dimension
//!   against them (see `audit.rs`).
//! - `poq-scorer leaderboard [INPUT] [--png PATH]` reads the chain's per (model, family) quality
//!   statistics (`scripts/leaderboard.sh` fetches them) and prints each family's model
//!   leaderboard: mean, 95% interval, Arena-style rank; and draws it (see `leaderboard.rs`).

use clap::{Parser, Subcommand};
use poq_scorer::{Device, Engine, EngineOptions, Family, TaskInput};
use serde::Deserialize;
use std::{
	collections::BTreeMap,
	io::{BufRead, IsTerminal, Write},
	path::PathBuf,
	time::Instant,
};

#[derive(Parser)]
#[command(name = "poq-scorer", version, about = "Proof-of-Quality scoring engine: structure, semantic and alignment scores with ONNX Runtime")]
struct Cli {
	#[command(flatten)]
	engine: EngineArgs,
	#[command(subcommand)]
	command: Command,
}

#[derive(clap::Args)]
struct EngineArgs {
	/// The models directory (filled by scripts/models.sh); default `$POQ_MODELS_DIR`, else
	/// `~/.cache/poq-models/default`.
	#[arg(long, global = true, default_value_os_t = default_models_dir())]
	models: PathBuf,
	/// Intra-op threads per model; 0 lets ONNX Runtime choose (one per core).
	#[arg(long, global = true, default_value_t = 0)]
	threads: usize,
	/// Execution device; `cuda` falls back to the CPU with a log line when unavailable.
	#[arg(long, global = true, value_enum, default_value_t = Device::Cpu)]
	device: Device,
	/// Texts per model run.
	#[arg(long, global = true, default_value_t = 32)]
	batch: usize,
}

#[derive(Subcommand)]
enum Command {
	/// Scores JSON lines: {query, output, reference?, family, task?}.
	Score {
		/// Input file (default: standard input).
		input: Option<PathBuf>,
		/// Output file (default: standard output).
		#[arg(short, long)]
		output: Option<PathBuf>,
		/// Also write each output's evidence where its alignment combines it (the
		/// cross-encoder's own score and the word features, see `evidence.rs`): the input of
		/// `scripts/train-alignment.sh`.
		#[arg(long)]
		evidence: bool,
	},
	/// Prints the model set and its hashes.
	Models,
	/// Audits scored outputs against reference labels: per family and dimension, the agreement
	/// with the labels, the composite and its ablations, and proposed weights with their call
	/// data. Input: JSON lines {family, structure, semantic, alignment} with a `label`, or a
	/// `pair` and `better` (see `audit.rs`).
	Audit {
		/// Input file (default: standard input).
		input: Option<PathBuf>,
		/// The six composite weights audited, in parts per million, in the chain's order (model
		/// prior, cost prior, structure, semantic, alignment, agreement); default: the chain's.
		#[arg(long, value_delimiter = ',')]
		weights: Option<Vec<u32>>,
		/// Where the PNG charts go.
		#[arg(long, default_value = "audit-plots")]
		plots: PathBuf,
	},
	/// Measures the code sandbox on the project's development problems: how often the composite
	/// prefers a correct program to its one-operator copy that fails a test (with the tests in the
	/// reference, and without), the scoring time per output (p50, p95) and memory.
	BenchCode,
	/// Prints the model leaderboard of each family from the chain's statistics of settled
	/// quality: mean, 95% interval and Arena-style rank (models whose intervals overlap share a
	/// rank), and draws it as a PNG. Input: JSON lines {model, family, count, sum, sum_sq,
	/// retired?} as `scripts/leaderboard.sh` writes them.
	Leaderboard {
		/// Input file (default: standard input).
		input: Option<PathBuf>,
		/// Only this family (Qa, Summarization, Code, Open).
		#[arg(long)]
		family: Option<String>,
		/// Leave out models with fewer settled outputs.
		#[arg(long, default_value_t = 1)]
		min_outputs: u64,
		/// Where the chart goes.
		#[arg(long, default_value = "leaderboard.png")]
		png: PathBuf,
		/// Print the leaderboards as JSON instead of tables.
		#[arg(long)]
		json: bool,
	},
	/// Benchmarks the engine against Python onnxruntime.
	Bench {
		/// Short tasks (a query, a reference, 4 outputs) in the throughput measurement.
		#[arg(long, default_value_t = 32)]
		tasks: usize,
		/// Python with onnxruntime, numpy and tokenizers (scripts/models.sh --python makes one);
		/// default `$POQ_PYTHON`.
		#[arg(long)]
		python: Option<PathBuf>,
	},
}

fn default_models_dir() -> PathBuf {
	if let Some(d) = std::env::var_os("POQ_MODELS_DIR").filter(|d| !d.is_empty()) {
		return PathBuf::from(d);
	}
	let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
	home.join(".cache/poq-models/default")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
	query: String,
	output: String,
	#[serde(default)]
	reference: Option<String>,
	family: Family,
	/// The task an output belongs to: the chain's integer id or any string.
	#[serde(default, deserialize_with = "task_key")]
	task: Option<String>,
}

/// A task key from an integer (the chain's task ids) or a string; `7` and `"7"` are one task.
fn task_key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
	use serde::de::Error;
	match Option::<serde_json::Value>::deserialize(d)? {
		None | Some(serde_json::Value::Null) => Ok(None),
		Some(serde_json::Value::String(s)) => Ok(Some(s)),
		Some(serde_json::Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
		Some(other) => Err(D::Error::custom(format!("task must be a non-negative integer or a string, not {other}"))),
	}
}

fn main() {
	env_logger_init();
	let cli = Cli::parse();
	let opts = EngineOptions {
		models_dir: cli.engine.models.clone(),
		threads: cli.engine.threads,
		device: cli.engine.device,
		batch: cli.engine.batch,
	};
	let result = match cli.command {
		Command::Score { input, output, evidence } => score(&opts, input, output, evidence),
		Command::Models => models(&opts),
		Command::Bench { tasks, python } => bench(&opts, tasks, python),
		Command::BenchCode => bench_code(&opts),
		Command::Audit { input, weights, plots } => audit(input, weights, &plots),
		Command::Leaderboard { input, family, min_outputs, png, json } =>
			leaderboard(input, family, min_outputs, &png, json),
	};
	if let Err(e) = result {
		eprintln!("Error: {e}");
		std::process::exit(1);
	}
}

/// Log lines (warnings and above, or `RUST_LOG=info`) to standard error.
fn env_logger_init() {
	struct Stderr(log::LevelFilter);
	impl log::Log for Stderr {
		fn enabled(&self, m: &log::Metadata) -> bool {
			m.level() <= self.0
		}
		fn log(&self, r: &log::Record) {
			if self.enabled(r.metadata()) {
				eprintln!("{} {}: {}", r.level(), r.target(), r.args());
			}
		}
		fn flush(&self) {}
	}
	let level = match std::env::var("RUST_LOG").as_deref() {
		Ok("debug") => log::LevelFilter::Debug,
		Ok("info") => log::LevelFilter::Info,
		_ => log::LevelFilter::Warn,
	};
	let _ = log::set_boxed_logger(Box::new(Stderr(level)));
	log::set_max_level(level);
}

fn score(opts: &EngineOptions, input: Option<PathBuf>, output: Option<PathBuf>, with_evidence: bool) -> Result<(), String> {
	let reader: Box<dyn BufRead> = match &input {
		Some(p) => Box::new(std::io::BufReader::new(
			std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
		)),
		None => Box::new(std::io::stdin().lock()),
	};
	let mut writer: Box<dyn Write> = match &output {
		Some(p) => Box::new(std::io::BufWriter::new(
			std::fs::File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))?,
		)),
		None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
	};
	let engine = Engine::new(opts).map_err(|e| e.to_string())?;
	let started = Instant::now();

	// Parse every line; errors are reported and the run goes on.
	let mut results: BTreeMap<usize, serde_json::Value> = BTreeMap::new();
	let mut tasks: BTreeMap<String, Vec<(usize, Line)>> = BTreeMap::new();
	let mut total = 0usize;
	for (i, line) in reader.lines().enumerate() {
		let n = i + 1;
		let line = line.map_err(|e| format!("cannot read input: {e}"))?;
		if line.trim().is_empty() {
			continue;
		}
		total += 1;
		match serde_json::from_str::<Line>(&line) {
			Ok(l) => {
				let key = l.task.clone().map_or_else(|| format!("\u{0}line {n}"), |t| format!("task {t}"));
				tasks.entry(key).or_default().push((n, l));
			},
			Err(e) => {
				eprintln!("line {n}: {e}");
				results.insert(n, serde_json::json!({ "line": n, "error": e.to_string() }));
			},
		}
	}
	let progress = std::io::stderr().is_terminal() && total > 20;
	let mut done = results.len();
	for (_, lines) in tasks {
		let (family, query, reference) = (lines[0].1.family, lines[0].1.query.as_str(), lines[0].1.reference.as_deref());
		let mismatched = lines.iter().any(|(_, l)| l.family != family || l.query != query || l.reference.as_deref() != reference);
		if mismatched {
			for (n, _) in &lines {
				let e = "lines of one task must share query, reference and family";
				eprintln!("line {n}: {e}");
				results.insert(*n, serde_json::json!({ "line": n, "error": e }));
			}
		} else {
			let task = TaskInput { family, query, reference, outputs: lines.iter().map(|(_, l)| l.output.as_str()).collect() };
			match engine.score_task_with_evidence(&task) {
				Ok(scores) =>
					for ((n, _), (s, e)) in lines.iter().zip(scores) {
						let mut v = serde_json::json!({ "line": n, "structure": s.structure, "semantic": s.semantic, "alignment": s.alignment });
						if let Some(t) = s.tests {
							v["tests"] = serde_json::json!({ "passed": t.passed, "total": t.total });
						}
						if let (true, Some(e)) = (with_evidence, e) {
							v["evidence"] = serde_json::json!(e);
						}
						results.insert(*n, v);
					},
				Err(e) =>
					for (n, _) in &lines {
						eprintln!("line {n}: {e}");
						results.insert(*n, serde_json::json!({ "line": n, "error": e.to_string() }));
					},
			}
		}
		done += lines.len();
		if progress {
			let width = 30;
			let filled = width * done / total.max(1);
			eprint!("\rscoring [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(width - filled));
		}
	}
	if progress {
		eprintln!();
	}
	let errors = results.values().filter(|v| v.get("error").is_some()).count();
	for v in results.values() {
		writeln!(writer, "{v}").map_err(|e| format!("cannot write output: {e}"))?;
	}
	writer.flush().map_err(|e| format!("cannot write output: {e}"))?;
	eprintln!("scored {} lines ({errors} with errors) in {:.1} s", total, started.elapsed().as_secs_f64());
	Ok(())
}

fn models(opts: &EngineOptions) -> Result<(), String> {
	let engine = Engine::new(opts).map_err(|e| e.to_string())?;
	let set = engine.model_set();
	println!("models directory: {}", set.dir.display());
	for f in &set.files {
		println!("  {:<30} {}", f.name, f.sha256);
	}
	println!("device: {:?}", engine.device());
	println!("model set identity: 0x{}", hex::encode(engine.identity()));
	Ok(())
}

fn audit(input: Option<PathBuf>, weights: Option<Vec<u32>>, plots: &std::path::Path) -> Result<(), String> {
	use poq_scorer::audit;
	let weights: [u32; 6] = match weights {
		None => audit::DEFAULT_WEIGHTS,
		Some(w) if w.len() == 6 && w.iter().all(|x| *x <= 1_000_000) => [w[0], w[1], w[2], w[3], w[4], w[5]],
		Some(_) => return Err("--weights: six parts per million separated by commas, each at most 1000000".into()),
	};
	let text = match &input {
		Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
		None => std::io::read_to_string(std::io::stdin()).map_err(|e| format!("cannot read input: {e}"))?,
	};
	let mut rows = Vec::new();
	let mut bad = 0usize;
	for (i, line) in text.lines().enumerate() {
		if line.trim().is_empty() {
			continue;
		}
		match serde_json::from_str::<audit::Row>(line) {
			Ok(r) => rows.push((i + 1, r)),
			Err(e) => {
				eprintln!("line {}: {e}", i + 1);
				bad += 1;
			},
		}
	}
	let (data, errors) = audit::group(rows);
	for e in &errors {
		eprintln!("{e}");
	}
	let audits = audit::audit(&data, &weights);
	if audits.is_empty() {
		return Err("no labelled outputs to audit".into());
	}
	print!("{}", audit::render(&audits, &weights));
	let written = poq_scorer::plot::write(plots, &audits)?;
	for p in written {
		eprintln!("wrote {}", p.display());
	}
	if bad + errors.len() > 0 {
		eprintln!("{} lines left out", bad + errors.len());
	}
	Ok(())
}

/// Peak resident memory of this process, in MiB (Linux `VmHWM`).
/// `poq-scorer leaderboard`: see [`poq_scorer::leaderboard`].
fn leaderboard(
	input: Option<PathBuf>,
	family: Option<String>,
	min_outputs: u64,
	png: &std::path::Path,
	json: bool,
) -> Result<(), String> {
	use poq_scorer::leaderboard::{leaderboards, render, StatsLine};
	const FAMILIES: [&str; 4] = ["Qa", "Summarization", "Code", "Open"];
	if let Some(f) = &family {
		if !FAMILIES.iter().any(|x| x.eq_ignore_ascii_case(f)) {
			return Err(format!("--family {f}: expected one of {}", FAMILIES.join(", ")));
		}
	}
	let name = input.as_ref().map_or("standard input".to_string(), |p| p.display().to_string());
	let reader: Box<dyn BufRead> = match &input {
		Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("{name}: {e}"))?)),
		None => Box::new(std::io::stdin().lock()),
	};
	let mut lines = Vec::new();
	for (i, l) in reader.lines().enumerate() {
		let l = l.map_err(|e| format!("{name}: {e}"))?;
		if l.trim().is_empty() {
			continue;
		}
		let row: StatsLine = serde_json::from_str(&l).map_err(|e| format!("{name} line {}: {e}", i + 1))?;
		if family.as_ref().is_none_or(|f| f.eq_ignore_ascii_case(&row.family)) {
			lines.push(row);
		}
	}
	let boards = leaderboards(&lines, min_outputs);
	if json {
		let v: Vec<serde_json::Value> =
			boards.iter().map(|(f, rows)| serde_json::json!({ "family": f, "models": rows })).collect();
		println!("{}", serde_json::Value::Array(v));
	} else if boards.is_empty() {
		println!("no model has a settled output yet");
	} else {
		print!("{}", render(&boards));
	}
	if !boards.is_empty() {
		poq_scorer::plot::leaderboard(png, &boards)?;
		if !json {
			println!("chart: {}", png.display());
		}
	}
	Ok(())
}

pub fn peak_rss_mib() -> f64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
		.and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
		.map_or(0.0, |kib| kib / 1024.0)
}

/// Deterministic benchmark work: a source of at least 4 KB with 8 summaries (sentences of the
/// same vocabulary), and `n` short tasks with a query, a reference and 4 outputs.
pub fn bench_work(n: usize) -> serde_json::Value {
	const WORDS: [&str; 24] = [
		"the", "model", "answer", "quality", "chain", "evaluator", "scores", "output", "query", "paris",
		"capital", "france", "river", "summary", "code", "function", "returns", "value", "because", "data",
		"network", "block", "reward", "trust",
	];
	let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
	let mut next = || {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		x
	};
	let mut sentence = |len: usize| {
		let s = (0..len).map(|_| WORDS[(next() % 24) as usize]).collect::<Vec<_>>().join(" ");
		let mut c = s.chars();
		c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default() + "."
	};
	let mut source = String::from("Summarize the following text.");
	let mut k = 0;
	while source.len() < 4096 {
		source.push(' ');
		source.push_str(&sentence(10 + k % 15));
		k += 1;
	}
	let long_outputs: Vec<String> = (0..8).map(|i| (0..3).map(|j| sentence(8 + (i + j) % 10)).collect::<Vec<_>>().join(" ")).collect();
	let short: Vec<serde_json::Value> = (0..n)
		.map(|i| {
			serde_json::json!({
				"query": sentence(6 + i % 8).replace('.', "?"),
				"reference": sentence(8 + i % 12),
				"outputs": (0..4).map(|j| sentence(5 + (i + j) % 20)).collect::<Vec<_>>(),
			})
		})
		.collect();
	serde_json::json!({ "long": { "query": source, "outputs": long_outputs }, "short": short })
}

fn bench(opts: &EngineOptions, n: usize, python: Option<PathBuf>) -> Result<(), String> {
	let work = bench_work(n);
	let engine = Engine::new(opts).map_err(|e| e.to_string())?;
	let long_query = work["long"]["query"].as_str().unwrap_or_default();
	let long_outputs: Vec<&str> = work["long"]["outputs"].as_array().into_iter().flatten().filter_map(|o| o.as_str()).collect();
	let score_as = |family: Family, query: &str, reference: Option<&str>, outputs: Vec<&str>| -> Result<(), String> {
		let task = TaskInput { family, query, reference, outputs };
		engine.score_task(&task).map(|_| ()).map_err(|e| e.to_string())
	};
	let score = |query: &str, reference: Option<&str>, outputs: Vec<&str>| score_as(Family::Summarization, query, reference, outputs);
	score("warm up", None, vec!["warm up"])?;
	let mut runs = Vec::new();
	for _ in 0..3 {
		let t = Instant::now();
		score(long_query, None, long_outputs.clone())?;
		runs.push(t.elapsed().as_secs_f64());
	}
	runs.sort_by(f64::total_cmp);
	let long = runs[1];
	let t = Instant::now();
	let mut outputs = 0usize;
	for task in work["short"].as_array().into_iter().flatten() {
		let outs: Vec<&str> = task["outputs"].as_array().into_iter().flatten().filter_map(|o| o.as_str()).collect();
		outputs += outs.len();
		score(task["query"].as_str().unwrap_or_default(), task["reference"].as_str(), outs)?;
	}
	let short = outputs as f64 / t.elapsed().as_secs_f64();
	// The same short tasks without their reference: as Open tasks (the judge reads them), as Qa
	// tasks (the outputs corroborate each other: 4 x 3 readings) and as Code tasks (the
	// cross-encoder reads each output against the query, as Open and Qa tasks were read before).
	let unreferenced = |family: Family| -> Result<f64, String> {
		let t = Instant::now();
		for task in work["short"].as_array().into_iter().flatten() {
			let outs: Vec<&str> = task["outputs"].as_array().into_iter().flatten().filter_map(|o| o.as_str()).collect();
			score_as(family, task["query"].as_str().unwrap_or_default(), None, outs)?;
		}
		Ok(outputs as f64 / t.elapsed().as_secs_f64())
	};
	let judged = unreferenced(Family::Open)?;
	let corroborated = unreferenced(Family::Qa)?;
	let cross_read = unreferenced(Family::Code)?;
	let rust_rss = peak_rss_mib();

	let py = python.or_else(|| std::env::var_os("POQ_PYTHON").map(PathBuf::from)).ok_or("no Python given: pass --python or set POQ_PYTHON (scripts/models.sh --python makes one)")?;
	let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/bench.py");
	let input = std::env::temp_dir().join(format!("poq-bench-{}.json", std::process::id()));
	std::fs::write(&input, work.to_string()).map_err(|e| e.to_string())?;
	let out = std::process::Command::new(&py)
		.arg(&script)
		.arg(&input)
		.arg(&opts.models_dir)
		.arg(opts.threads.to_string())
		.output()
		.map_err(|e| format!("cannot run {}: {e}", py.display()))?;
	let _ = std::fs::remove_file(&input);
	if !out.status.success() {
		return Err(format!("python benchmark failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
	}
	let pyres: serde_json::Value =
		serde_json::from_slice(&out.stdout).map_err(|e| format!("python benchmark output: {e}"))?;
	let p_long = pyres["long_task_seconds"].as_f64().unwrap_or(f64::NAN);
	let p_short = pyres["short_outputs_per_second"].as_f64().unwrap_or(f64::NAN);
	let prss = pyres["peak_rss_mib"].as_f64().unwrap_or(f64::NAN);
	let threads = if opts.threads == 0 { "ONNX Runtime default (one per core)".to_string() } else { opts.threads.to_string() };
	println!("| measure | Rust engine | Python onnxruntime | Python / Rust time |");
	println!("|---|---|---|---|");
	println!("| task of 8 outputs, {} B source (s, median of 3) | {long:.2} | {p_long:.2} | {:.2} |", long_query.len(), p_long / long);
	println!("| short tasks, 4 outputs with a reference (outputs/s) | {short:.1} | {p_short:.1} | {:.2} |", short / p_short);
	println!("| short Open tasks without a reference: the judge (outputs/s) | {judged:.1} | - | |");
	println!("| short Qa tasks without a reference: corroboration (outputs/s) | {corroborated:.1} | - | |");
	println!("| the same read by the cross-encoder against the query, as before both (outputs/s) | {cross_read:.1} | - | |");
	println!("| peak resident memory, every model loaded (MiB) | {rust_rss:.0} | {prss:.0} | |");
	println!("\nthreads: {threads}; short tasks: {n}; device: {:?}", engine.device());
	Ok(())
}

fn bench_code(opts: &EngineOptions) -> Result<(), String> {
	use poq_scorer::code_bench;
	let engine = Engine::new(opts).map_err(|e| e.to_string())?;
	let problems = code_bench::problems();
	let f = code_bench::run(&engine, &problems)?;
	let pct = |n: usize| 100.0 * n as f64 / f.pairs.max(1) as f64;
	println!("| measure | value |");
	println!("|---|---|");
	println!("| problems / pairs (correct program, one-operator copy failing a test) | {} / {} |", f.problems, f.pairs);
	println!("| composite prefers the correct program, tests in the reference | {} of {} ({:.1}%) |", f.wins_with_tests, f.pairs, pct(f.wins_with_tests));
	println!("| the same without tests (cross-encoder reads the code) | {} of {} ({:.1}%) |", f.wins_without_tests, f.pairs, pct(f.wins_without_tests));
	println!("| sandbox compile (first use, s) | {:.2} |", f.compile_seconds);
	println!("| scoring time per output with tests, p50 / p95 (s) | {:.3} / {:.3} |", f.seconds_quantile(0.5), f.seconds_quantile(0.95));
	println!("| fuel of a correct program's run, p50 / max | {} / {} |", f.fuel_quantile(0.5), f.fuel_quantile(1.0));
	println!("| peak resident memory, every model and the sandbox loaded (MiB) | {:.0} |", peak_rss_mib());
	println!("\nthreads: {}; device: {:?}", if opts.threads == 0 { "ONNX Runtime default".to_string() } else { opts.threads.to_string() }, engine.device());
	Ok(())
}
