//! The code sandbox with the real interpreter (`python.wasm` and `code-harness.py` of the model
//! set, `scripts/models.sh` fills `$POQ_MODELS_DIR`): verdicts, hostile programs, determinism,
//! and Code tasks with tests through the engine.

use poq_scorer::{
	sandbox::{Limits, Outcome, Sandbox, SandboxError, Verdict},
	Device, Engine, EngineOptions, Family, TaskInput,
};
use std::{path::PathBuf, sync::OnceLock};

fn models_dir() -> PathBuf {
	std::env::var_os("POQ_MODELS_DIR").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/poq-models/default")
	})
}

fn load(limits: Limits) -> Sandbox {
	let dir = models_dir();
	Sandbox::with_limits(&dir.join("python.wasm"), &dir.join("code-harness.py"), limits)
		.unwrap_or_else(|e| panic!("{e} (run scripts/models.sh)"))
}

/// One sandbox for the whole file (compiling the interpreter takes seconds).
fn sandbox() -> &'static Sandbox {
	static S: OnceLock<Sandbox> = OnceLock::new();
	S.get_or_init(|| load(Limits::default()))
}

const TESTS: &str = "assert total([1, 2, 3]) == 6\nassert total([]) == 0\nassert total([-1, 5]) == 4\nassert total([2.5, 2.5]) == 5.0\n";

fn run(program: &str) -> Verdict {
	sandbox().run(program, TESTS).unwrap()
}

/// Every test failed, within the total budget.
fn all_fail(v: &Verdict) {
	assert_eq!(v.total(), 4, "{v:?}");
	assert_eq!(v.passed(), 0, "{v:?}");
	assert!(v.fuel <= Limits::default().total_fuel, "{v:?}");
}

#[test]
fn a_correct_program_passes_and_a_one_operator_copy_fails() {
	let good = run("def total(numbers):\n    return sum(numbers)\n");
	assert_eq!((good.passed(), good.total()), (4, 4), "{good:?}");
	assert_eq!(good.refused, None);
	let wrong = run("def total(numbers):\n    return max(numbers)\n");
	assert_eq!(wrong.passed(), 0, "{wrong:?}");
	let mutant = run("def total(numbers):\n    s = 0\n    for x in numbers:\n        s -= x\n    return s\n");
	assert_eq!(mutant.passed(), 1, "only the empty list passes: {mutant:?}");
	let loop_ok = run("def total(numbers):\n    s = 0\n    for x in numbers:\n        s += x\n    return s\n");
	assert_eq!(loop_ok.passed(), 4);
}

#[test]
fn test_forms_asserts_test_functions_and_a_whole_program() {
	let s = sandbox();
	let v = s.run("def f(x): return x * 2", "def test_one():\n    assert f(1) == 2\ndef test_two():\n    assert f(2) == 5\n").unwrap();
	assert_eq!(v.outcomes[0], Outcome::Pass);
	assert!(matches!(v.outcomes[1], Outcome::Fail(ref r) if r == "AssertionError"), "{v:?}");
	let v = s.run("def f(x): return x * 2", "def check(c):\n    assert c(3) == 6\ncheck(f)\n").unwrap();
	assert_eq!((v.passed(), v.total()), (1, 1));
	// A set-up statement that raises fails every test after it.
	let v = s.run("def f(x): return x", "assert f(1) == 1\nimport no_such_module\nassert f(2) == 2\n").unwrap();
	assert_eq!(v.outcomes[0], Outcome::Pass);
	assert!(matches!(v.outcomes[1], Outcome::Fail(ref r) if r.contains("setup")), "{v:?}");
	// A program may use allowed modules, classes, prints and a main guard.
	let program = "import math\nfrom collections import Counter\nclass Acc(object):\n    def __init__(self):\n        self._s = 0\n    def add(self, x):\n        self._s += x\n        return self\ndef total(xs):\n    print('debug', xs)\n    a = Acc()\n    for x in xs:\n        a.add(x)\n    return a._s\nif __name__ == '__main__':\n    print(total(list(map(int, input().split()))))\n";
	let v = s.run(program, TESTS).unwrap();
	assert_eq!((v.passed(), v.total()), (4, 4), "{v:?}");
}

