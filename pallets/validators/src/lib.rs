//! # Validators pallet
//!
//! The governed set of block producers and finality voters of the chain: the session manager
//! that `pallet-session` asks for the validators of each new session.
//!
//! ## Overview
//!
//! Governance ([`Config::GovernanceOrigin`], the council in the runtime) adds an operator with
//! [`Pallet::add_validator`] once the operator has registered session keys
//! (`session.setKeys`), and removes one with [`Pallet::remove_validator`]. The set never falls
//! below [`MinValidators`] (governed with [`Pallet::set_min_validators`]) nor grows beyond
//! [`Config::MaxValidators`]. Every change emits an event and takes effect at a session boundary:
//! a change made during session `n` is handed to `pallet-session` when session `n + 1` starts
//! ([`Event::NewSetPlanned`]) and the new set authors and votes from session `n + 2` on, the
//! delay `pallet-session` gives every change so that the old set can still be held to account.
//!
//! Misbehaviour reported through `pallet-offences` (a BABE or GRANDPA equivocation with its key
//! ownership proof) reaches [`Pallet`] as an [`OnOffenceHandler`]: the offender is disabled for
//! the rest of the session ([`Config::DisableOffender`]) and removed from the set
//! ([`Event::OffenderRemoved`]), unless that would shrink the set below the minimum
//! ([`Event::OffenderKept`]).
//!
//! An unresponsive validator is visible: the blocks each validator authors are counted
//! ([`AuthoredBlocks`], fed by `pallet-authorship`), and at the end of a session every active
//! validator that authored nothing is reported ([`Event::ValidatorIdle`]) and its count of
//! consecutive idle sessions ([`IdleSessions`]) grows; one block resets it.
//!
//! ## Design
//!
//! - **A proof-of-authority set, not a stake.** Validators are admitted by governance; they do
//!   not bond, so an offence is punished by removal, not by a slash (evaluators, who do stake,
//!   are slashed by the consensus pallet).
//! - **Changes only at session boundaries.** [`Validators`] is the set governance wants;
//!   [`Pallet::new_session`] hands it over only when it changed ([`SetChanged`]), so an
//!   unchanged set causes no authority-set change in BABE or GRANDPA.
//! - **Keys first.** Adding an operator without session keys would seat a validator that cannot
//!   author or vote; [`Config::HasSessionKeys`] refuses it ([`Error::NoSessionKeys`]).
//! - **Bounded.** The set is a `BoundedVec` of [`Config::MaxValidators`]; the per-account maps
//!   hold only accounts that are or were in the active set (entries are removed when an account
//!   leaves it).
//!
//! ## Terms
//!
//! - *validator set*: [`Validators`], what governance decided; the next session's set.
//! - *active set*: [`Active`], the validators of the current session (what `pallet-session`
//!   reports as its validators).
//! - *idle*: an active validator that authored no block in a whole session.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod hooks;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Contains};
use frame_system::pallet_prelude::*;
use sp_runtime::Perbill;
pub use sp_staking::{offence::OnOffenceHandler, SessionIndex};

/// What the pallet does to an offender for the rest of its session (the runtime disables it in
/// `pallet-session`, so that BABE and GRANDPA ignore it until it leaves the set).
pub trait DisableOffender<AccountId> {
	/// Disables `who` for an offence of the given severity.
	fn disable(who: &AccountId, severity: Perbill);
}

impl<AccountId> DisableOffender<AccountId> for () {
	fn disable(_: &AccountId, _: Perbill) {}
}

/// Sets up what `add_validator` needs of an account in a benchmark (session keys).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes [`Config::HasSessionKeys`] hold for `who`.
	fn set_keys(who: &AccountId);
}

