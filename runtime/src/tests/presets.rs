//! Runtime tests: genesis presets, governance origins, pallet wiring.

use crate::{
	configs::{RootOrTwoThirdsCouncil, TreasuryAccount},
	genesis_config_presets, AccountId, Balances, CouncilCollective, Runtime, RuntimeCall,
	RuntimeGenesisConfig, RuntimeOrigin, Sudo, System,
};
use frame_support::{
	assert_ok,
	genesis_builder_helper::build_state,
	traits::{fungible::Inspect, EnsureOrigin, UnfilteredDispatchable},
};
use sp_keyring::Sr25519Keyring;

/// `patch` merged into `base`: objects recursively, anything else replaced (what the node does
/// with a preset).
pub(crate) fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) =>
			for (k, v) in p {
				merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			},
		(b, p) => *b = p,
	}
}

/// Externalities with the genesis state of the named preset.
pub(crate) fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&name.into()).expect("preset exists");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut full, serde_json::from_slice(&patch).unwrap());
	let json = serde_json::to_vec(&full).unwrap();
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
	ext
}

#[test]
fn both_presets_build_and_unknown_names_do_not() {
	for name in genesis_config_presets::preset_names() {
		let name = String::from_utf8(name.into()).unwrap();
		preset_ext(&name).execute_with(|| {
			// Every preset accepts the default model set, and only it.
			let sets: Vec<_> = pallet_poq_consensus::AcceptedModelSets::<Runtime>::iter().collect();
			assert_eq!(sets.len(), 1, "{name}");
			assert_eq!(sets[0].0, genesis_config_presets::default_model_set());
			assert_eq!(sets[0].1.name.to_vec(), b"poq-default".to_vec());
			// Every preset registers the demo's and tests' inference models.
			let mut models: Vec<Vec<u8>> =
				pallet_poq_tasks::Pallet::<Runtime>::models().into_iter().map(|m| m.model).collect();
			models.sort();
			let mut expected: Vec<Vec<u8>> = genesis_config_presets::DEV_MODELS
				.iter()
				.map(|(n, v)| format!("{n}@{v}").into_bytes())
				.collect();
			expected.sort();
			assert_eq!(models, expected, "{name}");
		});
	}
	preset_ext(genesis_config_presets::LOCAL_FOUR_PRESET).execute_with(|| {
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 4);
	});
	assert!(genesis_config_presets::get_preset(&"no-such-preset".into()).is_none());
}

#[test]
fn dev_genesis_seats_the_council_funds_the_treasury_and_sets_sudo() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let mut members = pallet_collective::Members::<Runtime, CouncilCollective>::get();
		members.sort();
		let mut expected: Vec<AccountId> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.iter()
			.map(|k| k.to_account_id())
			.collect();
		expected.sort();
		assert_eq!(members, expected);
		assert!(Balances::balance(&TreasuryAccount::get()) > 0);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 1);
	});
	preset_ext(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_babe::Authorities::<Runtime>::get().len(), 2);
	});
}

#[test]
fn governed_parameters_need_root_or_two_thirds_of_the_council() {
	let two_of_three: RuntimeOrigin =
		pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(2, 3).into();
	let one_of_three: RuntimeOrigin =
		pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(1, 3).into();
	assert!(RootOrTwoThirdsCouncil::try_origin(two_of_three.clone()).is_ok());
	assert!(RootOrTwoThirdsCouncil::try_origin(RuntimeOrigin::root()).is_ok());
	assert!(RootOrTwoThirdsCouncil::try_origin(one_of_three.clone()).is_err());
	assert!(RootOrTwoThirdsCouncil::try_origin(RuntimeOrigin::signed(
		Sr25519Keyring::Alice.to_account_id()
	))
	.is_err());

	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let lengths = pallet_poq_tasks::PhaseLengths { answer: 7, reveal: 7, scoring: 14 };
		let call = pallet_poq_tasks::Call::<Runtime>::set_phase_lengths { lengths };
		assert!(RuntimeCall::from(call.clone()).dispatch_bypass_filter(one_of_three).is_err());
		assert_ok!(RuntimeCall::from(call).dispatch_bypass_filter(two_of_three));
		assert_eq!(pallet_poq_tasks::Phases::<Runtime>::get(), lengths);
	});
}

