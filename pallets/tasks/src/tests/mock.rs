//! A mock runtime for the tasks pallet's tests.

use crate as pallet_poq_tasks;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
/// Balance type of the mock runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Tasks: pallet_poq_tasks,
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

parameter_types! {
	/// The hook budget of the schedule (and of settlement): one second of compute, a test may
	/// lower it (`ServiceWeight::set`) to see work carried over.
	pub storage ServiceWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(1_000_000_000_000, u64::MAX);
	/// Open tasks per provider: two, a test may raise it.
	pub storage MaxOpenTasks: u32 = 2;
}

parameter_types! {
	pub const DefaultPhases: crate::PhaseLengths<u64> =
		crate::PhaseLengths { answer: 3, reveal: 2, scoring: 4 };
}

impl pallet_poq_tasks::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxQueryLen = ConstU32<64>;
	type MaxReferenceLen = ConstU32<32>;
	type MaxOutputLen = ConstU32<64>;
	type MaxModelIdLen = ConstU32<16>;
	type MaxModels = ConstU32<4>;
	type MaxOutputs = ConstU32<3>;
	type MaxCommitteeSize = ConstU32<5>;
	type ServiceWeight = ServiceWeight;
	type MaxOpenTasksPerProvider = MaxOpenTasks;
	type MinBounty = frame_support::traits::ConstU64<100>;
	type TaskDepositBase = frame_support::traits::ConstU64<10>;
	type TaskDepositPerByte = frame_support::traits::ConstU64<1>;
	type ProviderDeposit = frame_support::traits::ConstU64<50>;
	type OutputDeposit = frame_support::traits::ConstU64<20>;
	type DefaultPhaseLengths = DefaultPhases;
	type MaxPhaseLength = frame_support::traits::ConstU64<100>;
	type RecordRetention = frame_support::traits::ConstU64<5>;
	/// Forfeited deposits are burnt.
	type Slashed = ();
	type Scoring = MockScoring;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
}

/// Accounts 1..=6 own 10_000 each; account 9 owns 60 (enough to register, not to commit). The
/// registry holds `model-a@1` and `m@1` (of at most four models).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=6).map(|a| (a, 10_000)).chain([(9, 60)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_poq_tasks::GenesisConfig::<Test> {
		models: vec![(b"model-a".to_vec(), b"1".to_vec()), (b"m".to_vec(), b"1".to_vec())],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs blocks up to and including `n` (`on_initialize` of each).
pub fn run_to(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let b = System::block_number() + 1;
		System::set_block_number(b);
		Tasks::on_initialize(b);
	}
}

/// Events of the tasks pallet so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Tasks(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Runs `f` in a fresh externality and checks the pallet's invariants after it.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		crate::Pallet::<Test>::do_try_state().expect("try_state holds after the test");
		r
	})
}

/// Scoring as the tasks pallet sees it: nothing to begin or forget, the runtime's quality
/// floor (0.45) and initial rating (0.5).
pub struct MockScoring;
impl poq_primitives::TaskScoring for MockScoring {
	fn begin(_task: poq_primitives::TaskId) {}
	fn quality_floor() -> sp_runtime::Permill {
		sp_runtime::Permill::from_percent(45)
	}
}
