//! A mock runtime for the validators pallet's tests. Accounts below 100 have session keys, and
//! so do the accounts the benchmarks give keys.

use crate as pallet_poq_validators;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::{ConstU32, Contains}};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ValidatorSet: pallet_poq_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Accounts below 100 have registered session keys, and those in [`KEYED`].
pub struct Keyed;
impl Contains<u64> for Keyed {
	fn contains(who: &u64) -> bool {
		*who < 100 || KEYED.with(|k| k.borrow().contains(who))
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Keyed {
	fn set_keys(who: &u64) {
		KEYED.with(|k| k.borrow_mut().push(*who));
	}
}

thread_local! {
	/// Accounts given session keys by the benchmarks.
	pub static KEYED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	/// Offenders disabled so far, with the severity.
	pub static DISABLED: RefCell<Vec<(u64, Perbill)>> = const { RefCell::new(Vec::new()) };
}

/// Records disabled offenders in [`DISABLED`].
pub struct RecordDisabled;
impl crate::DisableOffender<u64> for RecordDisabled {
	fn disable(who: &u64, severity: Perbill) {
		DISABLED.with(|d| d.borrow_mut().push((*who, severity)));
	}
}

impl pallet_poq_validators::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxValidators = ConstU32<5>;
	type HasSessionKeys = Keyed;
	type DisableOffender = RecordDisabled;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Keyed;
}

/// Validators 1, 2, 3 at genesis, minimum 2.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_poq_validators::GenesisConfig::<Test> { validators: vec![1, 2, 3], min_validators: 2 }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	DISABLED.with(|d| d.borrow_mut().clear());
	ext
}

/// Runs `f` in a fresh externality and checks the pallet's invariants afterwards.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		ValidatorSet::do_try_state().expect("try_state holds after the test");
		r
	})
}

/// Events of the validators pallet so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ValidatorSet(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// What `pallet-session` does when session `ending` ends: ends it, starts `ending + 1` and plans
/// `ending + 2`. Returns the plan (`None`: the set did not change).
pub fn rotate(ending: u32) -> Option<Vec<u64>> {
	use pallet_session::SessionManager;
	<ValidatorSet as SessionManager<u64>>::end_session(ending);
	<ValidatorSet as SessionManager<u64>>::start_session(ending + 1);
	<ValidatorSet as SessionManager<u64>>::new_session(ending + 2)
}
