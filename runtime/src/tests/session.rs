//! Runtime tests of sessions and the governed validator set: BABE epochs drive session
//! rotation, council changes reach BABE and GRANDPA at session boundaries, the minimum holds,
//! offences remove the offender.

use crate::{
	genesis_config_presets, AccountId, AllPalletsWithSystem, Babe, BlockNumber, Grandpa,
	Runtime, RuntimeGenesisConfig, RuntimeOrigin, Session, SessionKeys, System, Timestamp,
	ValidatorSet, EPOCH_DURATION_IN_BLOCKS, SLOT_DURATION,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	genesis_builder_helper::build_state,
	traits::{OnFinalize, OnInitialize},
};
use sp_consensus_babe::{
	digests::{PreDigest, SecondaryPlainPreDigest},
	BABE_ENGINE_ID,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{Digest, DigestItem, Perbill};
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

/// Externalities with the genesis of the `local_three` preset (Alice, Bob, Charlie) and an
/// in-memory keystore (for generating session keys with their ownership proof).
fn three_validators() -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&genesis_config_presets::LOCAL_THREE_PRESET.into())
		.expect("preset exists");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	super::presets::merge(&mut full, serde_json::from_slice(&patch).unwrap());
	let json = serde_json::to_vec(&full).unwrap();
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.register_extension(sp_keystore::KeystoreExt::new(sp_keystore::testing::MemoryKeystore::new()));
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
	ext
}

/// Authors blocks up to `n`, one per slot (slot = block number), by the validator at index 0 of
/// the current session, with the runtime's hooks and the timestamp inherent.
fn run_to(n: BlockNumber) {
	while System::block_number() < n {
		let now = System::block_number();
		if now > 0 {
			AllPalletsWithSystem::on_finalize(now);
		}
		let parent = if now > 0 { System::finalize().hash() } else { System::parent_hash() };
		let next = now + 1;
		let slot = next as u64;
		let pre = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
			authority_index: 0,
			slot: slot.into(),
		});
		let digest = Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre.encode())] };
		System::reset_events();
		System::initialize(&next, &parent, &digest);
		AllPalletsWithSystem::on_initialize(next);
		assert_ok!(Timestamp::set(RuntimeOrigin::none(), slot * SLOT_DURATION));
	}
}

/// Runs to the first block of session `s`.
fn run_to_session(s: u32) {
	while Session::current_index() < s {
		run_to(System::block_number() + 1);
	}
}

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn babe_authorities() -> Vec<sp_consensus_babe::AuthorityId> {
	Babe::authorities().into_iter().map(|(a, _)| a).collect()
}

fn grandpa_authorities() -> usize {
	Grandpa::grandpa_authorities().len()
}

/// Dave registers freshly generated session keys, as the validator checklist says.
fn dave_sets_keys() -> SessionKeys {
	let dave = account(Sr25519Keyring::Dave);
	let generated = SessionKeys::generate(&dave.encode(), None);
	let proof = generated.proof.encode();
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(dave), generated.keys.clone(), proof));
	generated.keys
}

#[test]
fn sessions_follow_babe_epochs() {
	three_validators().execute_with(|| {
		run_to(1);
		assert_eq!(Session::current_index(), 0);
		assert_eq!(babe_authorities().len(), 3);
		assert_eq!(grandpa_authorities(), 3);
		run_to(EPOCH_DURATION_IN_BLOCKS + 1);
		assert_eq!(Session::current_index(), 1);
		assert_eq!(Babe::epoch_index(), 1);
		run_to_session(3);
		assert_eq!(Babe::epoch_index(), 3);
	});
}

#[test]
fn a_council_addition_authors_two_boundaries_later_and_keys_are_required() {
	three_validators().execute_with(|| {
		run_to(2);
		let dave = account(Sr25519Keyring::Dave);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), dave.clone()),
			pallet_poq_validators::Error::<Runtime>::NoSessionKeys
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(dave.clone()), dave.clone()),
			sp_runtime::DispatchError::BadOrigin
		);
		let keys = dave_sets_keys();
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), dave.clone()));
		// Session 0 (the change's session) and session 1 keep the genesis set ...
		run_to_session(1);
		assert_eq!(babe_authorities().len(), 3);
		assert!(Session::queued_keys().iter().any(|(v, _)| v == &dave));
		// ... from session 2 on Dave's BABE key authors and its GRANDPA key votes.
		run_to_session(2);
		assert!(Session::validators().contains(&dave));
		assert!(babe_authorities().contains(&keys.babe));
		// GRANDPA enacts the new set after its scheduled delay (0 blocks: in the next block).
		run_to(System::block_number() + 1);
		assert_eq!(grandpa_authorities(), 4);
	});
}

