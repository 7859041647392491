//! The registry of accepted model sets ([`AcceptedModelSets`]): what governance's calls
//! [`Pallet::accept_model_set`] and [`Pallet::retire_model_set`] do, and the genesis list.
//! A reveal naming a set that is not accepted is left out of the consensus
//! ([`Conduct::UnacceptedModelSet`]); see the module docs.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use sp_core::H256;

impl<T: Config> Pallet<T> {
	/// Accepts `model_set` under `name` and `version` (checked labels): it must be new and the
	/// list must have room ([`Config::MaxModelSets`]).
	pub(crate) fn do_accept_model_set(model_set: H256, name: Vec<u8>, version: Vec<u8>) -> DispatchResult {
		let info = ModelSetInfo::new(name, version).ok_or(Error::<T>::InvalidLabel)?;
		ensure!(!AcceptedModelSets::<T>::contains_key(model_set), Error::<T>::ModelSetAlreadyAccepted);
		ensure!(AcceptedModelSets::<T>::count() < T::MaxModelSets::get(), Error::<T>::TooManyModelSets);
		AcceptedModelSets::<T>::insert(model_set, info.clone());
		Self::deposit_event(Event::ModelSetAccepted { model_set, name: info.name, version: info.version });
		Ok(())
	}

	/// Retires the accepted `model_set`, unless it is the last one.
	pub(crate) fn do_retire_model_set(model_set: H256) -> DispatchResult {
		ensure!(AcceptedModelSets::<T>::contains_key(model_set), Error::<T>::UnknownModelSet);
		ensure!(AcceptedModelSets::<T>::count() > 1, Error::<T>::LastModelSet);
		AcceptedModelSets::<T>::remove(model_set);
		Self::deposit_event(Event::ModelSetRetired { model_set });
		Ok(())
	}

	/// Accepts the genesis list `sets` of `(hash, name, version)`: at most
	/// [`Config::MaxModelSets`] distinct sets with valid labels; panics otherwise (a bad chain
	/// spec is refused before the chain starts).
	pub(crate) fn accept_genesis_model_sets(sets: &[(H256, Vec<u8>, Vec<u8>)]) {
		assert!(sets.len() as u32 <= T::MaxModelSets::get(), "genesis model sets exceed MaxModelSets");
		for (hash, name, version) in sets {
			let info = ModelSetInfo::new(name.clone(), version.clone())
				.expect("a genesis model set's name and version must be 1 to 64 bytes");
			assert!(!AcceptedModelSets::<T>::contains_key(hash), "genesis model sets contain duplicates");
			AcceptedModelSets::<T>::insert(hash, info);
		}
	}
}