#[test]
fn sudo_can_reach_governed_calls_on_dev() {
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let bounds = pallet_poq_evaluators::TrustBounds {
			min: sp_runtime::Perbill::from_percent(2),
			max: sp_runtime::Perbill::from_percent(90),
		};
		let call: RuntimeCall =
			pallet_poq_evaluators::Call::<Runtime>::set_trust_bounds { bounds }.into();
		assert_ok!(Sudo::sudo(
			RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
			Box::new(call)
		));
		assert_eq!(pallet_poq_evaluators::Bounds::<Runtime>::get(), bounds);
		// The membership pallet initialised the council.
		assert_eq!(pallet_membership::Members::<Runtime, crate::CouncilMembershipInstance>::get().len(), 3);
	});
}

/// Runs `on_initialize` of the tasks and consensus pallets for blocks up to `n`.
fn run_to(n: crate::BlockNumber) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let b = System::block_number() + 1;
		System::set_block_number(b);
		crate::Tasks::on_initialize(b);
		crate::Consensus::on_initialize(b);
	}
}

#[test]
fn a_query_is_scored_by_a_committee_and_settled() {
	use poq_primitives::{ScoreReport, TaskFamily};
	use sp_runtime::Permill;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let signed = |k: Sr25519Keyring| RuntimeOrigin::signed(k.to_account_id());
		let (user, provider, evaluator) = (Sr25519Keyring::Alice, Sr25519Keyring::Charlie, Sr25519Keyring::Bob);
		assert_ok!(crate::Evaluators::bond(signed(evaluator), 1_000 * crate::UNIT));
		assert_ok!(crate::Evaluators::activate(signed(evaluator)));
		assert_ok!(crate::Tasks::register_provider(signed(provider), b"good-model@1".to_vec(), crate::UNIT));
		assert_ok!(crate::Tasks::submit_query(
			signed(user),
			TaskFamily::Qa,
			b"What is the capital of France?".to_vec(),
			None,
			10 * crate::UNIT,
			Default::default()
		));
		let salt = [3u8; 32];
		let who = provider.to_account_id();
		assert_ok!(crate::Tasks::commit_output(
			signed(provider),
			0,
			poq_primitives::commitment::output(&who, 0, b"Paris", &salt)
		));
		let info = pallet_poq_tasks::Tasks::<Runtime>::get(0).unwrap();
		run_to(info.answer_ends);
		assert_ok!(crate::Tasks::reveal_output(signed(provider), 0, b"Paris".to_vec(), salt));
		run_to(info.reveal_ends);
		// The reveal phase closed: the consensus pallet drew Bob, the only evaluator.
		let round = pallet_poq_consensus::Rounds::<Runtime>::get(0).expect("committee drawn");
		assert_eq!(round.committee.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(), vec![evaluator.to_account_id()]);
		let reports = vec![ScoreReport {
			structure: Permill::from_percent(90),
			semantic: Permill::from_percent(80),
			alignment: Permill::from_percent(70),
		}];
		let model_set = crate::genesis_config_presets::default_model_set();
		let e = evaluator.to_account_id();
		assert_ok!(crate::Consensus::commit_scores(
			signed(evaluator),
			0,
			poq_primitives::commitment::scores(&e, 0, &reports, &model_set, &salt)
		));
		run_to(round.commit_ends);
		assert_ok!(crate::Consensus::reveal_scores(signed(evaluator), 0, reports, model_set, salt));
		let before = Balances::balance(&e);
		run_to(round.reveal_ends);
		let result = pallet_poq_consensus::Results::<Runtime>::get(0).expect("settled");
		assert_eq!(result.winner, Some(who));
		// The evaluation budget (30% of 10 UNIT) goes to the only, exact evaluator.
		assert_eq!(Balances::balance(&e), before + 3 * crate::UNIT);
		let paid: crate::Balance = result.outputs.iter().map(|o| o.reward).sum::<crate::Balance>() +
			result.evaluators.iter().map(|e| e.reward).sum::<crate::Balance>();
		assert_eq!(paid + result.refunded, 10 * crate::UNIT);
	});
}