#[test]
fn a_removal_takes_effect_at_the_boundary_and_the_minimum_holds() {
	three_validators().execute_with(|| {
		run_to(2);
		let (alice, bob, charlie) = (
			account(Sr25519Keyring::Alice),
			account(Sr25519Keyring::Bob),
			account(Sr25519Keyring::Charlie),
		);
		assert_eq!(pallet_poq_validators::MinValidators::<Runtime>::get(), 2);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), charlie.clone()));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), bob.clone()),
			pallet_poq_validators::Error::<Runtime>::TooFewValidators
		);
		run_to_session(1);
		assert!(Session::validators().contains(&charlie));
		run_to_session(2);
		assert_eq!(Session::validators(), vec![alice, bob]);
		assert_eq!(babe_authorities().len(), 2);
		run_to(System::block_number() + 1);
		assert_eq!(grandpa_authorities(), 2);
	});
}

#[test]
fn a_rotated_key_replaces_the_old_one_two_boundaries_later() {
	three_validators().execute_with(|| {
		run_to(2);
		let bob = account(Sr25519Keyring::Bob);
		let old = pallet_session::NextKeys::<Runtime>::get(&bob).unwrap();
		let generated = SessionKeys::generate(&bob.encode(), None);
		assert_ok!(Session::set_keys(
			RuntimeOrigin::signed(bob.clone()),
			generated.keys.clone(),
			generated.proof.encode()
		));
		run_to_session(1);
		assert!(babe_authorities().contains(&old.babe));
		run_to_session(2);
		assert!(babe_authorities().contains(&generated.keys.babe));
		assert!(!babe_authorities().contains(&old.babe));
		assert_eq!(babe_authorities().len(), 3);
	});
}

fn offend(who: &AccountId, session: u32) {
	let offender = OffenceDetails { offender: (who.clone(), ()), reporters: vec![] };
	<ValidatorSet as OnOffenceHandler<AccountId, (AccountId, ()), _>>::on_offence(
		&[offender],
		&[Perbill::from_percent(100)],
		session,
	);
}

#[test]
fn an_offender_leaves_at_the_boundary_and_is_disabled_when_the_limit_allows() {
	three_validators().execute_with(|| {
		run_to(2);
		let (charlie, dave) = (account(Sr25519Keyring::Charlie), account(Sr25519Keyring::Dave));
		// With three validators nobody may be disabled (at most (n - 1) / 3), so that GRANDPA's
		// two-thirds stay reachable; the offender is still removed from the set.
		offend(&charlie, 0);
		assert!(Session::disabled_validators().is_empty());
		assert!(!pallet_poq_validators::Validators::<Runtime>::get().contains(&charlie));
		// With four, one offender is disabled at once, for the rest of the session.
		dave_sets_keys();
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), dave.clone()));
		run_to_session(2);
		assert_eq!(Session::validators().len(), 3);
		assert!(!Session::validators().contains(&charlie));
		let alice = account(Sr25519Keyring::Alice);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), charlie.clone()));
		run_to_session(4);
		assert_eq!(Session::validators().len(), 4);
		offend(&dave, 4);
		let index = Session::validators().iter().position(|v| v == &dave).unwrap() as u32;
		assert_eq!(Session::disabled_validators(), vec![index]);
		assert!(!pallet_poq_validators::Validators::<Runtime>::get().contains(&dave));
		// A second offender in the same session is removed but not disabled (limit reached).
		offend(&alice, 4);
		assert_eq!(Session::disabled_validators(), vec![index]);
		run_to_session(6);
		assert_eq!(Session::validators().len(), 2);
		assert!(Session::disabled_validators().is_empty());
	});
}

#[test]
fn an_idle_validator_is_reported_at_the_end_of_its_session() {
	three_validators().execute_with(|| {
		// `run_to` has index 0 author every block: the other two are idle in session 0.
		run_to_session(1);
		let idle: Vec<_> = System::events()
			.into_iter()
			.filter_map(|r| match r.event {
				crate::RuntimeEvent::ValidatorSet(
					pallet_poq_validators::Event::ValidatorIdle { who, session: 0, sessions: 1 },
				) => Some(who),
				_ => None,
			})
			.collect();
		assert_eq!(idle.len(), 2);
		let author = Session::validators()[0].clone();
		assert!(!idle.contains(&author));
		assert_eq!(pallet_poq_validators::IdleSessions::<Runtime>::get(&author), 0);
	});
}

#[test]
fn historical_roots_are_pruned_beyond_the_kept_sessions() {
	three_validators().execute_with(|| {
		let kept = crate::configs::validators::KEPT_SESSIONS;
		run_to_session(kept + 3);
		assert!(pallet_session::historical::HistoricalSessions::<Runtime>::get(0).is_none());
		assert!(pallet_session::historical::HistoricalSessions::<Runtime>::get(3).is_some());
		// The kept sessions before the current one, the current one and the queued next one.
		assert_eq!(
			pallet_session::historical::HistoricalSessions::<Runtime>::iter().count(),
			kept as usize + 2
		);
	});
}