#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn set_keys(_: &AccountId) {}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who may add and remove validators and set the minimum (the council in the runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The largest validator set. Must be at least 1 and at most the `MaxAuthorities` of the
		/// block-production and finality pallets (checked by `integrity_test` in the runtime).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Whether an account has registered session keys (`pallet_session::NextKeys` in the
		/// runtime). Its cost must be at most one storage read.
		type HasSessionKeys: Contains<Self::AccountId>;

		/// Disables an offender for the rest of its session.
		type DisableOffender: DisableOffender<Self::AccountId>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Gives benchmark accounts session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The layout of this pallet's storage: 1 is the first versioned one (spec_version 106);
	/// a chain started before it holds version 0 of the same layout (the runtime's
	/// `migrations` module moves it to 1). Every change of layout bumps it and ships a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The validator set governance wants: the set of the next session that is planned.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since it was last handed to `pallet-session`.
	#[pallet::storage]
	pub type SetChanged<T> = StorageValue<_, bool, ValueQuery>;

	/// The smallest set governance may leave (at least 1).
	#[pallet::storage]
	pub type MinValidators<T> = StorageValue<_, u32, ValueQuery>;

	/// The set planned for an upcoming session: `(session, validators)`, written when
	/// `pallet-session` plans it and moved to [`Active`] when that session starts.
	#[pallet::storage]
	pub type Planned<T: Config> =
		StorageValue<_, (SessionIndex, BoundedVec<T::AccountId, T::MaxValidators>), OptionQuery>;

	/// The validators of the current session.
	#[pallet::storage]
	pub type Active<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Blocks each validator authored in the current session.
	#[pallet::storage]
	pub type AuthoredBlocks<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	/// Consecutive sessions in which an active validator authored no block.
	#[pallet::storage]
	pub type IdleSessions<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	/// The genesis validators and minimum.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of sessions 0 and 1 (each needs session keys in `pallet-session`'s
		/// genesis).
		pub validators: Vec<T::AccountId>,
		/// The smallest set governance may leave; 0 means 1.
		pub min_validators: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut seen = self.validators.clone();
			seen.sort();
			seen.dedup();
			assert_eq!(seen.len(), self.validators.len(), "genesis validators contain duplicates");
			let set: BoundedVec<_, T::MaxValidators> =
				self.validators.clone().try_into().expect("genesis validators exceed MaxValidators");
			let min = self.min_validators.max(1);
			assert!(
				set.is_empty() || set.len() as u32 >= min,
				"genesis validators are fewer than min_validators"
			);
			MinValidators::<T>::put(min);
			Active::<T>::put(set.clone());
			Validators::<T>::put(set);
		}
	}

	/// Events of the validators pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance added a validator; it joins the planned set at the next session boundary.
		ValidatorAdded {
			/// The new validator.
			who: T::AccountId,
		},
		/// Governance removed a validator; it leaves at the next session boundary.
		ValidatorRemoved {
			/// The removed validator.
			who: T::AccountId,
		},
		/// Governance changed the minimum set size.
		MinValidatorsSet {
			/// The new minimum.
			min: u32,
		},
		/// A changed set was handed to `pallet-session` for a session.
		NewSetPlanned {
			/// The session the set will author in.
			session: SessionIndex,
			/// The validators of that session.
			validators: Vec<T::AccountId>,
		},
		/// The changed set has fewer validators with session keys than the minimum: the running
		/// set stays, and the plan is tried again at the next session.
		PlanDeferred {
			/// The session the set would have authored in.
			session: SessionIndex,
			/// How many of the set's validators have session keys.
			with_keys: u32,
		},
		/// A reported offender was disabled and removed from the set.
		OffenderRemoved {
			/// The offender.
			who: T::AccountId,
			/// The session of the offence.
			session: SessionIndex,
		},
		/// A reported offender was disabled but kept, because removing it would leave fewer
		/// than the minimum (or it had already left the set).
		OffenderKept {
			/// The offender.
			who: T::AccountId,
			/// The session of the offence.
			session: SessionIndex,
		},
		/// An active validator authored no block in a whole session.
		ValidatorIdle {
			/// The validator.
			who: T::AccountId,
			/// The session that ended.
			session: SessionIndex,
			/// Consecutive idle sessions so far.
			sessions: u32,
		},
	}

	/// Errors of the validators pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already in the validator set.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// The set is full ([`Config::MaxValidators`]).
		TooManyValidators,
		/// Removing the validator would leave fewer than [`MinValidators`].
		TooFewValidators,
		/// The account has not registered session keys (`session.setKeys`).
		NoSessionKeys,
		/// The minimum must be at least 1, at most [`Config::MaxValidators`] and at most the
		/// current set size.
		InvalidMinimum,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxValidators::get() >= 1, "MaxValidators must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who` to the validator set from the next session boundary on. `who` must have
		/// registered session keys.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
			ensure!(T::HasSessionKeys::contains(&who), Error::<T>::NoSessionKeys);
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validator set from the next session boundary on.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			let i = set.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.len() as u32 > MinValidators::<T>::get(), Error::<T>::TooFewValidators);
			set.remove(i);
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Sets the smallest set governance may leave.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_min_validators())]
		pub fn set_min_validators(origin: OriginFor<T>, min: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				min >= 1 &&
					min <= T::MaxValidators::get() &&
					min as usize <= Validators::<T>::decode_len().unwrap_or(0),
				Error::<T>::InvalidMinimum
			);
			MinValidators::<T>::put(min);
			Self::deposit_event(Event::MinValidatorsSet { min });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: the set has no duplicates and respects the minimum, the
	/// minimum is at least 1, the planned set is for a later session than the active one, and
	/// the per-account maps hold active validators only.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let set = Validators::<T>::get();
		let min = MinValidators::<T>::get();
		ensure!(min >= 1, "the minimum is below 1");
		ensure!(set.len() as u32 >= min || set.is_empty(), "the set is below the minimum");
		let mut sorted: Vec<_> = set.iter().collect();
		sorted.sort();
		sorted.dedup();
		ensure!(sorted.len() == set.len(), "the set contains duplicates");
		let active = Active::<T>::get();
		for who in AuthoredBlocks::<T>::iter_keys().chain(IdleSessions::<T>::iter_keys()) {
			ensure!(active.contains(&who), "a counter is kept for an account not in the active set");
		}
		Ok(())
	}
}
