//! Block production (BABE), finality (GRANDPA), timestamps, sessions, the governed validator set,
//! authorship and offences.
//!
//! A session is a BABE epoch ([`crate::EPOCH_DURATION_IN_BLOCKS`]). At each session boundary
//! `pallet-session` asks [`crate::ValidatorSet`] for the set of the session after next; the set
//! is whatever the council decided ([`pallet_poq_validators`]). Equivocations in BABE or GRANDPA
//! are reported as unsigned transactions with a key-ownership proof against the historical
//! session roots ([`pallet_session::historical`]); `pallet-offences` deduplicates them and hands
//! the offender to the validator set, which disables and removes it.

use alloc::vec::Vec;
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Contains, OneSessionHandler},
};
use sp_runtime::{traits::Convert, BoundToRuntimeAppPublic, Perbill};
use sp_staking::{offence::OffenceSeverity, SessionIndex};

use super::RootOrTwoThirdsCouncil;
use crate::{
	AccountId, Babe, Balances, Historical, Offences, Runtime, RuntimeEvent, Session, SessionKeys,
	ValidatorSet, EPOCH_DURATION_IN_BLOCKS, MILLI_SECS_PER_BLOCK, SLOT_DURATION, UNIT,
};

/// Sessions whose roots the historical pallet keeps, so that an equivocation can be proven up to
/// this many sessions after it happened; older roots are pruned at each session start.
pub const KEPT_SESSIONS: SessionIndex = 28;

parameter_types! {
	/// Slots of a BABE epoch, which is also a session.
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_BLOCKS as u64;
	/// The block time BABE aims at.
	pub const ExpectedBlockTime: u64 = MILLI_SECS_PER_BLOCK;
	/// How long an equivocation report stays valid in the pool: as long as its proof can be
	/// checked against a kept session root.
	pub const ReportLongevity: u64 = (KEPT_SESSIONS as u64 - 1) * EPOCH_DURATION_IN_BLOCKS as u64;
	/// Authorities of BABE and GRANDPA, and the largest validator set.
	pub const MaxAuthorities: u32 = 32;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	/// Epochs change when `pallet-session` rotates.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	/// One set id per session at most: as many entries as session roots are kept.
	type MaxSetIdSessionEntries = ConstU64<{ KEPT_SESSIONS as u64 }>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	/// Counts the blocks each validator authors, so that idle validators show.
	type EventHandler = ValidatorSet;
}

/// The evaluator key (`poqe`) is a session key so that `author_rotateKeys` and `--alice`-style
/// dev keystores create it, but no consensus engine uses it: its session handler does nothing.
pub struct EvaluatorKeys;

impl BoundToRuntimeAppPublic for EvaluatorKeys {
	type Public = poq_primitives::crypto::Public;
}

impl OneSessionHandler<AccountId> for EvaluatorKeys {
	type Key = poq_primitives::crypto::Public;
	fn on_genesis_session<'a, I: 'a>(_validators: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)>,
	{
	}
	fn on_new_session<'a, I: 'a>(_changed: bool, _validators: I, _queued: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)>,
	{
	}
	fn on_disabled(_validator_index: u32) {}
}

/// The validator set's session manager, plus pruning of the historical session roots beyond
/// [`KEPT_SESSIONS`] (nothing else prunes them on a chain without staking).
pub struct ValidatorSetWithPrunedHistory;

impl pallet_session::SessionManager<AccountId> for ValidatorSetWithPrunedHistory {
	fn new_session(new_index: SessionIndex) -> Option<Vec<AccountId>> {
		<ValidatorSet as pallet_session::SessionManager<_>>::new_session(new_index)
	}
	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<AccountId>> {
		<ValidatorSet as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
	}
	fn end_session(end_index: SessionIndex) {
		<ValidatorSet as pallet_session::SessionManager<_>>::end_session(end_index)
	}
	fn start_session(start_index: SessionIndex) {
		<ValidatorSet as pallet_session::SessionManager<_>>::start_session(start_index);
		Historical::prune_up_to(start_index.saturating_sub(KEPT_SESSIONS));
	}
}

impl pallet_session::historical::SessionManager<AccountId, ()> for ValidatorSetWithPrunedHistory {
	fn new_session(new_index: SessionIndex) -> Option<Vec<(AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session(new_index)
			.map(|v| v.into_iter().map(|a| (a, ())).collect())
	}
	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<(AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
			.map(|v| v.into_iter().map(|a| (a, ())).collect())
	}
	fn end_session(end_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::end_session(end_index)
	}
	fn start_session(start_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::start_session(start_index)
	}
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Validators are identified by their account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	type SessionManager =
		pallet_session::historical::NoteHistoricalRoot<Self, ValidatorSetWithPrunedHistory>;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// At most a third of the set is disabled at once (BABE and GRANDPA keep working).
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Held while an account has session keys registered: registering keys is not free.
	type KeyDeposit = ConstU128<{ UNIT }>;
}

/// Validators carry no stake: everyone in a session is identified by `()`.
pub struct NoStake;
impl Convert<AccountId, Option<()>> for NoStake {
	fn convert(_: AccountId) -> Option<()> {
		Some(())
	}
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = NoStake;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = ValidatorSet;
}

/// An account has session keys when `pallet-session` holds its next keys.
pub struct HasSessionKeys;
impl Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

/// Disables an offender in `pallet-session` for the rest of the session (BABE refuses its
/// blocks, GRANDPA its votes are not needed), within the disabling strategy's limit.
pub struct DisableInSession;
impl pallet_poq_validators::DisableOffender<AccountId> for DisableInSession {
	fn disable(who: &AccountId, severity: Perbill) {
		Session::report_offence(who.clone(), OffenceSeverity(severity));
	}
}

/// Gives benchmark accounts (all-zero) session keys.
#[cfg(feature = "runtime-benchmarks")]
pub struct ValidatorBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_poq_validators::BenchmarkHelper<AccountId> for ValidatorBenchmarkHelper {
	fn set_keys(who: &AccountId) {
		use codec::Decode;
		let keys = SessionKeys::decode(&mut sp_runtime::traits::TrailingZeroInput::zeroes())
			.expect("zero bytes decode into keys; qed");
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

impl pallet_poq_validators::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = RootOrTwoThirdsCouncil;
	type MaxValidators = MaxAuthorities;
	type HasSessionKeys = HasSessionKeys;
	type DisableOffender = DisableInSession;
	type WeightInfo = pallet_poq_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ValidatorBenchmarkHelper;
}
