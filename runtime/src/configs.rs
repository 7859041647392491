//! Configuration of every pallet of the runtime; block production, finality, sessions and the
//! validator set are in [`validators`], the council's way to runtime upgrades in [`upgrades`].

pub mod upgrades;
pub mod validators;

use frame_support::{
	dispatch::DispatchClass,
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU8, EitherOfDiverse, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::{
	traits::{AccountIdConversion, One},
	Perbill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Balance, Balances, Block, BlockNumber, Consensus, Council, CouncilCollective,
	Calibration, Evaluators, Hash, Tasks,
	Nonce, DAYS, HOURS, MILLI_UNIT, UNIT, PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, EXISTENTIAL_DEPOSIT, MINUTES,
	VERSION,
};

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	/// Number of recent block hashes kept for mortal transactions.
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version, for `frame_system`.
	pub const Version: RuntimeVersion = VERSION;
	/// 2 seconds of compute per 6-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// At most 5 MiB per block.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |m| *m = NORMAL_DISPATCH_RATIO * *m)
		.build();
	/// Generic Substrate address prefix.
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB (RocksDB is not compiled in).
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not scale with congestion on this chain (yet).
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// How long a council motion stays open (10 minutes of blocks on every chain: short, so that
	/// parameter changes can be exercised on a dev chain).
	pub const CouncilMotionDuration: BlockNumber = 10 * MINUTES;
	/// Upper bound on the council's size.
	pub const CouncilMaxMembers: u32 = 32;
	/// Open motions at once.
	pub const CouncilMaxProposals: u32 = 64;
	/// A council motion may use at most half of a block.
	pub MaxCouncilProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// Root, or at least two thirds of the council.
///
/// This is the origin of every governed parameter of the chain (dimension weights, aggregation
/// rule, phase lengths, tolerances, slash fractions, reward split).
pub type RootOrTwoThirdsCouncil = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	type DefaultVote = pallet_collective::MoreThanMajorityThenPrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Members are managed by `CouncilMembership`; root may still reset them directly.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// Proposing costs no deposit: only council members can propose.
	type Consideration = ();
}

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RootOrTwoThirdsCouncil;
	type RemoveOrigin = RootOrTwoThirdsCouncil;
	type SwapOrigin = RootOrTwoThirdsCouncil;
	type ResetOrigin = RootOrTwoThirdsCouncil;
	type PrimeOrigin = RootOrTwoThirdsCouncil;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The account that receives slashed bonds and forfeited output deposits. It is endowed at
	/// genesis, so that every credit lands (a credit below the existential deposit to a
	/// non-existent account would be dropped).
	pub TreasuryAccount: AccountId =
		frame_support::PalletId(*b"poq/trsy").into_account_truncating();
	/// Dev-chain phase lengths (blocks of 6 s): answer 24 s, reveal 18 s, scoring 72 s (the
	/// consensus pallet's draw delay of 2 blocks, then commit 4 and reveal 4 within it).
	pub const DefaultPhaseLengths: pallet_poq_tasks::PhaseLengths<BlockNumber> =
		pallet_poq_tasks::PhaseLengths { answer: 4, reveal: 3, scoring: 12 };
	/// Trust moves within [1%, 100%], starting at 1% (probation).
	pub const DefaultTrustBounds: pallet_poq_evaluators::TrustBounds =
		pallet_poq_evaluators::TrustBounds {
			min: Perbill::from_percent(1),
			max: Perbill::from_percent(100),
		};
}

parameter_types! {
	/// The tasks pallet's `on_initialize` budget for phase ends (10% of a block).
	pub TasksServiceWeight: Weight = HOOK_SHARE * RuntimeBlockWeights::get().max_block;
	/// The consensus pallet's `on_initialize` budget for settlements (10% of a block).
	pub ConsensusServiceWeight: Weight = HOOK_SHARE * RuntimeBlockWeights::get().max_block;
}

/// Each of the two queue-servicing pallets may spend this share of a block in `on_initialize`;
/// together with the base block and the normal class (75%) they stay within the block
/// (`runtime/src/tests.rs` checks it). Backlogs are also serviced in `on_idle`, with what the
/// block's extrinsics left.
pub const HOOK_SHARE: Perbill = Perbill::from_percent(10);

/// Slashed and forfeited funds go to the treasury account.
pub type ToTreasury = frame_support::traits::tokens::imbalance::ResolveTo<TreasuryAccount, Balances>;

impl pallet_poq_tasks::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxQueryLen = ConstU32<4096>;
	type MaxReferenceLen = ConstU32<4096>;
	type MaxOutputLen = ConstU32<8192>;
	type MaxModelIdLen = ConstU32<64>;
	/// Room for every model providers serve; governance removes retired models to make more.
	type MaxModels = ConstU32<256>;
	type MaxOutputs = ConstU32<8>;
	type MaxCommitteeSize = ConstU32<16>;
	/// Phase ends: up to a tenth of a block in `on_initialize`, the rest carried over.
	type ServiceWeight = TasksServiceWeight;
	/// A counter, not a list: it only keeps a provider with open tasks from changing its
	/// registration. High enough for bursts of hundreds of queries.
	type MaxOpenTasksPerProvider = ConstU32<1024>;
	type MinBounty = ConstU128<UNIT>;
	type TaskDepositBase = ConstU128<{ 100 * MILLI_UNIT }>;
	type TaskDepositPerByte = ConstU128<MILLI_UNIT>;
	type ProviderDeposit = ConstU128<{ 10 * UNIT }>;
	type OutputDeposit = ConstU128<UNIT>;
	type DefaultPhaseLengths = DefaultPhaseLengths;
	type MaxPhaseLength = ConstU32<DAYS>;
	type RecordRetention = ConstU32<HOURS>;
	type Slashed = ToTreasury;
	type Scoring = Consensus;
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type WeightInfo = pallet_poq_tasks::weights::SubstrateWeight<Runtime>;
}

