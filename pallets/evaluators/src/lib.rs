//! # Evaluators pallet
//!
//! Stakes of the evaluators who score LLM outputs, their trust weights, and slashing.
//!
//! ## Overview
//!
//! An evaluator bonds funds ([`Pallet::bond`], [`Pallet::bond_extra`]), opts in to committees
//! ([`Pallet::activate`]) and out again ([`Pallet::chill`]). Unbonded funds wait in a bounded
//! queue for [`Config::UnbondingPeriod`] blocks ([`Pallet::unbond`]) before they can be withdrawn
//! ([`Pallet::withdraw_unbonded`]) or put back ([`Pallet::rebond`]). Bonds are `fungible` holds
//! ([`HoldReason::Bond`]): the funds stay in the evaluator's account, cannot be spent, and can be
//! slashed.
//!
//! Each evaluator has a trust weight in `[min, max]` ([`TrustBounds`], governed), starting at
//! `min`: a new evaluator earns its trust with a track record. The consensus pallet reads and adapts trust through
//! [`poq_primitives::EvaluatorRegistry`] and slashes through
//! [`poq_primitives::EvaluatorSlashing`]; governance can slash directly ([`Pallet::slash`]).
//!
//! ## Design
//!
//! - **Unbonding funds stay slashable.** A slash takes the same fraction of the bonded funds and
//!   of every unbonding chunk, so unbonding right before a slash does not help.
//! - **Probation: trust is earned, never renewed.** A new evaluator starts at the lowest trust
//!   and gains it only by accurate settled work (the consensus pallet's update). Leaving and
//!   coming back, under the same account or a fresh one, starts again at the lowest trust, so it
//!   never raises trust: nothing is gained by shedding a bad record. An evaluator that withdrew
//!   everything is forgotten, so [`Trust`] holds only bonded evaluators.
//! - **Bounded everything.** At most [`Config::MaxUnbondingChunks`] chunks per evaluator (chunks
//!   with the same unlock block merge) and [`Config::MaxActiveEvaluators`] evaluators opted in.
//! - Slashed funds go to [`Config::Slashed`]: a treasury account, or `()` to burn them.
//!
//! ## Terms
//!
//! - *bonded*: funds backing committee work now.
//! - *unbonding*: funds on their way out; still held and slashable.
//! - *active*: opted in to committee selection (needs at least [`Config::MinBond`] bonded).
//! - *trust*: a weight in `[min, max]` by which committees are drawn and reports aggregated.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	DefaultNoBound,
	traits::{
		fungible::{self, BalancedHold, Inspect, InspectHold, Mutate, MutateHold},
		tokens::Precision,
		OnUnbalanced,
	},
};
use frame_system::pallet_prelude::*;
use poq_primitives::{EvaluatorRegistry, EvaluatorSlashing, EvaluatorView, SlashReason};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Funds taken by a slash, on their way to [`Config::Slashed`].
pub type CreditOf<T> = fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// Funds that leave the bond and become withdrawable at `unlock_at`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct UnlockChunk<Balance, BlockNumber> {
	/// Amount unbonding.
	pub value: Balance,
	/// First block at which it can be withdrawn.
	pub unlock_at: BlockNumber,
}

/// An evaluator's stake.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, DefaultNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct Ledger<Balance: Default, BlockNumber, MaxChunks: Get<u32>> {
	/// Funds backing committee work.
	pub bonded: Balance,
	/// Funds unbonding, oldest first.
	pub unbonding: BoundedVec<UnlockChunk<Balance, BlockNumber>, MaxChunks>,
	/// Whether the evaluator opted in to committees.
	pub active: bool,
}

impl<Balance: Default + Copy + Saturating + Zero, BlockNumber, MaxChunks: Get<u32>>
	Ledger<Balance, BlockNumber, MaxChunks>
{
	/// Bonded plus unbonding: everything that is held.
	pub fn total(&self) -> Balance {
		self.unbonding.iter().fold(self.bonded, |acc, c| acc.saturating_add(c.value))
	}
}

