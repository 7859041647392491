//! The governed registry of inference models and the per (model, family) statistics of the
//! settled quality of their outputs: what the model leaderboard reads
//! ([`TasksApi::model_stats`]).
//!
//! A model's id is `name@version`: both parts visible ASCII, the name without `@`, the id at
//! most [`Config::MaxModelIdLen`] bytes. Governance registers models
//! ([`Pallet::register_model`]), retires them (no new declarations;
//! [`Pallet::retire_model`]) and removes retired models nobody declares any more, with their
//! statistics ([`Pallet::remove_model`]). A provider declares a registered, not retired model
//! when it registers or changes model.

use crate::*;
use poq_primitives::TaskFamily;
use sp_runtime::Permill;

sp_api::decl_runtime_apis! {
	/// Reads the model registry and the model leaderboard's data.
	pub trait TasksApi {
		/// Every registered model with its name, version, retirement and provider count.
		fn models() -> Vec<ModelSummary>;
		/// For every registered model and every family with a settled output of it, the
		/// statistics of the settled quality of its outputs.
		fn model_stats() -> Vec<ModelStanding>;
	}
}

/// A registered model, as [`TasksApi::models`] lists it.
#[derive(Clone, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo, Debug)]
pub struct ModelSummary {
	/// The model's id, `name@version`.
	pub model: Vec<u8>,
	/// The model's name.
	pub name: Vec<u8>,
	/// The model's version.
	pub version: Vec<u8>,
	/// Whether governance retired the model.
	pub retired: bool,
	/// Registered providers that declare it.
	pub providers: u32,
}

/// Why a model's name and version cannot form an id.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ModelIdError {
	/// The name or the version is empty.
	Empty,
	/// A byte is not visible ASCII, or the name holds `@`.
	BadByte,
	/// `name@version` is longer than allowed.
	TooLong,
}

/// The id of the model `name` at `version`: `name@version`, checked (see the module docs);
/// `max_len` is the longest id allowed.
pub fn model_id_of(name: &[u8], version: &[u8], max_len: u32) -> Result<Vec<u8>, ModelIdError> {
	if name.is_empty() || version.is_empty() {
		return Err(ModelIdError::Empty);
	}
	let visible = |b: &u8| (0x21..=0x7e).contains(b);
	if !name.iter().all(|b| visible(b) && *b != b'@') || !version.iter().all(visible) {
		return Err(ModelIdError::BadByte);
	}
	if name.len() + 1 + version.len() > max_len as usize {
		return Err(ModelIdError::TooLong);
	}
	let mut id = Vec::with_capacity(name.len() + 1 + version.len());
	id.extend_from_slice(name);
	id.push(b'@');
	id.extend_from_slice(version);
	Ok(id)
}

impl<T: Config> Pallet<T> {
	/// Registers `name@version` (the body of [`Pallet::register_model`] after the origin check).
	pub(crate) fn do_register_model(name: Vec<u8>, version: Vec<u8>) -> DispatchResult {
		let id = model_id_of(&name, &version, T::MaxModelIdLen::get())
			.map_err(|_| Error::<T>::InvalidModelId)?;
		let id: ModelIdOf<T> = id.try_into().map_err(|_| Error::<T>::InvalidModelId)?;
		ensure!(!Models::<T>::contains_key(&id), Error::<T>::ModelExists);
		ensure!(Models::<T>::count() < T::MaxModels::get(), Error::<T>::TooManyModels);
		// Both fit: each is shorter than the id.
		let name: ModelIdOf<T> = name.try_into().map_err(|_| Error::<T>::InvalidModelId)?;
		let version: ModelIdOf<T> = version.try_into().map_err(|_| Error::<T>::InvalidModelId)?;
		Models::<T>::insert(
			&id,
			ModelInfo { name: name.clone(), version: version.clone(), retired: false, providers: 0 },
		);
		Self::deposit_event(Event::ModelRegistered {
			model: id.into_inner(),
			name: name.into_inner(),
			version: version.into_inner(),
		});
		Ok(())
	}

	/// Retires `model` (the body of [`Pallet::retire_model`]).
	pub(crate) fn do_retire_model(model: Vec<u8>) -> DispatchResult {
		let id = Self::bounded_model(model)?;
		Models::<T>::try_mutate(&id, |m| -> DispatchResult {
			let m = m.as_mut().ok_or(Error::<T>::UnknownModel)?;
			ensure!(!m.retired, Error::<T>::ModelRetired);
			m.retired = true;
			Ok(())
		})?;
		Self::deposit_event(Event::ModelRetired { model: id.into_inner() });
		Ok(())
	}

