//! Configuration of every pallet of the runtime.

use frame_support::{
	dispatch::DispatchClass,
	derive_impl, parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, EitherOfDiverse, VariantCountOf},
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
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{AccountIdConversion, One},
	Perbill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Council, CouncilCollective, Hash,
	Nonce, DAYS, HOURS, MILLI_UNIT, UNIT, PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, EXISTENTIAL_DEPOSIT, MINUTES,
	SLOT_DURATION, VERSION,
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

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
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
	type DefaultVote = pallet_collective::PrimeDefaultVote;
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
	/// Dev-chain phase lengths (blocks of 6 s): answer 24 s, reveal 18 s, scoring 60 s.
	pub const DefaultPhaseLengths: pallet_poq_tasks::PhaseLengths<BlockNumber> =
		pallet_poq_tasks::PhaseLengths { answer: 4, reveal: 3, scoring: 10 };
	/// Trust starts at one half and moves within [1%, 100%].
	pub const DefaultTrustBounds: pallet_poq_evaluators::TrustBounds =
		pallet_poq_evaluators::TrustBounds {
			min: Perbill::from_percent(1),
			initial: Perbill::from_percent(50),
			max: Perbill::from_percent(100),
		};
}

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
	type MaxOutputs = ConstU32<8>;
	type MaxCommitteeSize = ConstU32<16>;
	type MaxScheduledPerBlock = ConstU32<64>;
	type MaxOpenTasksPerProvider = ConstU32<32>;
	type MinBounty = ConstU128<UNIT>;
	type TaskDepositBase = ConstU128<{ 100 * MILLI_UNIT }>;
	type TaskDepositPerByte = ConstU128<MILLI_UNIT>;
	type ProviderDeposit = ConstU128<{ 10 * UNIT }>;
	type OutputDeposit = ConstU128<UNIT>;
	type DefaultPhaseLengths = DefaultPhaseLengths;
	type MaxPhaseLength = ConstU32<DAYS>;
	type RecordRetention = ConstU32<HOURS>;
	type Slashed = ToTreasury;
	type OnRevealClosed = ();
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
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type WeightInfo = pallet_poq_evaluators::weights::SubstrateWeight<Runtime>;
}
