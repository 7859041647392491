//! Command line of the node.

/// The node's subcommands; without one, the node runs.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Sub-commands concerned with benchmarking (`benchmark pallet` needs a node built with
	/// `--features runtime-benchmarks`).
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; none runs the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// The usual Substrate node options.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Evaluator options: the scoring engine of the off-chain worker.
	#[clap(flatten)]
	pub scoring: ScoringArgs,
}

/// Execution device of the scoring engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScoringDevice {
	/// CPU (always available).
	Cpu,
	/// CUDA (needs a node built with the `cuda` feature and a GPU; falls back to the CPU with a
	/// log line otherwise).
	Cuda,
}

/// Whether and how this node scores outputs as an evaluator.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoringArgs {
	/// Score the tasks this node's evaluator key (key type `poqe`) is assigned to, with its
	/// off-chain worker. On by default on the dev chain. Needs the models directory.
	#[arg(long, conflicts_with = "no_evaluator")]
	pub evaluator: bool,

	/// Do not score, even on the dev chain (no models needed).
	#[arg(long)]
	pub no_evaluator: bool,

	/// The scoring engine's models directory (filled by scripts/models.sh). Default:
	/// `$POQ_MODELS_DIR`, else `~/.cache/poq-models/default`.
	#[arg(long, value_name = "DIR")]
	pub models: Option<std::path::PathBuf>,

	/// Execution device of the scoring engine.
	#[arg(long, value_enum, default_value_t = ScoringDevice::Cpu)]
	pub scoring_device: ScoringDevice,

	/// Intra-op threads of the scoring engine (0: one per core).
	#[arg(long, default_value_t = 1)]
	pub scoring_threads: usize,
}

impl ScoringArgs {
	/// Whether the node evaluates (development chains do unless told not to).
	pub fn evaluates(&self, development_chain: bool) -> bool {
		!self.no_evaluator && (self.evaluator || development_chain)
	}

	/// The models directory to use.
	pub fn models_dir(&self) -> std::path::PathBuf {
		if let Some(d) = &self.models {
			return d.clone();
		}
		if let Some(d) = std::env::var_os("POQ_MODELS_DIR").filter(|d| !d.is_empty()) {
			return d.into();
		}
		std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/poq-models/default")
	}
}
