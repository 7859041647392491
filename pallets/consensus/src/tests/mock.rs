//! A mock runtime for the consensus pallet's tests: system, balances, the real tasks and
//! evaluators pallets, and this pallet, wired as in the runtime.

use crate as pallet_poq_consensus;
use crate::Params;
use codec::Encode;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
use frame_system::EnsureRoot;
use poq_primitives::{ScoreReport, TaskFamily, TaskId};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill, Permill};
use std::cell::Cell;

type Block = frame_system::mocking::MockBlock<Test>;
/// Balance type of the mock runtime.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Tasks: pallet_poq_tasks,
		Evaluators: pallet_poq_evaluators,
		Consensus: pallet_poq_consensus,
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
	type ExistentialDeposit = ConstU64<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	/// The hook budget of the schedule (and of settlement): one second of compute, a test may
	/// lower it (`ServiceWeight::set`) to see work carried over.
	pub storage ServiceWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(1_000_000_000_000, u64::MAX);
}

parameter_types! {
	pub const TaskPhases: pallet_poq_tasks::PhaseLengths<u64> =
		pallet_poq_tasks::PhaseLengths { answer: 2, reveal: 2, scoring: 6 };
	pub TrustDefaults: pallet_poq_evaluators::TrustBounds = pallet_poq_evaluators::TrustBounds {
		min: Perbill::from_percent(1),
		max: Perbill::from_percent(100),
	};
	pub DefaultParams: Params<u64> = default_params();
}

/// The mock's parameters: the recommended ones with commit 2, reveal 2, retention 5 blocks, and
/// no cost cap (the mock's providers declare a cost of 10 on bounties of 1,000: the reward tests
/// look at the split; the cap has its own test).
pub fn default_params() -> Params<u64> {
	Params { cost_cap: 0, ..Params::recommended(2, 2, 5) }
}

impl pallet_poq_tasks::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxQueryLen = ConstU32<64>;
	type MaxReferenceLen = ConstU32<64>;
	type MaxOutputLen = ConstU32<64>;
	type MaxModelIdLen = ConstU32<16>;
	type MaxModels = ConstU32<16>;
	type MaxOutputs = ConstU32<8>;
	type MaxCommitteeSize = ConstU32<16>;
	type ServiceWeight = ServiceWeight;
	type MaxOpenTasksPerProvider = ConstU32<8>;
	type MinBounty = ConstU64<100>;
	type TaskDepositBase = ConstU64<10>;
	type TaskDepositPerByte = ConstU64<0>;
	type ProviderDeposit = ConstU64<50>;
	type OutputDeposit = ConstU64<20>;
	type DefaultPhaseLengths = TaskPhases;
	type MaxPhaseLength = ConstU64<100>;
	type RecordRetention = ConstU64<5>;
	type Slashed = ();
	type Scoring = Consensus;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
}

impl pallet_poq_evaluators::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinBond = ConstU64<100>;
	type UnbondingPeriod = ConstU64<10>;
	type MaxUnbondingChunks = ConstU32<4>;
	type MaxActiveEvaluators = ConstU32<32>;
	type DefaultTrustBounds = TrustDefaults;
	/// Slashed bonds are burnt.
	type Slashed = ();
	type Obligations = Consensus;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
}

thread_local! {
	/// Varies the mock's randomness between simulation runs.
	pub static RANDOM_SEED: Cell<u64> = const { Cell::new(0) };
}

/// A block's entropy from the block number, the subject and [`RANDOM_SEED`].
pub struct TestRandomness;
impl frame_support::traits::Randomness<Option<H256>, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (Option<H256>, u64) {
		let b = System::block_number();
		let seed = RANDOM_SEED.with(|s| s.get());
		(Some(H256(sp_io::hashing::blake2_256(&(subject, b, seed).encode()))), b.saturating_sub(1))
	}
}

parameter_types! {
	/// Blocks from a reveal close to its draw: none in most tests (drawn at the close), set by
	/// the tests of the delayed draw.
	pub static DrawDelay: u64 = 0;
}

/// Off-chain transactions of the mock: test signatures over `UintAuthorityId` keys, whose
/// account is the key's number.
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