/// The governed bounds of trust weights.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct TrustBounds {
	/// Lowest trust (`w_min`).
	pub min: Perbill,
	/// Highest trust (`w_max`).
	pub max: Perbill,
}

impl TrustBounds {
	/// Whether `0 < min <= max`: a trust of zero would take an evaluator out of every draw
	/// for good (its selection weight is bond x trust), with no way back.
	pub fn is_valid(&self) -> bool {
		!self.min.is_zero() && self.min <= self.max
	}
	/// `t` clamped to `[min, max]`.
	pub fn clamp(&self, t: Perbill) -> Perbill {
		t.max(self.min).min(self.max)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The ledger type of this pallet's configuration.
	pub type LedgerOf<T> = Ledger<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnbondingChunks>;

	/// The layout of this pallet's storage: 1 is the first versioned one (spec_version 106);
	/// a chain started before it holds version 0 of the same layout (the runtime's
	/// `migrations` module moves it to 1). Every change of layout bumps it and ships a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency in which bonds are held. Bonds are holds with reason
		/// [`HoldReason::Bond`].
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The runtime's hold reason, which includes this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Smallest bond of an evaluator; also the least an evaluator can keep bonded after a
		/// partial unbond. Must be at least the existential deposit.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// Blocks between `unbond` and the moment the funds can be withdrawn. Should exceed the
		/// time a task takes to settle, so that misbehaviour is slashed before the funds leave.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Most unbonding chunks per evaluator. Chunks unlocking in the same block merge.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Most evaluators opted in to committees at once. Bounds committee selection work.
		#[pallet::constant]
		type MaxActiveEvaluators: Get<u32>;

		/// Trust bounds used until governance sets [`TrustBounds`]. `min <= max`; `min` is the
		/// trust of a new evaluator.
		#[pallet::constant]
		type DefaultTrustBounds: Get<TrustBounds>;

		/// Where slashed funds go: a treasury account's `OnUnbalanced`, or `()` to burn them.
		type Slashed: OnUnbalanced<CreditOf<Self>>;

		/// Whether an evaluator may still be slashed for work in progress (the consensus pallet
		/// in the runtime: a seat on a committee not yet settled). Nothing is withdrawn while
		/// it holds, so that stake stays slashable for as long as it can be owed, whatever the
		/// unbonding period and however long a task lives.
		type Obligations: poq_primitives::Obligations<Self::AccountId>;

		/// Who may set trust bounds and slash by decision (the runtime: root or 2/3 of the
		/// council).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An evaluator's bond (bonded and unbonding funds).
		#[codec(index = 0)]
		Bond,
	}

	/// Stake of every evaluator.
	#[pallet::storage]
	pub type Ledgers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, LedgerOf<T>>;

	/// Trust weight of every bonded evaluator.
	#[pallet::storage]
	pub type Trust<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Perbill>;

	/// The scoring key of an evaluator (the account its node signs commits and reveals with),
	/// when it registered one.
	#[pallet::storage]
	pub type ScoringKeys<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// The evaluator a scoring key scores for (the inverse of [`ScoringKeys`]).
	#[pallet::storage]
	pub type KeyOwners<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Evaluators opted in to committees.
	#[pallet::storage]
	pub type Active<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxActiveEvaluators>, ValueQuery>;

	/// Governed trust bounds; [`Config::DefaultTrustBounds`] until set.
	#[pallet::storage]
	pub type Bounds<T: Config> = StorageValue<_, TrustBounds, ValueQuery, T::DefaultTrustBounds>;