/// Two different headers for the same slot, both sealed by `key`'s BABE key: an equivocation.
fn babe_equivocation(
	key: Sr25519Keyring,
	index: u32,
	slot: u64,
) -> sp_consensus_babe::EquivocationProof<crate::Header> {
	use sp_core::Pair;
	use sp_runtime::traits::Header as _;
	let header = |state: u8| {
		let pre = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
			authority_index: index,
			slot: slot.into(),
		});
		let mut h = crate::Header::new(
			System::block_number() + 1,
			Default::default(),
			[state; 32].into(),
			System::parent_hash(),
			Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre.encode())] },
		);
		let signature: sp_consensus_babe::AuthoritySignature = key.pair().sign(h.hash().as_ref()).into();
		h.digest_mut().push(DigestItem::Seal(BABE_ENGINE_ID, signature.encode()));
		h
	};
	sp_consensus_babe::EquivocationProof {
		offender: key.public().into(),
		slot: slot.into(),
		first_header: header(1),
		second_header: header(2),
	}
}

#[test]
fn a_reported_babe_equivocation_removes_the_offender_through_offences() {
	use frame_support::traits::KeyOwnerProofSystem;
	three_validators().execute_with(|| {
		run_to(3);
		let bob = account(Sr25519Keyring::Bob);
		let index = Session::validators().iter().position(|v| v == &bob).unwrap() as u32;
		let slot = u64::from(Babe::current_slot());
		let proof = babe_equivocation(Sr25519Keyring::Bob, index, slot);
		let key_owner_proof = crate::Historical::prove((
			sp_consensus_babe::KEY_TYPE,
			sp_consensus_babe::AuthorityId::from(Sr25519Keyring::Bob.public()),
		))
		.expect("Bob's key is in the current session");
		// A forged proof (another validator's key claimed for Bob's headers) is refused.
		let mut forged = proof.clone();
		forged.offender = Sr25519Keyring::Charlie.public().into();
		assert!(Babe::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(forged),
			key_owner_proof.clone()
		)
		.is_err());
		assert!(pallet_poq_validators::Validators::<Runtime>::get().contains(&bob));
		// The genuine report goes through pallet-offences to the validator set.
		assert_ok!(Babe::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof.clone()),
			key_owner_proof.clone()
		));
		assert!(!pallet_poq_validators::Validators::<Runtime>::get().contains(&bob));
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			crate::RuntimeEvent::ValidatorSet(pallet_poq_validators::Event::OffenderRemoved { who, session: 0 })
				if who == &bob
		)));
		// The same offence is not reported twice.
		assert!(Babe::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof),
			key_owner_proof
		)
		.is_err());
		run_to_session(2);
		assert!(!Session::validators().contains(&bob));
	});
}

/// Two different prevotes in one round of `set_id`, both signed by `key`'s GRANDPA key.
fn grandpa_equivocation(
	key: sp_keyring::Ed25519Keyring,
	set_id: u64,
	round: u64,
) -> sp_consensus_grandpa::EquivocationProof<crate::Hash, BlockNumber> {
	use sp_core::Pair;
	let vote = |n: u8| {
		let prevote =
			finality_grandpa::Prevote { target_hash: crate::Hash::repeat_byte(n), target_number: 1 };
		let payload = sp_consensus_grandpa::localized_payload(
			round,
			set_id,
			&finality_grandpa::Message::Prevote(prevote.clone()),
		);
		let signature: sp_consensus_grandpa::AuthoritySignature = key.pair().sign(&payload).into();
		(prevote, signature)
	};
	sp_consensus_grandpa::EquivocationProof::new(
		set_id,
		sp_consensus_grandpa::Equivocation::Prevote(finality_grandpa::Equivocation {
			round_number: round,
			identity: key.public().into(),
			first: vote(1),
			second: vote(2),
		}),
	)
}

#[test]
fn a_reported_grandpa_equivocation_removes_the_offender_through_offences() {
	use frame_support::traits::KeyOwnerProofSystem;
	three_validators().execute_with(|| {
		run_to(3);
		let charlie = account(Sr25519Keyring::Charlie);
		let proof = grandpa_equivocation(sp_keyring::Ed25519Keyring::Charlie, Grandpa::current_set_id(), 1);
		let key_owner_proof = crate::Historical::prove((
			sp_consensus_grandpa::KEY_TYPE,
			sp_consensus_grandpa::AuthorityId::from(sp_keyring::Ed25519Keyring::Charlie.public()),
		))
		.expect("Charlie's key is in the current session");
		assert_ok!(Grandpa::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof),
			key_owner_proof
		));
		assert!(!pallet_poq_validators::Validators::<Runtime>::get().contains(&charlie));
		run_to_session(2);
		assert!(!Session::validators().contains(&charlie));
		run_to(System::block_number() + 1);
		assert_eq!(grandpa_authorities(), 2);
	});
}