#[test]
fn exceptions_in_the_tests_themselves_fail_those_tests_and_broken_tests_give_no_verdict() {
	let s = sandbox();
	let v = s.run("def f(x): return x", "assert f(1) == 1\nassert 1 / 0\nassert f(2) == 2\n").unwrap();
	assert_eq!(v.outcomes, vec![Outcome::Pass, Outcome::Fail("ZeroDivisionError".into()), Outcome::Pass]);
	assert!(matches!(s.run("def f(x): return x", "assert (f(1) ==\n"), Err(SandboxError::TestsInvalid(_))));
}

#[test]
fn hostile_programs_get_a_fail_verdict_within_budget() {
	let hostile = [
		("infinite loop", "def total(xs):\n    while True:\n        pass\n"),
		("infinite loop at load", "while True:\n    pass\n"),
		("deep recursion", "def total(xs):\n    return total(xs) + 1\n"),
		("recursion through C", "def total(xs):\n    return sorted([1], key=lambda x: total(xs))\n"),
		("deeply nested repr", "def total(xs):\n    a = []\n    for i in range(200000):\n        a = [a]\n    return len(repr(a))\n"),
		("huge allocation", "def total(xs):\n    a = [0] * (10 ** 10)\n    return 6\n"),
		("growing allocation", "def total(xs):\n    a = []\n    while True:\n        a.append('x' * 1000000)\n"),
		("import os", "import os\ndef total(xs):\n    return os.system('rm -rf /')\n"),
		("import subprocess", "import subprocess\ndef total(xs): return 6\n"),
		("import socket", "def total(xs):\n    import socket\n    return socket.create_connection(('127.0.0.1', 22))\n"),
		("read a file", "def total(xs):\n    return len(open('/etc/passwd').read())\n"),
		("environment", "import sys\ndef total(xs): return 6\n"),
		("forge exit", "raise SystemExit(0)\n"),
		("exit in a test", "def total(xs):\n    raise SystemExit(0)\n"),
		("always equal", "class A:\n    def __eq__(self, o):\n        return True\ndef total(xs):\n    return A()\n"),
		("subclasses", "def total(xs):\n    return ().__class__.__base__.__subclasses__()\n"),
		("frames", "def total(xs):\n    try:\n        1 / 0\n    except Exception as e:\n        return e.__traceback__.tb_frame.f_back\n"),
		("module internals", "import typing\ndef total(xs):\n    return typing.sys.modules\n"),
		("dynamic attribute", "import functools\ndef total(xs):\n    return getattr(functools, '__builtins__')\n"),
		("eval", "def total(xs):\n    return eval('6')\n"),
		("attribute path from a string", "import string\ndef total(xs):\n    return string.Formatter().get_field('0.__class__', [xs], {})[0]\n"),
		("annotations evaluated", "import typing\ndef total(xs):\n    return typing.get_type_hints(total)\n"),
		("forged protocol line", "import abc\nclass M(abc.ABCMeta):\n    @property\n    def __name__(self):\n        return 'X\\npass 1'\nclass E(Exception, metaclass=M):\n    pass\ndef total(xs):\n    raise E()\n"),
		("syntax error", "def total(xs) return 6\n"),
		("sleep", "import time\ndef total(xs):\n    time.sleep(1)\n    return 6\n"),
	];
	for (name, program) in hostile {
		let v = run(program);
		all_fail(&v);
		eprintln!("{name}: {:?} ({} fuel)", v.refused.as_deref().or(match &v.outcomes[0] { Outcome::Fail(r) => Some(r), _ => None }), v.fuel);
	}
}

#[test]
fn the_sandbox_has_no_clock_entropy_files_or_environment_of_the_host() {
	let s = sandbox();
	// The tests (which may import anything) look at the host through the interpreter.
	let host = "import time, datetime, os\nassert time.time() == 0.0\nassert datetime.date.today().year == 1970\nassert len(os.environ) == 0\nassert not os.path.exists('/etc/passwd')\nassert os.listdir('.') == []\n";
	let v = s.run("def f(): return 1", host).unwrap();
	assert_eq!(v.outcomes[..4], [Outcome::Pass, Outcome::Pass, Outcome::Pass, Outcome::Pass], "{v:?}");
	assert_ne!(v.outcomes[4], Outcome::Pass, "no directory to list: {v:?}");
	// Entropy: 24 coin flips from `random` and string hashes give the same pattern every run
	// (with real entropy, twice the same pattern has odds 2^-24).
	let mut flips = String::from("import random\n");
	for i in 0..12 {
		flips += &format!("assert random.random() < 0.5\nassert hash('poq{i}') % 2 == 0\n");
	}
	let runs: Vec<Verdict> = (0..2).map(|_| s.run("def f(): return 1", &flips).unwrap()).collect();
	assert_eq!(runs[0].outcomes, runs[1].outcomes);
	assert!(runs[0].passed() > 0 && runs[0].passed() < 24, "{:?}", runs[0]);
}