	/// Events of this pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` bonded `amount` more; `bonded` is the new total.
		Bonded { who: T::AccountId, amount: BalanceOf<T>, bonded: BalanceOf<T> },
		/// `who` started unbonding `amount`, withdrawable from block `unlock_at`.
		Unbonded { who: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// `who` withdrew `amount` of matured unbonding funds.
		Withdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// `who` moved `amount` from unbonding back to bonded.
		Rebonded { who: T::AccountId, amount: BalanceOf<T> },
		/// `who` opted in to committees.
		Activated { who: T::AccountId },
		/// `who` opted out of committees (by itself, or because its bond fell below the minimum).
		Chilled { who: T::AccountId },
		/// `who` left: nothing bonded or unbonding any more.
		Left { who: T::AccountId },
		/// The trust of `who` changed.
		TrustChanged { who: T::AccountId, trust: Perbill },
		/// `who` registered `key` as its scoring key (`None`: it signs its scores itself again).
		ScoringKeySet { who: T::AccountId, key: Option<T::AccountId> },
		/// Governance set new trust bounds.
		TrustBoundsSet { bounds: TrustBounds },
		/// `amount` of `who`'s bond was slashed for `reason`.
		Slashed { who: T::AccountId, amount: BalanceOf<T>, reason: SlashReason },
	}

