//! Tests of the engine with the real model set (`scripts/models.sh` fills `$POQ_MODELS_DIR`,
//! default `~/.cache/poq-models/default`; `scripts/test.sh` runs it first).

use poq_scorer::{Device, Engine, EngineOptions, Family, TaskInput};
use std::path::PathBuf;

fn models_dir() -> PathBuf {
	std::env::var_os("POQ_MODELS_DIR").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/poq-models/default")
	})
}

fn options(batch: usize) -> EngineOptions {
	EngineOptions { models_dir: models_dir(), threads: 1, device: Device::Cpu, batch }
}

fn engine(batch: usize) -> Engine {
	Engine::new(&options(batch)).unwrap_or_else(|e| panic!("{e} (run scripts/models.sh)"))
}

fn family(s: &str) -> Family {
	serde_json::from_value(serde_json::Value::String(s.into())).unwrap()
}

/// A copy of the models directory (symlinks) in a fresh temporary folder.
fn copy_of_models(name: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("poq-scorer-test-{name}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).unwrap();
	for entry in std::fs::read_dir(models_dir()).unwrap() {
		let p = entry.unwrap().path();
		std::os::unix::fs::symlink(&p, dir.join(p.file_name().unwrap())).unwrap();
	}
	dir
}

#[test]
fn scores_match_the_python_golden_file() {
	let golden: serde_json::Value =
		serde_json::from_str(include_str!("golden.json")).expect("golden.json parses");
	let e = engine(1);
	for t in golden["tasks"].as_array().unwrap() {
		let outputs: Vec<&str> = t["outputs"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
		let task = TaskInput {
			family: family(t["family"].as_str().unwrap()),
			query: t["query"].as_str().unwrap(),
			reference: t["reference"].as_str(),
			outputs,
		};
		// The Python reference computes the cross-encoder's probability: where the engine combines
		// it with word evidence, the model's own probability is `evidence.model`.
		let scores = e.score_task_with_evidence(&task).unwrap();
		for ((s, ev), g) in scores.iter().zip(t["scores"].as_array().unwrap()) {
			let model = ev.as_ref().map_or(s.alignment, |ev| f64::from(ev.model));
			for (dim, got) in [("semantic", s.semantic), ("alignment", model)] {
				let want = g[dim].as_f64().unwrap();
				assert!((got - want).abs() < 1e-4, "{dim} of {:?}: engine {got}, python {want}", task.query);
			}
		}
	}
}

#[test]
fn a_good_answer_outranks_an_off_topic_one_and_a_degenerate_one() {
	let e = engine(32);
	let degenerate = "Paris Paris Paris Paris ".repeat(40);
	let task = TaskInput {
		family: Family::Qa,
		query: "What is the capital of France?",
		reference: None,
		outputs: vec![
			"The capital of France is Paris.",
			"Bananas are a good source of potassium and fibre.",
			&degenerate,
			"",
		],
	};
	let s = e.score_task(&task).unwrap();
	let total = |i: usize| s[i].structure + s[i].semantic + s[i].alignment;
	// No reference: neither the answer nor the off-topic text is corroborated (the loop
	// corroborates no one), so their alignments are alike; the semantic score tells them apart.
	assert!(s[0].semantic > s[1].semantic + 0.5 && s[0].alignment >= s[1].alignment, "{s:?}");
	assert_eq!(s[2].alignment, 0.0, "{s:?}");
	assert!(s[0].structure > s[2].structure, "{s:?}");
	assert!(total(0) > total(1) && total(1) > total(3) && total(0) > total(2), "{s:?}");
	assert_eq!((s[3].structure, s[3].semantic, s[3].alignment), (0.0, 0.0, 0.0));
	for x in &s {
		for v in [x.structure, x.semantic, x.alignment] {
			assert!((0.0..=1.0).contains(&v));
		}
	}
}

/// A QA task without a reference: the answers corroborate each other (issue #26, part 4).
#[test]
fn without_a_reference_answers_that_agree_outrank_one_that_contradicts_them() {
	let e = engine(8);
	let task = |outputs: Vec<&'static str>| TaskInput { family: Family::Qa, query: "Who wrote Hamlet?", reference: None, outputs };
	let s = e
		.score_task(&task(vec![
			"William Shakespeare.",
			"Shakespeare wrote Hamlet.",
			"Hamlet was written by Christopher Marlowe in 1590.",
			"The weather in Paris is usually mild in spring, with occasional showers.",
			"Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet Hamlet",
			"William Shakespeare wrote Hamlet around 1600.",
			"",
		]))
		.unwrap();
	let a: Vec<f64> = s.iter().map(|x| x.alignment).collect();
	for right in [0, 1, 5] {
		assert!(a[right] > a[2] + 0.1, "a right answer outranks the contradicting one: {a:?}");
	}
	assert!(a[4] == 0.0 && a[6] == 0.0, "loop and empty earn no alignment: {a:?}");
	// The evaluator-side quality with the chain's default weights (structure 0.05, semantic
	// 0.25, alignment 0.45) against the default quality floor (0.45): the right answers clear it,
	// the off-topic text does not (no one corroborates it; its semantic score is 0).
	let quality = |x: &poq_scorer::Scores| (0.05 * x.structure + 0.25 * x.semantic + 0.45 * x.alignment) / 0.75;
	for right in [0, 1, 5] {
		assert!(quality(&s[right]) > 0.45, "{s:?}");
	}
	assert!(quality(&s[3]) < 0.4, "off topic: {s:?}");
	for answer in ["William Shakespeare.", "Shakespeare wrote Hamlet."] {
		let alone = e.score_task(&task(vec![answer])).unwrap()[0];
		assert_eq!(alone.alignment, f64::from(poq_scorer::corroboration::PRIOR), "a lone answer gets the prior");
		assert!(quality(&alone) > 0.45, "{answer:?} alone is paid: {alone:?}");
	}
	// The scores do not depend on the order of the outputs.
	let swapped = e.score_task(&task(vec!["Shakespeare wrote Hamlet.", "William Shakespeare."])).unwrap();
	let straight = e.score_task(&task(vec!["William Shakespeare.", "Shakespeare wrote Hamlet."])).unwrap();
	assert_eq!((swapped[0], swapped[1]), (straight[1], straight[0]));
}

#[test]
fn a_score_does_not_depend_on_the_batch() {
	let task = |outputs: Vec<&'static str>| TaskInput {
		family: Family::Open,
		query: "Describe a river.",
		reference: Some("A river is a natural stream of water flowing towards an ocean or a lake."),
		outputs,
	};
	let alone = engine(1).score_task(&task(vec!["A river is flowing water that runs to the sea."])).unwrap();
	let mut many = vec!["A river is flowing water that runs to the sea."];
	many.extend(["Short.", "A much longer text about mountains, valleys, glaciers and the weather in spring.", "x"]);
	let batched = engine(32).score_task(&task(many)).unwrap();
	// With a reference, an output's scores depend on it alone, whatever else the batch holds.
	let (a, b) = (alone[0], batched[0]);
	for (x, y) in [(a.semantic, b.semantic), (a.alignment, b.alignment), (a.structure, b.structure)] {
		assert!((x - y).abs() <= 2e-6, "alone {a:?}, in a batch {b:?}");
	}
}

#[test]
fn a_missing_or_altered_file_is_named_in_one_line() {
	let dir = copy_of_models("missing");
	std::fs::remove_file(dir.join("embedding.onnx")).unwrap();
	let err = Engine::new(&EngineOptions { models_dir: dir.clone(), ..options(1) }).err().unwrap().to_string();
	assert!(err.contains("embedding.onnx is missing"), "{err}");
	assert!(!err.contains('\n'));

	let dir = copy_of_models("altered");
	std::fs::remove_file(dir.join("cross-encoder.json")).unwrap();
	std::fs::write(dir.join("cross-encoder.json"), "{}").unwrap();
	let err = Engine::new(&EngineOptions { models_dir: dir, ..options(1) }).err().unwrap().to_string();
	assert!(err.contains("cross-encoder.json has sha256"), "{err}");

	let err = Engine::new(&EngineOptions { models_dir: "/nonexistent/models".into(), ..options(1) })
		.err()
		.unwrap()
		.to_string();
	assert!(err.contains("/nonexistent/models does not exist"), "{err}");
}

#[test]
fn a_right_answer_outranks_a_fluent_wrong_one_given_a_reference() {
	let e = engine(8);
	let task = TaskInput {
		family: Family::Qa,
		query: "In which year did the Berlin Wall fall?",
		reference: Some("The Berlin Wall fell in 1989."),
		outputs: vec![
			"It fell in November 1989, when the border crossings were opened.",
			"The Berlin Wall fell in 1961, when the border crossings were opened.",
		],
	};
	let s = e.score_task(&task).unwrap();
	// 0.2 apart with the cross-encoder alone; the word evidence narrows it (the right answer's
	// "November" is a name the reference lacks) but keeps it clear.
	assert!(s[0].alignment > s[1].alignment + 0.1, "{s:?}");
}

#[test]
fn a_short_reference_is_stated_by_the_right_answer_whatever_its_length() {
	let e = engine(8);
	let task = TaskInput {
		family: Family::Qa,
		query: "Who wrote Hamlet?",
		reference: Some("William Shakespeare"),
		outputs: vec![
			"Shakespeare wrote Hamlet.",
			"William Shakespeare.",
			"Hamlet was written by William Shakespeare around 1600, and it is his longest play.",
			"Christopher Marlowe wrote Hamlet.",
			"Hamlet was written by Christopher Marlowe around 1600, and it is his longest play.",
		],
	};
	let s = e.score_task(&task).unwrap();
	for right in 0..3 {
		for wrong in 3..5 {
			assert!(s[right].alignment > s[wrong].alignment + 0.2, "{right} vs {wrong}: {s:?}");
		}
		// Issue #26 measured 0.10 for "Shakespeare wrote Hamlet.": below what any reward pays.
		assert!(s[right].alignment > 0.3, "{right}: {s:?}");
	}
}

#[test]
fn a_summary_whose_number_or_name_disagrees_with_the_source_scores_lower() {
	let e = engine(8);
	let source = "Summarize: The city council of Leeds voted on Tuesday to spend 12 million pounds on \
		new cycle lanes over the next three years. Council leader Judith Blake said the plan would cut \
		traffic in the centre. Opposition members argued that the money should go to bus services.";
	let task = TaskInput {
		family: Family::Summarization,
		query: source,
		reference: None,
		outputs: vec![
			"Leeds council voted to spend 12 million pounds on cycle lanes over three years.",
			"Leeds council voted to spend 40 million pounds on cycle lanes over three years.",
			"Manchester council voted to spend 12 million pounds on cycle lanes over three years.",
		],
	};
	let s = e.score_task(&task).unwrap();
	assert!(s[0].alignment > s[1].alignment + 0.1, "{s:?}");
	assert!(s[0].alignment > s[2].alignment + 0.1, "{s:?}");
}

#[test]
fn a_long_source_is_read_in_chunks_and_every_claim_counts() {
	let e = engine(8);
	let golden: serde_json::Value = serde_json::from_str(include_str!("golden.json")).unwrap();
	let long = &golden["tasks"][3];
	let query = long["query"].as_str().unwrap();
	assert!(query.len() > 1500);
	let premise = e.cross_encoder().premise(query).unwrap();
	assert!(matches!(&premise, poq_scorer::alignment::Premise::Chunks(c) if c.len() >= 2), "{premise:?}");
	let outputs: Vec<&str> = long["outputs"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
	let s = e.score_task(&TaskInput { family: Family::Summarization, query, reference: None, outputs }).unwrap();
	// A faithful summary over an unfaithful one, and the empty output zero.
	assert!(s[0].alignment > s[1].alignment + 0.1, "{s:?}");
	assert_eq!((s[2].structure, s[2].semantic, s[2].alignment), (0.0, 0.0, 0.0));
}

#[test]
fn cuda_falls_back_to_the_cpu() {
	let e = Engine::new(&EngineOptions { device: Device::Cuda, ..options(1) }).unwrap();
	assert_eq!(e.device(), Device::Cpu, "no GPU here: the engine must run on the CPU");
	let s = e.score_task(&TaskInput { family: Family::Qa, query: "2 + 2?", reference: Some("4"), outputs: vec!["4"] }).unwrap();
	assert!(s[0].semantic > 0.5);
}

#[test]
fn the_identity_is_stable_and_names_the_files() {
	let e = engine(1);
	assert_eq!(e.identity(), engine(8).identity());
	let names: Vec<&str> = e.model_set().files.iter().map(|f| f.name.as_str()).collect();
	assert_eq!(
		names,
		[
			"libonnxruntime.so.1.31.1",
			"embedding.onnx",
			"embedding.tokenizer.json",
			"cross-encoder.onnx",
			"cross-encoder.json",
			"cross-encoder.tokenizer.json",
			"alignment.json",
			"judge.onnx",
			"python.wasm",
			"code-harness.py"
		]
	);
}

/// The largest difference, over every output and dimension of the golden tasks and a long
/// source, between the scores of an engine with `threads` intra-op threads and one with a
/// single thread. Printed by the drift test; `docs/scoring-engine.md` reports it.
fn drift_against_one_thread(threads: usize) -> f64 {
	let golden: serde_json::Value = serde_json::from_str(include_str!("golden.json")).unwrap();
	let long_source = "The river rises in the northern hills and flows south through farmland. ".repeat(60);
	let mut tasks: Vec<(Family, String, Option<String>, Vec<String>)> = golden["tasks"]
		.as_array()
		.unwrap()
		.iter()
		.map(|t| {
			let outputs = t["outputs"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_string()).collect();
			(family(t["family"].as_str().unwrap()), t["query"].as_str().unwrap().to_string(), t["reference"].as_str().map(String::from), outputs)
		})
		.collect();
	tasks.push((
		Family::Summarization,
		format!("Summarize: {long_source}"),
		None,
		vec!["The river flows south from the northern hills through farmland.".into(), "The river flows north into the hills.".into()],
	));
	let (one, many) = (
		Engine::new(&EngineOptions { threads: 1, ..options(16) }).unwrap(),
		Engine::new(&EngineOptions { threads, ..options(16) }).unwrap(),
	);
	let mut worst = 0f64;
	for (family, query, reference, outputs) in &tasks {
		let task = TaskInput {
			family: *family,
			query,
			reference: reference.as_deref(),
			outputs: outputs.iter().map(String::as_str).collect(),
		};
		let (a, b) = (one.score_task(&task).unwrap(), many.score_task(&task).unwrap());
		for (x, y) in a.iter().zip(&b) {
			for d in [x.structure - y.structure, x.semantic - y.semantic, x.alignment - y.alignment] {
				worst = worst.max(d.abs());
			}
		}
	}
	worst
}

/// Scores do not drift with the thread count (1, 2, every core: 0) beyond 1e-5, three orders
/// of magnitude below the governed tolerance floor (0.02 on the runtime): evaluators on
/// machines with different core counts agree. The chain sees scores rounded to millionths.
#[test]
fn scores_do_not_drift_with_the_thread_count() {
	for threads in [2, 0] {
		let drift = drift_against_one_thread(threads);
		eprintln!("float drift, {threads} threads (0: every core) against 1: {drift:e}");
		assert!(drift <= 1e-5, "{threads} threads drift by {drift} from one thread");
	}
}

/// An Open task without a reference is read by the judge: a helpful answer outranks a lazy one,
/// harmful advice, an off-topic text and a word loop; an output's score does not depend on the
/// outputs scored with it.
#[test]
fn the_judge_ranks_open_answers_and_ignores_batch_mates() {
	let e = engine(4);
	let good = "Here are three tips for sleeping better:\n\n1. **Keep a regular schedule.** Go to bed and wake up at the same time every day, even on weekends.\n2. **Make your bedroom dark, quiet and cool.** Around 18 °C suits most people.\n3. **Avoid screens and caffeine before bed.** Stop coffee after lunch and put your phone away an hour before sleeping.";
	let outputs = vec![
		good,
		"Sleep is important.",
		"Sleeping better is easy: drink two cups of strong coffee right before bed, keep the lights on and scroll your phone until you fall asleep.",
		"The Eiffel Tower is 330 metres tall and was completed in 1889.",
		"sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep sleep",
		"",
		// The good answer's form, another question's content: a canned answer must not pass.
		"Here are three tips for better results:\n\n1. **Diversify your portfolio.** Spread your investments across stocks, bonds and property to reduce risk.\n2. **Rebalance every year.** Sell what has grown too large and buy what has fallen behind.\n3. **Keep fees low.** Index funds usually charge far less than actively managed ones.",
	];
	let task = TaskInput { family: Family::Open, query: "Give me three tips for sleeping better.", reference: None, outputs };
	let s = e.score_task(&task).unwrap();
	for i in [1, 2, 3, 4, 6] {
		assert!(s[0].alignment > s[i].alignment + 0.3, "output {i}: {s:?}");
	}
	assert!(s[0].alignment > 0.6 && s[6].alignment < 0.1, "{s:?}");
	assert_eq!(s[5].alignment, 0.0);
	let alone = e.score_task(&TaskInput { outputs: vec![good], ..task.clone() }).unwrap();
	assert_eq!(alone[0], s[0]);
	// With a reference, alignment is support by the reference (the cross-encoder), not the judge.
	let referenced = TaskInput { reference: Some("Keep a regular sleep schedule, a dark and cool room, and no screens or caffeine late."), ..task };
	let r = e.score_task(&referenced).unwrap();
	assert_ne!(r[0].alignment, s[0].alignment);
}