#[test]
fn two_thirds_of_the_council_set_dimension_weights() {
	use poq_primitives::TaskFamily;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let weights = pallet_poq_consensus::CALIBRATED_WEIGHTS;
		let call: RuntimeCall =
			pallet_poq_consensus::Call::<Runtime>::set_dimension_weights { family: TaskFamily::Code, weights }.into();
		let one_of_three: RuntimeOrigin =
			pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(1, 3).into();
		let two_of_three: RuntimeOrigin =
			pallet_collective::RawOrigin::<AccountId, CouncilCollective>::Members(2, 3).into();
		assert!(call.clone().dispatch_bypass_filter(one_of_three).is_err());
		assert_ok!(call.dispatch_bypass_filter(two_of_three));
		assert_eq!(pallet_poq_consensus::Weights::<Runtime>::get(TaskFamily::Code), weights);
		assert_eq!(pallet_poq_consensus::Weights::<Runtime>::get(TaskFamily::Qa), pallet_poq_consensus::DEFAULT_WEIGHTS);
	});
}

#[test]
fn the_audits_call_data_is_the_runtimes_encoding_of_set_dimension_weights() {
	use codec::Encode;
	use poq_primitives::TaskFamily;
	use sp_runtime::Permill;
	// `poq-scorer audit` writes this call data for these weights (offchain-worker/src/audit.rs
	// tests the same bytes): pallet 12, call 4, Summarization, six Permill.
	let weights = [150_000, 100_000, 200_000, 250_000, 150_000, 150_000].map(Permill::from_parts);
	let call: RuntimeCall =
		pallet_poq_consensus::Call::<Runtime>::set_dimension_weights { family: TaskFamily::Summarization, weights }.into();
	// 0x0c0401f0490200a0860100400d030090d00300f0490200f0490200
	let expected: [u8; 27] = [0x0c, 0x04, 0x01, 0xf0, 0x49, 0x02, 0x00, 0xa0, 0x86, 0x01, 0x00, 0x40, 0x0d, 0x03, 0x00, 0x90, 0xd0, 0x03, 0x00, 0xf0, 0x49, 0x02, 0x00, 0xf0, 0x49, 0x02, 0x00];
	assert_eq!(call.encode(), expected.to_vec());
}

#[test]
fn settling_sixteen_evaluators_and_eight_outputs_fits_two_percent_of_a_block() {
	use pallet_poq_consensus::WeightInfo;
	let settle = pallet_poq_consensus::weights::SubstrateWeight::<Runtime>::settle(16, 8);
	let max = crate::configs::RuntimeBlockWeights::get().max_block;
	assert!(
		settle.ref_time() * 50 <= max.ref_time(),
		"settle(16, 8) = {} ref time, block {}",
		settle.ref_time(),
		max.ref_time()
	);
}

#[test]
fn a_gold_reveal_and_the_gate_fit_the_block_with_room_to_spare() {
	use pallet_poq_calibration::WeightInfo;
	type W = pallet_poq_calibration::weights::SubstrateWeight<Runtime>;
	let max = crate::configs::RuntimeBlockWeights::get().max_block;
	// A gold reveal at the governed maxima (8 outputs, 16 members, full window and history):
	// under 2% of a block in time and in proof size.
	let reveal = W::reveal_gold();
	assert!(reveal.ref_time() * 50 <= max.ref_time(), "reveal_gold {} of {}", reveal.ref_time(), max.ref_time());
	assert!(reveal.proof_size() * 50 <= max.proof_size(), "reveal_gold proof {} of {}", reveal.proof_size(), max.proof_size());
	// The gate's work at a settlement is a fraction of the settlement itself, which is measured
	// with it (the runtime benchmark runs the consensus pallet with calibration as its gate).
	use pallet_poq_consensus::WeightInfo as _;
	let settle = pallet_poq_consensus::weights::SubstrateWeight::<Runtime>::settle(16, 8);
	assert!(W::gate().ref_time() * 10 <= settle.ref_time());
}

