//! The runtime's benchmark helpers: tasks, evaluators and settled tasks made with the runtime's
//! own pallets, for the consensus and calibration pallets' benchmarks (`runtime-benchmarks`
//! only). Apart from `configs.rs`, which names them, so that the configuration depends on no
//! test scaffolding and nothing here depends on the genesis presets.

use crate::{AccountId, Balance, Balances, BlockNumber, Consensus, Evaluators, Runtime, System, Tasks, UNIT};

/// Creates tasks and evaluators for the consensus pallet's benchmarks with the runtime's own
/// tasks and evaluators pallets.
pub struct ConsensusBenchmarkHelper;

impl pallet_poq_consensus::BenchmarkHelper<AccountId, Balance> for ConsensusBenchmarkHelper {
	fn scoring_task(outputs: u32) -> poq_primitives::TaskId {
		use frame_support::traits::{fungible::Mutate, Hooks};
		use frame_system::RawOrigin;
		let fund = |who: &AccountId| {
			Balances::set_balance(who, 1_000_000 * UNIT);
		};
		let user: AccountId = frame_benchmarking::account("user", 0, 0);
		fund(&user);
		let providers: alloc::vec::Vec<AccountId> =
			(0..outputs).map(|i| frame_benchmarking::account("provider", i, 0)).collect();
		for (i, p) in providers.iter().enumerate() {
			fund(p);
			if pallet_poq_tasks::Providers::<Runtime>::get(p).is_none() {
				// A model of its own (the worst case of settlement: one statistics entry per
				// output), its id of maximal length: 59 `m`, three digits, `@1`.
				let name = [alloc::vec![b'm'; 59], alloc::format!("{i:03}").into_bytes()].concat();
				let model = [name.clone(), b"@1".to_vec()].concat();
				let key: pallet_poq_tasks::ModelIdOf<Runtime> = model.clone().try_into().expect("64 bytes fit");
				if !pallet_poq_tasks::Models::<Runtime>::contains_key(&key) {
					Tasks::register_model(RawOrigin::Root.into(), name, b"1".to_vec()).expect("register the model");
				}
				Tasks::register_provider(RawOrigin::Signed(p.clone()).into(), model, UNIT)
					.expect("register");
			}
		}
		let task = pallet_poq_tasks::NextTaskId::<Runtime>::get();
		Tasks::submit_query(
			RawOrigin::Signed(user).into(),
			poq_primitives::TaskFamily::Qa,
			alloc::vec![b'q'; 256],
			None,
			100 * UNIT,
			Default::default(),
		)
		.expect("submit");
		let salt = [0u8; 32];
		let output = alloc::vec![b'o'; 256];
		for p in &providers {
			let c = poq_primitives::commitment::output(p, task, &output, &salt);
			Tasks::commit_output(RawOrigin::Signed(p.clone()).into(), task, c).expect("commit");
		}
		let info = pallet_poq_tasks::Tasks::<Runtime>::get(task).expect("task exists");
		System::set_block_number(info.answer_ends);
		for p in &providers {
			Tasks::reveal_output(RawOrigin::Signed(p.clone()).into(), task, output.clone(), salt)
				.expect("reveal");
		}
		System::set_block_number(info.reveal_ends);
		Tasks::on_initialize(info.reveal_ends);
		// The committee is drawn the draw delay later.
		let at = info.reveal_ends +
			<<Runtime as pallet_poq_consensus::Config>::DrawDelay as frame_support::traits::Get<BlockNumber>>::get();
		System::set_block_number(at);
		Consensus::on_initialize(at);
		task
	}

	fn evaluator(i: u32) -> AccountId {
		use frame_support::traits::fungible::Mutate;
		use frame_system::RawOrigin;
		let who: AccountId = frame_benchmarking::account("evaluator", i, 0);
		if pallet_poq_evaluators::Ledgers::<Runtime>::get(&who).is_none() {
			Balances::set_balance(&who, 1_000_000 * UNIT);
			Evaluators::bond(RawOrigin::Signed(who.clone()).into(), 1_000 * UNIT).expect("bond");
			Evaluators::activate(RawOrigin::Signed(who.clone()).into()).expect("activate");
		}
		who
	}
}

/// Settles tasks for the calibration pallet's benchmarks with the runtime's own pallets.
pub struct CalibrationBenchmarkHelper;

impl pallet_poq_calibration::BenchmarkHelper<AccountId> for CalibrationBenchmarkHelper {
	fn settled_task(outputs: u32, members: u32) -> poq_primitives::TaskId {
		use pallet_poq_consensus::{BenchmarkHelper as _, Commits, Reveal, Reveals, Rounds};
		use frame_system::RawOrigin;
		let task = ConsensusBenchmarkHelper::scoring_task(outputs);
		let committee: alloc::vec::Vec<AccountId> =
			(0..members).map(ConsensusBenchmarkHelper::evaluator).collect();
		Rounds::<Runtime>::mutate(task, |r| {
			let r = r.as_mut().expect("the helper's task has a round");
			r.committee = committee
				.iter()
				.map(|who| (who.clone(), 0))
				.collect::<alloc::vec::Vec<_>>()
				.try_into()
				.expect("members <= MaxCommitteeSize");
		});
		// Reveals of an accepted set, so that they count (any hash will do: the benchmarks'
		// own set).
		let model_set = sp_core::H256::repeat_byte(0xbe);
		if !pallet_poq_consensus::AcceptedModelSets::<Runtime>::contains_key(model_set) {
			let info = pallet_poq_consensus::ModelSetInfo::new(b"bench".to_vec(), b"1".to_vec()).expect("short labels");
			pallet_poq_consensus::AcceptedModelSets::<Runtime>::insert(model_set, info);
		}
		for (i, who) in committee.iter().enumerate() {
			let reports: alloc::vec::Vec<poq_primitives::ScoreReport> = (0..outputs)
				.map(|j| {
					let s = sp_runtime::Permill::from_parts((j * 97_000 + i as u32 * 13_000) % 1_000_000);
					poq_primitives::ScoreReport { structure: s, semantic: s, alignment: s }
				})
				.collect();
			Commits::<Runtime>::insert(task, who, sp_core::H256::zero());
			Reveals::<Runtime>::insert(
				task,
				who,
				Reveal::Valid { reports: reports.try_into().expect("outputs <= MaxOutputs"), model_set },
			);
		}
		let due = Rounds::<Runtime>::get(task).expect("round").reveal_ends;
		System::set_block_number(due);
		Consensus::settle(RawOrigin::Signed(committee[0].clone()).into(), task).expect("settles");
		task
	}
}
