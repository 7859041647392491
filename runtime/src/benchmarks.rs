//! The pallets whose benchmarks the node's `benchmark pallet` command can run.

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_collective, Council]
	[pallet_membership, CouncilMembership]
	[pallet_poq_tasks, Tasks]
	[pallet_poq_evaluators, Evaluators]
	[pallet_poq_consensus, Consensus]
	[pallet_poq_calibration, Calibration]
	[pallet_poq_validators, ValidatorSet]
);
