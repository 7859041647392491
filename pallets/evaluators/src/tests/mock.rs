//! A mock runtime for the evaluators pallet's tests.

use crate as pallet_poq_evaluators;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
/// Balance type of the mock runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Evaluators: pallet_poq_evaluators,
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
	pub const MinBond: Balance = 100;
	pub const UnbondingPeriod: u64 = 10;
	pub TrustDefaults: crate::TrustBounds = crate::TrustBounds {
		min: Perbill::from_percent(1),
		max: Perbill::from_percent(100),
	};
}

thread_local! {
	/// Accounts that sit on an unsettled committee (as the consensus pallet would say).
	pub static OWED: core::cell::RefCell<Vec<u64>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Obligations from [`OWED`].
pub struct MockObligations;
impl poq_primitives::Obligations<u64> for MockObligations {
	fn is_owed(who: &u64) -> bool {
		OWED.with(|o| o.borrow().contains(who))
	}
}

impl pallet_poq_evaluators::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinBond = MinBond;
	type UnbondingPeriod = UnbondingPeriod;
	type MaxUnbondingChunks = ConstU32<4>;
	type MaxActiveEvaluators = ConstU32<3>;
	type DefaultTrustBounds = TrustDefaults;
	/// Slashed funds are burnt.
	type Slashed = ();
	type Obligations = MockObligations;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
}

/// Accounts 1..=5 own 10_000 each; account 9 owns nothing.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|a| (a, 10_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	OWED.with(|o| o.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Events of the evaluators pallet so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Evaluators(e) => Some(e),
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