#[test]
fn a_gold_task_calibrates_through_the_runtime() {
	use pallet_poq_calibration::GoldLabels;
	use poq_primitives::{ScoreReport, TaskFamily};
	use sp_runtime::Permill;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let signed = |k: Sr25519Keyring| RuntimeOrigin::signed(k.to_account_id());
		let (poster, good, bad, evaluator) =
			(Sr25519Keyring::Dave, Sr25519Keyring::Charlie, Sr25519Keyring::Eve, Sr25519Keyring::Bob);
		assert_ok!(crate::Calibration::add_gold_poster(RuntimeOrigin::root(), poster.to_account_id()));
		assert_ok!(crate::Evaluators::bond(signed(evaluator), 1_000 * crate::UNIT));
		assert_ok!(crate::Evaluators::activate(signed(evaluator)));
		for p in [good, bad] {
			assert_ok!(crate::Tasks::register_provider(signed(p), b"good-model@1".to_vec(), crate::UNIT));
		}
		assert_ok!(crate::Tasks::submit_query(
			signed(poster),
			TaskFamily::Qa,
			b"What is the capital of France?".to_vec(),
			None,
			10 * crate::UNIT,
			Default::default()
		));
		let salt = [3u8; 32];
		for (p, out) in [(good, &b"Paris"[..]), (bad, &b"Lyon"[..])] {
			let c = poq_primitives::commitment::output(&p.to_account_id(), 0, out, &salt);
			assert_ok!(crate::Tasks::commit_output(signed(p), 0, c));
		}
		// Output order is commit order: Paris, then Lyon. The poster commits to the labels.
		let labels = GoldLabels::Quality(vec![Permill::from_percent(90), Permill::from_percent(10)]);
		let h = poq_primitives::commitment::gold(&poster.to_account_id(), 0, &labels, &salt);
		assert_ok!(crate::Calibration::commit_gold(signed(poster), h));
		let info = pallet_poq_tasks::Tasks::<Runtime>::get(0).unwrap();
		run_to(info.answer_ends);
		for (p, out) in [(good, &b"Paris"[..]), (bad, &b"Lyon"[..])] {
			assert_ok!(crate::Tasks::reveal_output(signed(p), 0, out.to_vec(), salt));
		}
		run_to(info.reveal_ends);
		let round = pallet_poq_consensus::Rounds::<Runtime>::get(0).expect("committee drawn");
		let r = |x| ScoreReport { structure: Permill::from_percent(x), semantic: Permill::from_percent(x), alignment: Permill::from_percent(x) };
		let reports = vec![r(80), r(30)];
		let (e, model_set) = (evaluator.to_account_id(), crate::genesis_config_presets::default_model_set());
		assert_ok!(crate::Consensus::commit_scores(signed(evaluator), 0, poq_primitives::commitment::scores(&e, 0, &reports, &model_set, &salt)));
		run_to(round.commit_ends);
		// Too early: the committee has not revealed yet. Refused, deposit slashed.
		let early = poq_primitives::commitment::gold(&poster.to_account_id(), 0, &labels, &[4; 32]);
		assert_ok!(crate::Calibration::commit_gold(signed(poster), early));
		assert_ok!(crate::Calibration::reveal_gold(signed(poster), early, 0, labels.clone(), [4; 32]));
		assert!(pallet_poq_calibration::GoldCommits::<Runtime>::get(early).is_none());
		assert_ok!(crate::Consensus::reveal_scores(signed(evaluator), 0, reports, model_set, salt));
		run_to(round.reveal_ends);
		assert!(pallet_poq_consensus::Results::<Runtime>::get(0).is_some(), "settled");
		assert_ok!(crate::Calibration::reveal_gold(signed(poster), h, 0, labels, salt));
		let c = crate::Calibration::family_calibration(TaskFamily::Qa, pallet_poq_consensus::Weights::<Runtime>::get(TaskFamily::Qa));
		assert_eq!(c.reliability[2], Some(Permill::one()), "structure ordered the pair right");
		// One evaluator: agreement is not measured, so it has no pair.
		assert_eq!(c.gold_tasks, [1, 1, 1, 1, 1, 0, 1, 1]);
		assert_eq!(crate::Calibration::gold_records().len(), 1);
	});
}