impl pallet_poq_evaluators::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MinBond = ConstU128<{ 100 * UNIT }>;
	/// 10 minutes on the dev chain; a production chain wants days.
	type UnbondingPeriod = ConstU32<{ 10 * MINUTES }>;
	type MaxUnbondingChunks = ConstU32<16>;
	type MaxActiveEvaluators = ConstU32<128>;
	type DefaultTrustBounds = DefaultTrustBounds;
	type Slashed = ToTreasury;
	type Obligations = Consensus;
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type WeightInfo = pallet_poq_evaluators::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Starting parameters of quality consensus (governed afterwards). Dev windows: commit 4
	/// and reveal 4 blocks, after the draw delay of 2 within the tasks pallet's scoring phase of 12.
	pub ConsensusDefaults: pallet_poq_consensus::Params<BlockNumber> =
		pallet_poq_consensus::Params::recommended(4, 4, HOURS);
}

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <crate::Signature as sp_runtime::traits::Verify>::Signer;
	type Signature = crate::Signature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = crate::UncheckedExtrinsic;
}

/// Unsigned transactions: the equivocation reports of BABE and GRANDPA.
impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> crate::UncheckedExtrinsic {
		crate::UncheckedExtrinsic::new_bare(call)
	}
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// Signs `call` for `account` with the runtime's transaction extensions: mortal for half
	/// the block hash count, no tip.
	fn create_signed_transaction<A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: Self::Public,
		account: AccountId,
		nonce: Nonce,
	) -> Option<crate::UncheckedExtrinsic> {
		use codec::Encode;
		use sp_runtime::{generic::Era, traits::StaticLookup, SaturatedConversion};
		let period = BlockHashCount::get().checked_next_power_of_two().map(|c| c / 2).unwrap_or(2) as u64;
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let extension: crate::TxExtension = (
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::mortal(period, current)),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		);
		let payload = crate::SignedPayload::new(call, extension).ok()?;
		let signature = payload.using_encoded(|p| A::sign(p, public))?;
		let (call, extension, _) = payload.deconstruct();
		let address = <Runtime as frame_system::Config>::Lookup::unlookup(account);
		Some(crate::UncheckedExtrinsic::new_signed(call, address, signature, extension))
	}
}

impl pallet_poq_consensus::Config for Runtime {
	/// Evaluator nodes sign their commits and reveals with their `poqe` session key.
	type AuthorityId = poq_primitives::crypto::EvaluatorAuthId;
	type Currency = Balances;
	type Tasks = Tasks;
	type Evaluators = Evaluators;
	/// Every chain (dev, local, production): the VRF output of the parent block's BABE author,
	/// folded into the pallet's beacon every block (`docs/security.md`).
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	/// A draw two blocks after its reveal close: knowing its seed while the candidates can
	/// still change takes authoring both blocks.
	type DrawDelay = ConstU32<2>;
	type MaxCommitteeSize = ConstU32<16>;
	type MaxOutputs = ConstU32<8>;
	type MaxCandidates = ConstU32<128>;
	/// Settlements and result pruning: up to a tenth of a block in `on_initialize`.
	type ServiceWeight = ConsensusServiceWeight;
	type DefaultParams = ConsensusDefaults;
	/// Three members at least on every chain but the dev one (whose preset sets 1: a dev chain
	/// has one evaluator node): a lone reveal is its own consensus, so a committee of one lets
	/// a sybil farm trust from its own tasks (`docs/security.md`).
	type DefaultMinCommittee = ConstU32<3>;
	/// An old and a new model set side by side during an upgrade, with room to spare.
	type MaxModelSets = ConstU32<8>;
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	/// Calibration gates the composite's dimensions by their reliability on gold tasks.
	type Gate = Calibration;
	type WeightInfo = pallet_poq_consensus::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmark_helpers::ConsensusBenchmarkHelper;
}

parameter_types! {
	/// Starting parameters of calibration (governed afterwards): see
	/// `pallet_poq_calibration::CalibrationParams::recommended`.
	pub CalibrationDefaults: pallet_poq_calibration::CalibrationParams =
		pallet_poq_calibration::CalibrationParams::recommended();
}

impl pallet_poq_calibration::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Settled = Consensus;
	type Evaluators = Evaluators;
	/// 10 POQ per pending gold commitment, slashed when its reveal is refused.
	type GoldDeposit = ConstU128<{ 10 * UNIT }>;
	type Slashed = ToTreasury;
	type MaxOutputs = ConstU32<8>;
	type MaxLabels = ConstU32<64>;
	type MaxWindow = ConstU32<50>;
	type MaxPendingGold = ConstU32<64>;
	type MaxGoldHistory = ConstU32<256>;
	type DefaultParams = CalibrationDefaults;
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type WeightInfo = pallet_poq_calibration::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmark_helpers::CalibrationBenchmarkHelper;
}