impl frame_system::offchain::SigningTypes for Test {
	type Public = sp_runtime::testing::UintAuthorityId;
	type Signature = sp_runtime::testing::TestSignature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		_public: Self::Public,
		account: u64,
		nonce: u32,
	) -> Option<Extrinsic> {
		let _ = nonce;
		Some(Extrinsic::new_signed(call, account, (), ()))
	}
}

/// Signs the mock's off-chain transactions with `UintAuthorityId` keys.
pub struct TestAuthId;
impl frame_system::offchain::AppCrypto<sp_runtime::testing::UintAuthorityId, sp_runtime::testing::TestSignature>
	for TestAuthId
{
	type RuntimeAppPublic = sp_runtime::testing::UintAuthorityId;
	type GenericPublic = sp_runtime::testing::UintAuthorityId;
	type GenericSignature = sp_runtime::testing::TestSignature;
}

thread_local! {
	/// Makes [`FaultyTasks::settle`] fail (a payout that cannot be made).
	pub static FAIL_SETTLE: Cell<bool> = const { Cell::new(false) };
}

/// The tasks pallet, whose settlement fails while [`FAIL_SETTLE`] is set.
pub struct FaultyTasks;
impl poq_primitives::TaskProvider<u64, Balance, u64> for FaultyTasks {
	fn scoring_view(task: TaskId) -> Option<poq_primitives::ScoringView<u64, Balance, u64>> {
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::scoring_view(task)
	}
	fn settle(
		task: TaskId,
		payouts: &[(u64, Balance)],
		below_floor: &[u64],
	) -> Result<Vec<Balance>, sp_runtime::DispatchError> {
		if FAIL_SETTLE.with(|f| f.get()) {
			return Err(sp_runtime::DispatchError::Other("payout refused"));
		}
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::settle(task, payouts, below_floor)
	}
	fn texts(task: TaskId) -> Option<poq_primitives::TaskTexts> {
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::texts(task)
	}
	fn scoring_blocks() -> u64 {
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::scoring_blocks()
	}
	fn set_rating(provider: &u64, rating: poq_primitives::Rating) {
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::set_rating(provider, rating)
	}
	fn record_quality(model: &[u8], family: TaskFamily, quality: sp_runtime::Permill) {
		<Tasks as poq_primitives::TaskProvider<u64, Balance, u64>>::record_quality(model, family, quality)
	}
}

impl pallet_poq_consensus::Config for Test {
	type AuthorityId = TestAuthId;
	type Currency = Balances;
	type Tasks = FaultyTasks;
	type Evaluators = Evaluators;
	type Randomness = TestRandomness;
	type DrawDelay = DrawDelay;
	type MaxCommitteeSize = ConstU32<16>;
	type MaxOutputs = ConstU32<8>;
	type MaxCandidates = ConstU32<32>;
	type ServiceWeight = ServiceWeight;
	type DefaultParams = DefaultParams;
	/// One, as on the dev chain: the tests of small committees set more where they need it.
	type DefaultMinCommittee = ConstU32<1>;
	type MaxModelSets = ConstU32<4>;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Gate = Calibration;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	pub CalibrationDefaults: pallet_poq_calibration::CalibrationParams =
		pallet_poq_calibration::CalibrationParams::recommended();
}

impl pallet_poq_calibration::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Settled = Consensus;
	type Evaluators = Evaluators;
	type GoldDeposit = ConstU64<100>;
	type Slashed = ();
	type MaxOutputs = ConstU32<8>;
	type MaxLabels = ConstU32<16>;
	type MaxWindow = ConstU32<20>;
	type MaxPendingGold = ConstU32<8>;
	type MaxGoldHistory = ConstU32<16>;
	type DefaultParams = CalibrationDefaults;
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = NoCalibrationBenchmarks;
}

/// Settles a task through this mock's real pallets, for the calibration benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct NoCalibrationBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_poq_calibration::BenchmarkHelper<u64> for NoCalibrationBenchmarks {
	fn settled_task(outputs: u32, members: u32) -> TaskId {
		settled_task(outputs, members)
	}
}