	/// Errors of this pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account has no bond; `bond` first.
		NotBonded,
		/// The account is bonded already; use `bond_extra`.
		AlreadyBonded,
		/// The amount is zero.
		ZeroAmount,
		/// A first bond must be at least `MinBond`.
		BondTooSmall,
		/// The account cannot hold that much (free balance too low).
		InsufficientBalance,
		/// Unbonding more than is bonded.
		InsufficientBond,
		/// What would stay bonded is above zero but below `MinBond`.
		BelowMinimumBond,
		/// The unbonding queue is full; withdraw or wait for chunks to mature.
		TooManyUnbondingChunks,
		/// No unbonding chunk has matured yet.
		NothingToWithdraw,
		/// Rebonding more than is unbonding.
		InsufficientUnbonding,
		/// Already opted in.
		AlreadyActive,
		/// Not opted in.
		NotActive,
		/// `MaxActiveEvaluators` evaluators are opted in already.
		TooManyActive,
		/// Trust bounds must satisfy `min <= max`.
		InvalidTrustBounds,
		/// The evaluator sits on a committee not settled yet: its funds stay slashable until
		/// then.
		InCommittee,
		/// The key is another evaluator's scoring key, or a bonded evaluator itself (a scoring
		/// key cannot bond either).
		KeyInUse,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Becomes an evaluator by bonding `amount` (at least `MinBond`). Trust starts at the
		/// governed minimum (probation): it grows only with accurate settled work. An account
		/// registered as a scoring key cannot bond ([`Error::KeyInUse`]).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Ledgers::<T>::contains_key(&who), Error::<T>::AlreadyBonded);
			ensure!(!KeyOwners::<T>::contains_key(&who), Error::<T>::KeyInUse);
			ensure!(amount >= T::MinBond::get(), Error::<T>::BondTooSmall);
			Self::hold(&who, amount)?;
			Ledgers::<T>::insert(&who, LedgerOf::<T> { bonded: amount, ..Default::default() });
			Trust::<T>::insert(&who, Bounds::<T>::get().min);
			Self::deposit_event(Event::Bonded { who, amount, bonded: amount });
			Ok(())
		}

		/// Adds `amount` to an existing bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			Self::hold(&who, amount)?;
			ledger.bonded = ledger.bonded.saturating_add(amount);
			let bonded = ledger.bonded;
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Bonded { who, amount, bonded });
			Ok(())
		}

		/// Starts unbonding `amount`. What stays bonded must be zero or at least `MinBond`; an
		/// evaluator whose bond drops to zero is chilled. The funds stay held (and slashable)
		/// for `UnbondingPeriod` blocks.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(amount <= ledger.bonded, Error::<T>::InsufficientBond);
			let remaining = ledger.bonded.saturating_sub(amount);
			ensure!(
				remaining.is_zero() || remaining >= T::MinBond::get(),
				Error::<T>::BelowMinimumBond
			);
			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
			match ledger.unbonding.last_mut() {
				Some(last) if last.unlock_at == unlock_at =>
					last.value = last.value.saturating_add(amount),
				_ => ledger
					.unbonding
					.try_push(UnlockChunk { value: amount, unlock_at })
					.map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
			}
			ledger.bonded = remaining;
			if remaining.is_zero() && ledger.active {
				ledger.active = false;
				Self::remove_active(&who);
				Self::deposit_event(Event::Chilled { who: who.clone() });
			}
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Unbonded { who, amount, unlock_at });
			Ok(())
		}

		/// Withdraws every matured unbonding chunk. An evaluator with nothing left bonded or
		/// unbonding leaves, and its trust with it: coming back starts at the lowest trust again.
		/// Refused while the evaluator sits on a committee not settled yet
		/// ([`Error::InCommittee`]).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(!<T::Obligations as poq_primitives::Obligations<T::AccountId>>::is_owed(&who), Error::<T>::InCommittee);
			let now = frame_system::Pallet::<T>::block_number();
			let mut amount = BalanceOf::<T>::zero();
			ledger.unbonding.retain(|c| {
				if c.unlock_at <= now {
					amount = amount.saturating_add(c.value);
					false
				} else {
					true
				}
			});
			ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
			T::Currency::release(&HoldReason::Bond.into(), &who, amount, Precision::BestEffort)?;
			Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
			if ledger.bonded.is_zero() && ledger.unbonding.is_empty() {
				Ledgers::<T>::remove(&who);
				Trust::<T>::remove(&who);
				if let Some(key) = ScoringKeys::<T>::take(&who) {
					KeyOwners::<T>::remove(key);
				}
				Self::deposit_event(Event::Left { who });
			} else {
				Ledgers::<T>::insert(&who, ledger);
			}
			Ok(())
		}

		/// Moves `amount` from unbonding back to bonded, newest chunks first.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnbondingChunks::get()))]
		pub fn rebond(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			let unbonding = ledger.total().saturating_sub(ledger.bonded);
			ensure!(amount <= unbonding, Error::<T>::InsufficientUnbonding);
			let new_bonded = ledger.bonded.saturating_add(amount);
			ensure!(new_bonded >= T::MinBond::get(), Error::<T>::BelowMinimumBond);
			let mut left = amount;
			while !left.is_zero() {
				let Some(last) = ledger.unbonding.last_mut() else { break };
				if last.value <= left {
					left = left.saturating_sub(last.value);
					ledger.unbonding.pop();
				} else {
					last.value = last.value.saturating_sub(left);
					left = Zero::zero();
				}
			}
			ledger.bonded = new_bonded;
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Rebonded { who, amount });
			Ok(())
		}

		/// Opts in to committee selection. Needs at least `MinBond` bonded.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::activate())]
		pub fn activate(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(!ledger.active, Error::<T>::AlreadyActive);
			ensure!(ledger.bonded >= T::MinBond::get(), Error::<T>::BelowMinimumBond);
			Active::<T>::try_mutate(|a| a.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyActive)?;
			ledger.active = true;
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Activated { who });
			Ok(())
		}

		/// Opts out of committee selection. Committees already drawn are not affected.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::chill())]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Ledgers::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(ledger.active, Error::<T>::NotActive);
			ledger.active = false;
			Self::remove_active(&who);
			Ledgers::<T>::insert(&who, ledger);
			Self::deposit_event(Event::Chilled { who });
			Ok(())
		}

		/// Sets the trust bounds (governance). Stored trusts are clamped to the new bounds
		/// whenever they are read.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_trust_bounds())]
		pub fn set_trust_bounds(origin: OriginFor<T>, bounds: TrustBounds) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(bounds.is_valid(), Error::<T>::InvalidTrustBounds);
			Bounds::<T>::put(bounds);
			Self::deposit_event(Event::TrustBoundsSet { bounds });
			Ok(())
		}

		/// Registers `key` as the caller's scoring key, replacing the previous one (rotation);
		/// `None` removes it. The evaluator node signs commits and reveals with its key; the key
		/// can do nothing else with the evaluator's stake (bonding, unbonding, withdrawal and
		/// prices need the caller, the owner). Bonded evaluators only; the key must not be
		/// bonded itself nor any other evaluator's key ([`Error::KeyInUse`]).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_scoring_key())]
		pub fn set_scoring_key(origin: OriginFor<T>, key: Option<T::AccountId>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Ledgers::<T>::contains_key(&who), Error::<T>::NotBonded);
			if let Some(k) = &key {
				ensure!(!Ledgers::<T>::contains_key(k), Error::<T>::KeyInUse);
				ensure!(KeyOwners::<T>::get(k).is_none_or(|o| o == who), Error::<T>::KeyInUse);
			}
			if let Some(old) = ScoringKeys::<T>::take(&who) {
				KeyOwners::<T>::remove(old);
			}
			if let Some(k) = &key {
				ScoringKeys::<T>::insert(&who, k);
				KeyOwners::<T>::insert(k, &who);
			}
			Self::deposit_event(Event::ScoringKeySet { who, key });
			Ok(())
		}

		/// Slashes `fraction` of `who`'s bonded and unbonding funds (governance decision).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::slash(T::MaxUnbondingChunks::get()))]
		pub fn slash(origin: OriginFor<T>, who: T::AccountId, fraction: Perbill) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Ledgers::<T>::contains_key(&who), Error::<T>::NotBonded);
			Self::do_slash(&who, fraction, SlashReason::Governance);
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Holds `amount` more of `who`'s funds as bond.
		fn hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			T::Currency::hold(&HoldReason::Bond.into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance.into())
		}

		fn remove_active(who: &T::AccountId) {
			Active::<T>::mutate(|a| a.retain(|x| x != who));
		}

		/// Slashes `fraction` of bonded and of every unbonding chunk; see
		/// [`EvaluatorSlashing::slash`].
		pub(crate) fn do_slash(
			who: &T::AccountId,
			fraction: Perbill,
			reason: SlashReason,
		) -> BalanceOf<T> {
			let Some(mut ledger) = Ledgers::<T>::get(who) else { return Zero::zero() };
			let mut total = fraction * ledger.bonded;
			ledger.bonded = ledger.bonded.saturating_sub(total);
			for c in ledger.unbonding.iter_mut() {
				let cut = fraction * c.value;
				c.value = c.value.saturating_sub(cut);
				total = total.saturating_add(cut);
			}
			ledger.unbonding.retain(|c| !c.value.is_zero());
			let (credit, missing) =
				<T::Currency as BalancedHold<T::AccountId>>::slash(&HoldReason::Bond.into(), who, total);
			// The ledger mirrors the hold, so nothing should be missing; if it is, the ledger
			// still shrinks by what was asked, which keeps ledger <= hold.
			let slashed = total.saturating_sub(missing);
			T::Slashed::on_unbalanced(credit);
			if ledger.active && ledger.bonded < T::MinBond::get() {
				ledger.active = false;
				Self::remove_active(who);
				Self::deposit_event(Event::Chilled { who: who.clone() });
			}
			Ledgers::<T>::insert(who, ledger);
			Self::deposit_event(Event::Slashed { who: who.clone(), amount: slashed, reason });
			slashed
		}

		/// The funds held as bond for `who` (for invariant checks).
		pub fn held(who: &T::AccountId) -> BalanceOf<T> {
			T::Currency::balance_on_hold(&HoldReason::Bond.into(), who)
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::DefaultTrustBounds::get().is_valid(), "DefaultTrustBounds: min <= max");
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(!T::MinBond::get().is_zero(), "MinBond must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks the invariants of the evaluators pallet:
		/// - the bond hold of every account equals its ledger's bonded plus unbonding funds
		///   (zero without a ledger);
		/// - the active set lists each evaluator once, exactly the ledgers marked active, each
		///   with at least the minimum bond;
		/// - unbonding chunks are oldest first; the trust bounds are valid;
		/// - scoring keys and their owners pair up one to one; no key is bonded itself.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for who in frame_system::Account::<T>::iter_keys() {
				let total = Ledgers::<T>::get(&who).map_or(Zero::zero(), |l| l.total());
				ensure!(Self::held(&who) == total, "the bond hold differs from the ledger");
			}
			let active = Active::<T>::get();
			for (i, who) in active.iter().enumerate() {
				ensure!(!active[..i].contains(who), "an evaluator listed twice in the active set");
				let ledger = Ledgers::<T>::get(who).ok_or("an active evaluator without a ledger")?;
				ensure!(ledger.active, "an active evaluator whose ledger is not active");
				ensure!(ledger.bonded >= T::MinBond::get(), "an active evaluator below the minimum bond");
			}
			for (who, ledger) in Ledgers::<T>::iter() {
				ensure!(!ledger.active || active.contains(&who), "an active ledger missing from the active set");
				ensure!(
					ledger.unbonding.windows(2).all(|w| w[0].unlock_at <= w[1].unlock_at),
					"unbonding chunks out of order"
				);
			}
			ensure!(Bounds::<T>::get().is_valid(), "invalid trust bounds");
			for (who, key) in ScoringKeys::<T>::iter() {
				ensure!(Ledgers::<T>::contains_key(&who), "a scoring key of an account that is not bonded");
				ensure!(KeyOwners::<T>::get(&key) == Some(who), "a scoring key without its owner entry");
				ensure!(!Ledgers::<T>::contains_key(&key), "a scoring key that is bonded itself");
			}
			ensure!(
				KeyOwners::<T>::iter().count() == ScoringKeys::<T>::iter().count(),
				"an owner entry without its scoring key"
			);
			Ok(())
		}
	}
}

