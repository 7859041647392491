//! # Proof-of-Quality runtime
//!
//! The runtime of the Proof-of-Quality solochain. It composes:
//!
//! - consensus: [`pallet_babe`] block production and [`pallet_grandpa`] finality, with
//!   [`pallet_timestamp`]; [`pallet_session`] rotates their authorities every epoch from the
//!   council-governed set of [`pallet_poq_validators`]; equivocations are reported through
//!   [`pallet_session::historical`] key-ownership proofs and [`pallet_offences`]; see
//!   [`configs::validators`];
//! - money: [`pallet_balances`] and [`pallet_transaction_payment`];
//! - governance: a council ([`pallet_collective`], instance 1) whose members are managed by
//!   [`pallet_membership`] (instance 1), plus [`pallet_sudo`] on development chains; runtime
//!   upgrades through the council by [`pallet_whitelist`] and [`pallet_preimage`] (see
//!   [`configs::upgrades`]) and the storage migrations of [`migrations`].
//!
//! - quality evaluation: [`pallet_poq_tasks`] (queries, bounties, providers, output
//!   commit-reveal) and [`pallet_poq_evaluators`] (bonds, trust, slashing); see `docs/` in the
//!   repository for the design.
//!
//! Runtime APIs are those that unmodified polkadot.js and subxt clients expect (metadata, block
//! builder, transaction pool, off-chain worker, session keys, BABE, GRANDPA, account nonce,
//! transaction payment, genesis builder), see [`apis`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` / `#[runtime]` expand to large recursive types.
#![recursion_limit = "512"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// `Vec` is used by the code `impl_opaque_keys!` and `#[runtime]` expand to.
#[allow(unused_imports)]
use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helpers;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
#[cfg(test)]
mod tests;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know of blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a node: a BABE key to author blocks, a GRANDPA key to finalize
	/// them, and an evaluator key with which its off-chain worker signs score commits and
	/// reveals (key type `poqe`).
	pub struct SessionKeys {
		/// Block production key (`babe`).
		pub babe: Babe,
		/// Finality voting key (`gran`).
		pub grandpa: Grandpa,
		/// Evaluator key (`poqe`, off-chain scoring transactions; no consensus role).
		pub evaluator: configs::validators::EvaluatorKeys,
	}
}

/// The runtime version. `spec_version` must be bumped on every change of runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("proof-of-quality"),
	impl_name: alloc::borrow::Cow::Borrowed("proof-of-quality"),
	authoring_version: 1,
	spec_version: 106,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time in milliseconds. The dev chain uses the same value, so that a task's phases
/// (measured in blocks) take a predictable wall-clock time.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

/// BABE slot duration; equal to the block time. Cannot be changed after genesis.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks (slots) of a BABE epoch, which is also a session: validator-set changes and key
/// rotations take effect at these boundaries (a change made in session `n` authors from session
/// `n + 2`). One minute on every chain, so that a local network shows a set change within two
/// or three minutes; a public network would choose hours. Cannot be changed after genesis.
pub const EPOCH_DURATION_IN_BLOCKS: BlockNumber = MINUTES;

/// BABE's chance that a slot has a primary (VRF-elected) author: 1/4. Every other slot goes to a
/// secondary author chosen from the epoch randomness, who also produces a VRF output, so every
/// block carries fresh VRF randomness.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// The BABE epoch configuration of genesis.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One unit of the native token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of a unit.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// One millionth of a unit.
pub const MICRO_UNIT: Balance = 1_000_000;

/// Minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Block number type.
pub type BlockNumber = u32;
/// Signature type of transactions.
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Transaction counter of an account.
pub type Nonce = u32;
/// Hash type of blocks and tries.
pub type Hash = sp_core::H256;
/// Address format of transactions.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Signed block (with justifications).
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions checked for every signed transaction, in this order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
);

/// Unchecked extrinsic type.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload signed by a transaction's signer.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations to run on the next runtime upgrade (see [`migrations`]).
type Migrations = migrations::Migrations;

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The council collective instance.
pub type CouncilCollective = pallet_collective::Instance1;
/// The council membership instance.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

#[frame_support::runtime]
mod runtime {
	/// The runtime: every pallet of the chain.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// Block production (BABE) and its epochs.
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	/// Block timestamps.
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// The author of each block.
	#[runtime::pallet_index(14)]
	pub type Authorship = pallet_authorship;

	/// Native token.
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	/// Transaction fees.
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	/// The council-governed validator set (the session manager).
	#[runtime::pallet_index(15)]
	pub type ValidatorSet = pallet_poq_validators;

	/// Sessions: session keys and the authority sets of BABE and GRANDPA.
	#[runtime::pallet_index(16)]
	pub type Session = pallet_session;

	/// Roots of past sessions' validator sets, for key-ownership proofs.
	#[runtime::pallet_index(17)]
	pub type Historical = pallet_session::historical;

	/// Finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// Offence reports (equivocations), handed to the validator set.
	#[runtime::pallet_index(18)]
	pub type Offences = pallet_offences;

	/// Superuser for development chains.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// The council: proposes and votes on the chain's parameters.
	#[runtime::pallet_index(7)]
	pub type Council = pallet_collective<Instance1>;

	/// Who sits on the council.
	#[runtime::pallet_index(8)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	/// Queries, bounties, inference providers and their outputs.
	#[runtime::pallet_index(10)]
	pub type Tasks = pallet_poq_tasks;

	/// Evaluator bonds, trust weights and slashing.
	#[runtime::pallet_index(11)]
	pub type Evaluators = pallet_poq_evaluators;

	/// Committees, score commit-reveal, aggregation, trust, slashing and rewards.
	#[runtime::pallet_index(12)]
	pub type Consensus = pallet_poq_consensus;

	/// Gold tasks, reliability of the quality dimensions, the gated composite, trust by gold.
	#[runtime::pallet_index(13)]
	pub type Calibration = pallet_poq_calibration;

	/// Preimages of calls, requested by the whitelist.
	#[runtime::pallet_index(19)]
	pub type Preimage = pallet_preimage;

	/// Calls the council whitelisted, dispatched as Root: runtime upgrades through governance
	/// (see [`configs::upgrades`]).
	#[runtime::pallet_index(20)]
	pub type Whitelist = pallet_whitelist;
}