#[test]
fn the_hooks_leave_the_normal_class_its_share_of_the_block() {
	use crate::configs::{ConsensusServiceWeight, TasksServiceWeight};
	use frame_support::dispatch::DispatchClass;
	let w = crate::configs::RuntimeBlockWeights::get();
	let normal = w.get(DispatchClass::Normal).max_total.expect("the normal class is bounded");
	let hooks = TasksServiceWeight::get().saturating_add(ConsensusServiceWeight::get());
	// Base block + the queues' on_initialize budgets + a full normal class fit in one block.
	assert!(
		w.base_block.saturating_add(hooks).saturating_add(normal).all_lte(w.max_block),
		"base {:?} + hooks {:?} + normal {:?} > block {:?}",
		w.base_block,
		hooks,
		normal,
		w.max_block
	);
	// Each budget holds many items at the governed maxima (8 outputs, 16 members, 128
	// candidates), so a burst drains in few blocks; on_idle adds what extrinsics leave.
	let close = pallet_poq_tasks::Pallet::<Runtime>::max_action_weight();
	let settle = pallet_poq_consensus::Pallet::<Runtime>::max_settlement_weight();
	let closes = TasksServiceWeight::get().ref_time() / close.ref_time();
	let settles = ConsensusServiceWeight::get().ref_time() / settle.ref_time();
	println!("per block in on_initialize at the maxima: {closes} reveal closes with draws, {settles} settlements");
	assert!(closes >= 20, "{closes} reveal closes per block");
	assert!(settles >= 10, "{settles} settlements per block");
}

#[test]
fn a_burst_of_two_hundred_queries_is_accepted_and_every_reveal_phase_closes_in_time() {
	use poq_primitives::TaskFamily;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let signed = |k: Sr25519Keyring| RuntimeOrigin::signed(k.to_account_id());
		let (user, evaluator) = (Sr25519Keyring::Ferdie, Sr25519Keyring::Bob);
		let providers = [Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve];
		assert_ok!(crate::Evaluators::bond(signed(evaluator), 1_000 * crate::UNIT));
		assert_ok!(crate::Evaluators::activate(signed(evaluator)));
		for p in providers {
			assert_ok!(crate::Tasks::register_provider(signed(p), b"good-model@1".to_vec(), crate::UNIT));
		}
		let options = pallet_poq_tasks::QueryOptions { max_outputs: Some(3), committee_size: Some(1) };
		let tasks: Vec<u64> = (0..200)
			.map(|i| {
				let t = pallet_poq_tasks::NextTaskId::<Runtime>::get();
				let q = alloc::format!("What is {i} + {i}?").into_bytes();
				assert_ok!(crate::Tasks::submit_query(signed(user), TaskFamily::Qa, q, None, crate::UNIT, options));
				t
			})
			.collect();
		let salt = [1u8; 32];
		for t in &tasks {
			for p in providers {
				let c = poq_primitives::commitment::output(&p.to_account_id(), *t, b"answer", &salt);
				assert_ok!(crate::Tasks::commit_output(signed(p), *t, c));
			}
		}
		// Every task got its three outputs: the reveal phases start in block 2.
		run_to(2);
		for t in &tasks {
			for p in providers {
				assert_ok!(crate::Tasks::reveal_output(signed(p), *t, b"answer".to_vec(), salt));
			}
		}
		// All 200 closes fall due in block 2: on_initialize budgets carry them over; with no idle
		// weight at all every committee is still drawn within a few blocks (each the draw delay
		// of 2 blocks after its close), with its full windows.
		let mut rounds = alloc::collections::BTreeMap::new();
		for b in 3..=12 {
			run_to(b);
			for t in &tasks {
				if let Some(r) = pallet_poq_consensus::Rounds::<Runtime>::get(t) {
					rounds.entry(*t).or_insert((r.drawn_at, r.commit_ends, r.reveal_ends, r.committee.len()));
				}
			}
		}
		assert_eq!(pallet_poq_tasks::Pallet::<Runtime>::backlog(12), 0);
		assert_eq!(rounds.len(), 200, "every task drew its committee");
		let last = rounds.values().map(|r| r.0).max().unwrap();
		println!("200 reveal closes due at block 2, drawn in blocks 4..={last} by on_initialize alone");
		assert!(last <= 7, "the last committee was drawn at block {last}");
		for (t, (drawn, commit_ends, reveal_ends, members)) in &rounds {
			assert_eq!(*members, 1, "task {t}");
			assert!(*commit_ends >= drawn + 2 && reveal_ends > commit_ends, "task {t}: windows {drawn}..{commit_ends}..{reveal_ends}");
		}
	});
}

