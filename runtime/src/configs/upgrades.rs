//! The council's way to Root for one call: runtime upgrades through governance.
//!
//! `frame_system::authorize_upgrade` (like `set_code`) needs Root, which the council is not.
//! [`pallet_whitelist`] gives it one call at a time:
//!
//! 1. a council motion (two thirds, [`RootOrTwoThirdsCouncil`]) runs
//!    `whitelist.whitelistCall(hash)`, where `hash` is the blake2-256 of the encoded call
//!    `system.authorizeUpgrade(code_hash)`;
//! 2. one council member runs `council.execute(whitelist.dispatchWhitelistedCallWithPreimage(
//!    call))` with that call ([`pallet_collective::EnsureMember`]): it is dispatched as Root,
//!    once, and the chain records the authorized code hash;
//! 3. anyone submits the code with `system.applyAuthorizedUpgrade(code)` (free when it matches);
//!    the chain checks the hash and that the `spec_name` is the same and the `spec_version`
//!    higher, and runs the new runtime from the next block, its storage migrations first.
//!
//! A member may also dispatch first: the dispatch is then deferred until the motion
//! whitelists the call, and any signed account may relay it within
//! [`DeferredDispatchExpiration`]. [`pallet_preimage`] holds the preimages the whitelist
//! requests; noting one costs a deposit held from the noter ([`PreimageBaseDeposit`] plus
//! [`PreimageByteDeposit`] a byte).

use super::RootOrTwoThirdsCouncil;
use crate::{
	AccountId, Balance, Balances, CouncilCollective, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, System, DAYS, MILLI_UNIT, UNIT,
};
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, LinearStoragePrice},
};
use frame_system::EnsureRoot;

parameter_types! {
	/// Deposit for noting a preimage, besides its bytes.
	pub const PreimageBaseDeposit: Balance = UNIT;
	/// Deposit per byte of a noted preimage (a 1.5 MB runtime: about 15 000 POQ, so code goes
	/// through `system.applyAuthorizedUpgrade`, not through a preimage).
	pub const PreimageByteDeposit: Balance = 10 * MILLI_UNIT;
	/// The hold reason of preimage deposits.
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// How long a deferred dispatch of a whitelisted call may be relayed.
	pub const DeferredDispatchExpiration: crate::BlockNumber = DAYS;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Only Root may request preimages without a deposit or drop others' preimages.
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	/// Two thirds of the council (or Root) whitelist a call.
	type WhitelistOrigin = RootOrTwoThirdsCouncil;
	/// Any one council member (or Root) dispatches a whitelisted call as Root.
	type DispatchWhitelistedOrigin = frame_support::traits::EitherOfDiverse<
		EnsureRoot<AccountId>,
		pallet_collective::EnsureMember<AccountId, CouncilCollective>,
	>;
	type Preimages = crate::Preimage;
	type DeferredDispatchExpiration = DeferredDispatchExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}
