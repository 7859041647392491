//! Fuzzes the code sandbox's entry point, `Sandbox::run(program, tests)`: the input is the
//! program and the test program separated by the first NUL byte (no NUL: all of it is the
//! program, with a fixed test). Whatever the input, the run must end within its budget with a
//! verdict (or, for tests that do not parse, `TestsInvalid`), never a sandbox fault, and give
//! the same verdict twice. The interpreter comes from `$POQ_MODELS_DIR` (scripts/models.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use poq_scorer::sandbox::{Limits, Sandbox, SandboxError};
use std::{path::PathBuf, sync::OnceLock};

/// Small budgets, so that each input runs in milliseconds.
const LIMITS: Limits = Limits {
	startup_fuel: 3_000_000_000,
	load_fuel: 200_000_000,
	test_fuel: 200_000_000,
	total_fuel: 4_000_000_000,
	memory_bytes: 64 << 20,
	max_tests: 8,
};

fn sandbox() -> &'static Sandbox {
	static S: OnceLock<Sandbox> = OnceLock::new();
	S.get_or_init(|| {
		let dir = std::env::var_os("POQ_MODELS_DIR").map(PathBuf::from).unwrap_or_else(|| {
			PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/poq-models/default")
		});
		Sandbox::with_limits(&dir.join("python.wasm"), &dir.join("code-harness.py"), LIMITS)
			.unwrap_or_else(|e| panic!("{e} (run scripts/models.sh)"))
	})
}

fuzz_target!(|data: &[u8]| {
	let text = String::from_utf8_lossy(data);
	let (program, tests) = match text.split_once('\0') {
		Some((p, t)) => (p.to_string(), t.to_string()),
		None => (text.to_string(), "assert f(1) == 1\nassert f(2) == 2\n".to_string()),
	};
	let first = sandbox().run(&program, &tests);
	match &first {
		Ok(v) => {
			assert!(v.fuel <= LIMITS.total_fuel, "fuel {} over the total", v.fuel);
			assert!(v.total() <= LIMITS.max_tests as usize);
		},
		Err(SandboxError::TestsInvalid(_)) => {},
		Err(e) => panic!("sandbox fault: {e}"),
	}
	assert_eq!(first, sandbox().run(&program, &tests), "the same input gave two verdicts");
});