#[test]
fn committee_draws_use_babe_vrf_randomness_and_a_delay_on_every_chain() {
	use core::any::TypeId;
	use frame_support::traits::Get;
	// Dev, local and production chains share this runtime: no chain draws from a source a block
	// author can grind (the collective-flip pallet is gone), and none draws at its close.
	assert_eq!(
		TypeId::of::<<Runtime as pallet_poq_consensus::Config>::Randomness>(),
		TypeId::of::<pallet_babe::ParentBlockRandomness<Runtime>>()
	);
	assert!(<<Runtime as pallet_poq_consensus::Config>::DrawDelay as Get<crate::BlockNumber>>::get() >= 2);
	for preset in [sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET] {
		preset_ext(preset).execute_with(|| {
			let p = pallet_poq_consensus::CurrentParams::<Runtime>::get();
			assert!(
				pallet_poq_consensus::Pallet::<Runtime>::blocks_needed(&p) <=
					pallet_poq_tasks::Phases::<Runtime>::get().scoring,
				"{preset}: the draw delay and windows fit in the scoring phase"
			);
		});
	}
}

#[test]
fn a_query_pays_for_its_hook_work_and_a_block_still_holds_a_burst() {
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	let call = pallet_poq_tasks::Call::<Runtime>::submit_query {
		family: poq_primitives::TaskFamily::Qa,
		query: alloc::vec![b'q'; 4096],
		reference: Some(alloc::vec![b'r'; 4096]),
		bounty: crate::UNIT,
		options: Default::default(),
	};
	let charged = call.get_dispatch_info().call_weight;
	let hooks = pallet_poq_tasks::Pallet::<Runtime>::scheduled_weight();
	assert!(hooks.all_lte(charged), "the call's weight holds its hook work");
	let w = crate::configs::RuntimeBlockWeights::get();
	let normal = w.get(DispatchClass::Normal).max_total.expect("the normal class is bounded");
	let per_block = normal.ref_time() / charged.ref_time();
	println!(
		"submit_query: {} us charged, of which {} us for its hook work; {per_block} maximal queries per block",
		charged.ref_time() / 1_000_000,
		hooks.ref_time() / 1_000_000
	);
	// The latency test's burst (40 queries in one block) fits with room to spare.
	assert!(per_block >= 80, "{per_block} queries per block");
}

#[test]
fn a_lapse_is_charged_the_clean_up_of_what_it_left_not_a_full_committee() {
	use poq_primitives::TaskScoring;
	preset_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let full = <crate::Consensus as TaskScoring>::forget_weight();
		let nothing = <crate::Consensus as TaskScoring>::current_forget_weight(99);
		assert_eq!(nothing, <Runtime as frame_system::Config>::DbWeight::get().reads(2));
		assert!(nothing.ref_time() * 10 < full.ref_time(), "{nothing:?} vs {full:?}");
	});
}