/// Posts a task with `outputs` outputs, has `members` evaluators (bonded here if needed) all
/// reveal, and settles it; returns the task.
#[cfg(feature = "runtime-benchmarks")]
pub fn settled_task(outputs: u32, members: u32) -> TaskId {
	let mut p = default_params();
	p.committee_size = members.clamp(1, 16);
	assert_ok!(crate::Pallet::<Test>::set_params(RuntimeOrigin::root(), p));
	for i in 0..members as u64 {
		if pallet_poq_evaluators::Ledgers::<Test>::get(EVALUATORS + i).is_none() {
			bond(EVALUATORS + i);
		}
	}
	let providers: Vec<u64> = (0..outputs as u64).map(|i| PROVIDERS + i).collect();
	let task = post_task(&providers, 10_000);
	run_to(System::block_number() + 2);
	let committee: Vec<u64> =
		crate::Rounds::<Test>::get(task).expect("drawn").committee.iter().map(|(m, _)| *m).collect();
	let reports: Vec<ScoreReport> = (0..outputs).map(|i| report(100_000 * (i % 10))).collect();
	committee.iter().for_each(|m| commit(*m, task, &reports));
	run_to(System::block_number() + 2);
	committee.iter().for_each(|m| reveal(*m, task, &reports));
	run_to(System::block_number() + 2);
	task
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64, Balance> for () {
	fn scoring_task(outputs: u32) -> TaskId {
		let providers: Vec<u64> = (0..outputs as u64).map(|i| PROVIDERS + i).collect();
		let task = post_task(&providers, 1_000);
		run_to(System::block_number() + 2);
		task
	}
	fn evaluator(i: u32) -> u64 {
		let e = EVALUATORS + i as u64;
		let _ = Balances::force_set_balance(RuntimeOrigin::root(), e, 1_000_000);
		bond(e);
		e
	}
}

/// The user who posts queries.
pub const USER: u64 = 1;
/// The gold poster (approved by [`approve_gold_poster`]).
pub const GOLD_POSTER: u64 = 2;
/// An attacker's account, with a hundred times everyone else's balance.
pub const ATTACKER: u64 = 3;
/// First provider account (providers are `PROVIDERS..`).
pub const PROVIDERS: u64 = 11;
/// First evaluator account (evaluators are `EVALUATORS..`).
pub const EVALUATORS: u64 = 101;
/// The salt every test member uses.
pub const SALT: [u8; 32] = [7; 32];
/// The model-set hash every test member reports.
pub const MODEL_SET: H256 = H256::repeat_byte(9);
/// The model-set hash the mock scoring engine reports (the off-chain worker's tests).
pub const SCORER_MODEL_SET: H256 = H256::repeat_byte(7);
/// A model-set hash nobody accepted.
pub const OTHER_MODEL_SET: H256 = H256::repeat_byte(3);

/// User, 16 providers and 16 evaluators own 1_000_000 each, [`ATTACKER`] 100_000_000. Nobody is
/// bonded yet.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let accounts = [USER, GOLD_POSTER]
		.into_iter()
		.chain(PROVIDERS..PROVIDERS + 16)
		.chain(EVALUATORS..EVALUATORS + 16);
	pallet_balances::GenesisConfig::<Test> {
		balances: accounts.map(|a| (a, 1_000_000)).chain([(ATTACKER, 100_000_000)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	// The models the tests' providers declare: `m@1` and `m0@1` to `m7@1`.
	pallet_poq_tasks::GenesisConfig::<Test> {
		models: core::iter::once("m".to_string())
			.chain((0..8).map(|i| format!("m{i}")))
			.map(|n| (n.into_bytes(), b"1".to_vec()))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_poq_consensus::GenesisConfig::<Test> {
		model_sets: vec![
			(MODEL_SET, b"test".to_vec(), b"1".to_vec()),
			(SCORER_MODEL_SET, b"scorer".to_vec(), b"1".to_vec()),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	DrawDelay::set(0);
	FAIL_SETTLE.with(|f| f.set(false));
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Approves [`GOLD_POSTER`] as a gold poster.
pub fn approve_gold_poster() {
	assert_ok!(Calibration::add_gold_poster(RuntimeOrigin::root(), GOLD_POSTER));
}

/// Signed origin of `who`.
pub fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Runs blocks up to and including `n` (`on_initialize` of tasks, then consensus).
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let b = System::block_number() + 1;
		System::set_block_number(b);
		Tasks::on_initialize(b);
		Consensus::on_initialize(b);
	}
}

/// Bonds 1_000 for `who`, activates it, and gives it the trust of an established evaluator
/// (one half; a new one starts at the lowest trust, see [`bond_new`]).
pub fn bond(who: u64) {
	bond_new(who);
	<Evaluators as poq_primitives::EvaluatorRegistry<u64, Balance>>::set_trust(&who, Perbill::from_percent(50));
}

/// Bonds 1_000 for `who` and activates it, at the trust of a new evaluator.
pub fn bond_new(who: u64) {
	assert_ok!(Evaluators::bond(signed(who), 1_000));
	assert_ok!(Evaluators::activate(signed(who)));
}

/// Bonds and activates evaluators `EVALUATORS..EVALUATORS + n`.
pub fn bond_evaluators(n: u64) -> Vec<u64> {
	let v: Vec<u64> = (EVALUATORS..EVALUATORS + n).collect();
	v.iter().for_each(|e| bond(*e));
	v
}

/// Registers `providers` (if needed) with model `m<index>@1` and cost 10, posts a QA query with
/// `bounty`, and has each provider commit to and reveal output `out<provider>`. Returns the
/// task, left at the start of its reveal phase: run two more blocks to reach scoring.
pub fn post_task(providers: &[u64], bounty: Balance) -> TaskId {
	for p in providers {
		if pallet_poq_tasks::Providers::<Test>::get(p).is_none() {
			let model = format!("m{}@1", p - PROVIDERS).into_bytes();
			assert_ok!(Tasks::register_provider(signed(*p), model, 10));
		}
	}
	let task = pallet_poq_tasks::NextTaskId::<Test>::get();
	assert_ok!(Tasks::submit_query(
		signed(USER),
		TaskFamily::Qa,
		b"q".to_vec(),
		None,
		bounty,
		Default::default()
	));
	for p in providers {
		let out = format!("out{p}").into_bytes();
		let c = poq_primitives::commitment::output(p, task, &out, &SALT);
		assert_ok!(Tasks::commit_output(signed(*p), task, c));
	}
	run_to(System::block_number() + 2);
	for p in providers {
		let out = format!("out{p}").into_bytes();
		assert_ok!(Tasks::reveal_output(signed(*p), task, out, SALT));
	}
	task
}

/// Three equal scores.
pub fn report(x: u32) -> ScoreReport {
	let s = Permill::from_parts(x);
	ScoreReport { structure: s, semantic: s, alignment: s }
}

/// Commits `reports` for `who` in `task`.
pub fn commit(who: u64, task: TaskId, reports: &[ScoreReport]) {
	assert_ok!(Consensus::commit_scores(
		signed(who),
		task,
		poq_primitives::commitment::scores(&who, task, reports, &MODEL_SET, &SALT)
	));
}

/// Reveals `reports` for `who` in `task`.
pub fn reveal(who: u64, task: TaskId, reports: &[ScoreReport]) {
	assert_ok!(Consensus::reveal_scores(signed(who), task, reports.to_vec(), MODEL_SET, SALT));
}

/// Events of the consensus pallet so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Consensus(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Checks the invariants of every pallet of the mock.
pub fn try_state() {
	pallet_poq_tasks::Pallet::<Test>::do_try_state().expect("tasks: try_state");
	pallet_poq_evaluators::Pallet::<Test>::do_try_state().expect("evaluators: try_state");
	crate::Pallet::<Test>::do_try_state().expect("consensus: try_state");
	pallet_poq_calibration::Pallet::<Test>::do_try_state().expect("calibration: try_state");
}

/// Runs `f` in a fresh externality and checks the invariants of every pallet after it.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		try_state();
		r
	})
}