impl<T: Config> EvaluatorRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn active_evaluators() -> alloc::vec::Vec<EvaluatorView<T::AccountId, BalanceOf<T>>> {
		let bounds = Bounds::<T>::get();
		Active::<T>::get()
			.into_iter()
			.filter_map(|who| {
				let ledger = Ledgers::<T>::get(&who)?;
				let trust = bounds.clamp(Trust::<T>::get(&who).unwrap_or(bounds.min));
				Some(EvaluatorView { who, bonded: ledger.bonded, trust })
			})
			.collect()
	}

	fn active_count() -> u32 {
		Active::<T>::decode_len().unwrap_or(0) as u32
	}

	fn is_active(who: &T::AccountId) -> bool {
		Ledgers::<T>::contains_key(who) && Active::<T>::get().contains(who)
	}

	fn trust(who: &T::AccountId) -> Option<Perbill> {
		Ledgers::<T>::contains_key(who).then(|| {
			let bounds = Bounds::<T>::get();
			bounds.clamp(Trust::<T>::get(who).unwrap_or(bounds.min))
		})
	}

	fn scorer_of(signer: &T::AccountId) -> Option<T::AccountId> {
		match KeyOwners::<T>::get(signer) {
			Some(owner) => Some(owner),
			None => (Ledgers::<T>::contains_key(signer) && !ScoringKeys::<T>::contains_key(signer))
				.then(|| signer.clone()),
		}
	}

	fn trust_bounds() -> (Perbill, Perbill) {
		let b = Bounds::<T>::get();
		(b.min, b.max)
	}

	fn set_trust(who: &T::AccountId, trust: Perbill) -> Perbill {
		if !Ledgers::<T>::contains_key(who) {
			return trust;
		}
		let trust = Bounds::<T>::get().clamp(trust);
		Trust::<T>::insert(who, trust);
		Self::deposit_event(Event::TrustChanged { who: who.clone(), trust });
		trust
	}
}

impl<T: Config> EvaluatorSlashing<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn slash(who: &T::AccountId, fraction: Perbill, reason: SlashReason) -> BalanceOf<T> {
		Self::do_slash(who, fraction, reason)
	}
}