	/// Removes a retired, undeclared `model` and its statistics (the body of
	/// [`Pallet::remove_model`]).
	pub(crate) fn do_remove_model(model: Vec<u8>) -> DispatchResult {
		let id = Self::bounded_model(model)?;
		let info = Models::<T>::get(&id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(info.retired, Error::<T>::ModelNotRetired);
		ensure!(info.providers == 0, Error::<T>::ModelInUse);
		Models::<T>::remove(&id);
		for family in TaskFamily::ALL {
			ModelStats::<T>::remove(&id, family);
		}
		Self::deposit_event(Event::ModelRemoved { model: id.into_inner() });
		Ok(())
	}

	/// `model` as a registry key; [`Error::InvalidModelId`] when it cannot be one.
	fn bounded_model(model: Vec<u8>) -> Result<ModelIdOf<T>, Error<T>> {
		ensure!(!model.is_empty(), Error::<T>::InvalidModelId);
		model.try_into().map_err(|_| Error::<T>::InvalidModelId)
	}

	/// The registered, not retired model a provider declares: [`Error::InvalidModelId`],
	/// [`Error::UnknownModel`] or [`Error::ModelRetired`] otherwise.
	pub(crate) fn declarable_model(model: Vec<u8>) -> Result<ModelIdOf<T>, Error<T>> {
		let id = Self::bounded_model(model)?;
		let info = Models::<T>::get(&id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(!info.retired, Error::<T>::ModelRetired);
		Ok(id)
	}

	/// One more (`up`) or one fewer provider declares `model`.
	pub(crate) fn count_provider(model: &ModelIdOf<T>, up: bool) {
		Models::<T>::mutate(model, |m| {
			if let Some(m) = m {
				m.providers = if up { m.providers.saturating_add(1) } else { m.providers.saturating_sub(1) };
			}
		});
	}

	/// Counts a settled output of `model` in `family` with evaluator-side `quality` (nothing
	/// for a model that is not registered).
	pub(crate) fn do_record_quality(model: &[u8], family: TaskFamily, quality: Permill) {
		let Ok(id) = ModelIdOf::<T>::try_from(model.to_vec()) else { return };
		if !Models::<T>::contains_key(&id) {
			return;
		}
		ModelStats::<T>::mutate(&id, family, |s| *s = Some(s.unwrap_or_default().with(quality)));
	}

	/// Registers the genesis models; panics on a bad or duplicate entry.
	pub(crate) fn register_genesis_models(models: &[(Vec<u8>, Vec<u8>)]) {
		for (name, version) in models {
			Self::do_register_model(name.clone(), version.clone())
				.expect("genesis models: each a valid, distinct name@version, at most MaxModels");
		}
	}

	/// Every registered model ([`TasksApi::models`]).
	pub fn models() -> Vec<ModelSummary> {
		Models::<T>::iter()
			.map(|(id, m)| ModelSummary {
				model: id.into_inner(),
				name: m.name.into_inner(),
				version: m.version.into_inner(),
				retired: m.retired,
				providers: m.providers,
			})
			.collect()
	}

	/// The leaderboard's data ([`TasksApi::model_stats`]).
	pub fn model_stats() -> Vec<ModelStanding> {
		Models::<T>::iter()
			.flat_map(|(id, m)| {
				TaskFamily::ALL.into_iter().filter_map(move |family| {
					ModelStats::<T>::get(&id, family).map(|stats| ModelStanding {
						model: id.clone().into_inner(),
						name: m.name.clone().into_inner(),
						version: m.version.clone().into_inner(),
						retired: m.retired,
						family,
						stats,
					})
				})
			})
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn model_ids_are_name_at_version() {
		assert_eq!(model_id_of(b"llama-3", b"8b-instruct", 64).unwrap(), b"llama-3@8b-instruct");
		assert_eq!(model_id_of(b"", b"1", 64), Err(ModelIdError::Empty));
		assert_eq!(model_id_of(b"a", b"", 64), Err(ModelIdError::Empty));
		assert_eq!(model_id_of(b"a@b", b"1", 64), Err(ModelIdError::BadByte));
		assert_eq!(model_id_of(b"a b", b"1", 64), Err(ModelIdError::BadByte));
		assert_eq!(model_id_of(b"a", b"1\n", 64), Err(ModelIdError::BadByte));
		assert_eq!(model_id_of(b"abc", b"1", 4), Err(ModelIdError::TooLong));
		assert_eq!(model_id_of(b"ab", b"1", 4).unwrap(), b"ab@1");
	}

	proptest! {
		/// An id splits back into its name and version at its one `@` of the name's end.
		#[test]
		fn ids_split_back(name in "[!-?A-~]{1,20}", version in "[!-~]{1,20}") {
			let id = model_id_of(name.as_bytes(), version.as_bytes(), 64).unwrap();
			let at = id.iter().position(|b| *b == b'@').unwrap();
			prop_assert_eq!(&id[..at], name.as_bytes());
			prop_assert_eq!(&id[at + 1..], version.as_bytes());
		}

		/// The statistics add up: count, sum and sum of squares of what was recorded, and a
		/// mean within the recorded range.
		#[test]
		fn stats_add_up(qs in proptest::collection::vec(0u32..=1_000_000, 1..200)) {
			let s = qs.iter().fold(QualityStats::default(), |s, q| s.with(Permill::from_parts(*q)));
			prop_assert_eq!(s.count as usize, qs.len());
			prop_assert_eq!(s.sum, qs.iter().map(|q| *q as u64).sum::<u64>());
			prop_assert_eq!(s.sum_sq, qs.iter().map(|q| (*q as u128) * (*q as u128)).sum::<u128>());
			let mean = s.mean().unwrap().deconstruct();
			prop_assert!(mean >= *qs.iter().min().unwrap() && mean <= *qs.iter().max().unwrap());
		}
	}
}
