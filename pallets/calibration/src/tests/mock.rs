//! A mock runtime for the calibration pallet's tests: balances for deposits, and stand-ins for
//! the consensus pallet (settled tasks) and the evaluators pallet (trust).

use crate as pallet_poq_calibration;
use crate::*;
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use poq_primitives::{EvaluatorView, ScoreReport, SettledTask};
use sp_runtime::BuildStorage;
use std::collections::{BTreeMap, BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
/// Balance type of the mock runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Calibration: pallet_poq_calibration,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = frame_support::traits::ConstU64<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	static SETTLED: RefCell<BTreeMap<TaskId, SettledTask<u64, u64>>> = const { RefCell::new(BTreeMap::new()) };
	static SCORING: RefCell<BTreeSet<TaskId>> = const { RefCell::new(BTreeSet::new()) };
	static TRUST: RefCell<BTreeMap<u64, Perbill>> = const { RefCell::new(BTreeMap::new()) };
}

/// The consensus pallet's settled tasks, as the tests set them.
pub struct MockSettled;
impl SettledTasks<u64, u64> for MockSettled {
	fn settled(task: TaskId) -> Option<SettledTask<u64, u64>> {
		SETTLED.with(|s| s.borrow().get(&task).cloned())
	}
	fn scoring(task: TaskId) -> bool {
		SCORING.with(|s| s.borrow().contains(&task))
	}
}

/// Evaluators' trust, as the tests set it.
pub struct MockEvaluators;
impl EvaluatorRegistry<u64, Balance> for MockEvaluators {
	fn active_evaluators() -> Vec<EvaluatorView<u64, Balance>> {
		TRUST.with(|t| t.borrow().iter().map(|(w, tr)| EvaluatorView { who: *w, bonded: 100, trust: *tr }).collect())
	}
	fn trust(who: &u64) -> Option<Perbill> {
		TRUST.with(|t| t.borrow().get(who).copied())
	}
	fn trust_bounds() -> (Perbill, Perbill) {
		(Perbill::from_percent(1), Perbill::one())
	}
	fn scorer_of(signer: &u64) -> Option<u64> {
		Self::trust(signer).map(|_| *signer)
	}
	fn set_trust(who: &u64, trust: Perbill) -> Perbill {
		TRUST.with(|t| match t.borrow_mut().get_mut(who) {
			Some(x) => {
				*x = trust.max(Perbill::from_percent(1));
				*x
			},
			None => trust,
		})
	}
}

parameter_types! {
	pub const GoldDeposit: Balance = 50;
	pub Defaults: CalibrationParams = CalibrationParams::recommended();
}

impl pallet_poq_calibration::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Settled = MockSettled;
	type Evaluators = MockEvaluators;
	type GoldDeposit = GoldDeposit;
	/// Slashed deposits are burnt.
	type Slashed = ();
	type MaxOutputs = ConstU32<8>;
	type MaxLabels = ConstU32<16>;
	type MaxWindow = ConstU32<20>;
	type MaxPendingGold = ConstU32<3>;
	type MaxGoldHistory = ConstU32<4>;
	type DefaultParams = Defaults;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Benchmark set-up through the stand-ins.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<u64> for MockHelper {
	fn settled_task(outputs: u32, members: u32) -> TaskId {
		let truth: Vec<Permill> = (0..outputs).map(|i| Permill::from_percent(10 + 10 * i)).collect();
		let task = 1_000;
		settle(task, TaskFamily::Qa, System::block_number(), &truth, (0..members as u64).map(|m| (100 + m, 0)).collect());
		task
	}
}

/// The poster of the tests (10,000 units); account 9 owns 10 (less than a deposit).
pub const POSTER: u64 = 1;
/// Evaluators with trust.
pub const MEMBERS: [u64; 5] = [11, 12, 13, 14, 15];

/// Genesis: balances, the poster approved, five evaluators at trust one half.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, 10_000), (2, 10_000), (9, 10)],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	SETTLED.with(|s| s.borrow_mut().clear());
	SCORING.with(|s| s.borrow_mut().clear());
	TRUST.with(|t| {
		let mut t = t.borrow_mut();
		t.clear();
		for m in MEMBERS {
			t.insert(m, Perbill::from_percent(50));
		}
	});
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		GoldPosters::<Test>::insert(POSTER, 0);
	});
	ext
}

/// Runs `f` in a fresh externality and checks the pallet's invariants after it.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		Calibration::do_try_state().expect("try_state holds after the test");
		r
	})
}

/// Marks `task` as being scored.
pub fn set_scoring(task: TaskId, scoring: bool) {
	SCORING.with(|s| {
		if scoring {
			s.borrow_mut().insert(task);
		} else {
			s.borrow_mut().remove(&task);
		}
	});
}

/// Settles `task` of `family`, drawn at `drawn_at`: every dimension's consensus is `truth`, and
/// each `(member, offset)` reported `truth + offset` (in millionths) on the three evaluator-side
/// dimensions. The weights are the default ones.
pub fn settle(task: TaskId, family: TaskFamily, drawn_at: u64, truth: &[Permill], members: Vec<(u64, i64)>) {
	settle_with(task, family, drawn_at, truth.iter().map(|t| [Some(*t); 6]).collect(), truth, members)
}

/// As [`settle`] with the consensus `scores` given per output.
pub fn settle_with(
	task: TaskId,
	family: TaskFamily,
	drawn_at: u64,
	scores: Vec<[Option<Permill>; 6]>,
	truth: &[Permill],
	members: Vec<(u64, i64)>,
) {
	let shift = |p: Permill, o: i64| Permill::from_parts((p.deconstruct() as i64 + o).clamp(0, 1_000_000) as u32);
	let weights = [Permill::from_percent(15), Permill::from_percent(10), Permill::from_percent(5),
		Permill::from_percent(25), Permill::from_percent(45), Permill::from_percent(15)];
	let composites = scores.iter().map(|s| poq_consensus_math::composite(&weights, s)).collect();
	let reports = members
		.into_iter()
		.map(|(m, o)| {
			let r = truth
				.iter()
				.map(|t| ScoreReport { structure: shift(*t, o), semantic: shift(*t, o), alignment: shift(*t, o) })
				.collect();
			(m, r)
		})
		.collect();
	SETTLED.with(|s| {
		s.borrow_mut().insert(task, SettledTask { family, drawn_at, scores, composites, weights, reports })
	});
}

/// Trust of an evaluator.
pub fn trust(who: u64) -> Perbill {
	MockEvaluators::trust(&who).unwrap()
}

/// Events of the calibration pallet so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Calibration(e) => Some(e),
			_ => None,
		})
		.collect()
}