#[test]
fn verdicts_are_identical_across_sandboxes_and_threads() {
	let programs = [
		"def total(xs):\n    return sum(xs)\n",
		"def total(xs):\n    return max(xs)\n",
		"def total(xs):\n    while True:\n        pass\n",
		"import random\ndef total(xs):\n    return sum(xs) + (1 if random.random() < 0.5 else 0)\n",
	];
	let first: Vec<Verdict> = programs.iter().map(|p| run(p)).collect();
	// A second sandbox (another evaluator's node), run from two threads at once.
	let other = load(Limits::default());
	std::thread::scope(|scope| {
		let handles: Vec<_> = (0..2).map(|_| scope.spawn(|| programs.iter().map(|p| other.run(p, TESTS).unwrap()).collect::<Vec<_>>())).collect();
		for h in handles {
			assert_eq!(h.join().unwrap(), first);
		}
	});
}

#[test]
fn a_test_out_of_budget_fails_alone_and_the_next_runs_in_a_fresh_interpreter() {
	let v = sandbox()
		.run("def f(x):\n    while x:\n        pass\n    return 1\n", "assert f(0) == 1\nassert f(1) == 1\nassert f(0) == 1\n")
		.unwrap();
	assert_eq!(v.outcomes[0], Outcome::Pass);
	assert_eq!(v.outcomes[1], Outcome::Fail("out of budget".into()));
	assert_eq!(v.outcomes[2], Outcome::Pass);
	// A small total budget stops the run: the tests it could not reach fail.
	let tight = load(Limits { total_fuel: 4_000_000_000, ..Limits::default() });
	let v = tight.run("def f(x):\n    while x:\n        pass\n", "assert f(1)\nassert f(1)\nassert f(1)\n").unwrap();
	assert_eq!(v.passed(), 0);
	assert!(v.fuel <= 4_000_000_000);
}

fn engine() -> Engine {
	Engine::new(&EngineOptions { models_dir: models_dir(), threads: 1, device: Device::Cpu, batch: 8 })
		.unwrap_or_else(|e| panic!("{e} (run scripts/models.sh)"))
}

#[test]
fn a_code_task_with_tests_pays_the_working_program() {
	let e = engine();
	let reference = format!("def total(numbers):\n    return sum(numbers)\n# poq-tests\n{TESTS}");
	let outputs = vec![
		"```python\ndef total(numbers):\n    \"\"\"Return the sum of a list of numbers.\"\"\"\n    return sum(numbers)\n```",
		"def total(numbers):\n    \"\"\"Return the sum of a list of numbers.\"\"\"\n    return max(numbers)",
		"Photosynthesis converts light energy into chemical energy in plants.",
		"",
	];
	let task = TaskInput { family: Family::Code, query: "Write a Python function total(numbers) that returns the sum of a list of numbers.", reference: Some(&reference), outputs };
	let s = e.score_task(&task).unwrap();
	assert_eq!(s[0].alignment, 1.0, "{s:?}");
	assert_eq!(s[0].tests.map(|t| (t.passed, t.total)), Some((4, 4)));
	assert_eq!(s[1].alignment, 0.0);
	assert_eq!(s[2].alignment, 0.0);
	assert_eq!(s[3].tests, None);
	// The same task without the marker is read by the cross-encoder, as before.
	let plain = TaskInput { reference: Some("def total(numbers):\n    return sum(numbers)"), ..task.clone() };
	assert!(e.score_task(&plain).unwrap().iter().all(|x| x.tests.is_none()));
	// Broken tests: scored as without tests (no verdict), never zero for everyone.
	let broken = format!("def total(numbers):\n    return sum(numbers)\n# poq-tests\nassert (");
	let b = e.score_task(&TaskInput { reference: Some(&broken), ..task }).unwrap();
	assert!(b.iter().all(|x| x.tests.is_none()));
	assert!(b[0].alignment > 0.0);
}
