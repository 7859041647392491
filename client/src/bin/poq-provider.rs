//! `poq-provider`: an inference node of the Proof-of-Quality chain. It registers its account as
//! a provider, answers the queries of the families it serves from an OpenAI-compatible
//! chat-completions endpoint, commits and reveals the answers, and serves Prometheus metrics.
//!
//! ```text
//! poq-provider --suri //Bob --model good-model@1 --cost 2 \
//!     --endpoint http://127.0.0.1:8080/v1 --endpoint-model llama-3.1-8b
//! ```
//!
//! Every flag may also come from a TOML file (`--config FILE`, keys as the flags with `_` for
//! `-`); a flag wins over the file.

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use poq_client::account::AccountArgs;
use poq_client::chain::{Chain, Family};
use poq_client::metrics::Metrics;
use poq_client::openai::{Endpoint, EndpointConfig};
use poq_client::provider::{Provider, ProviderSettings};
use poq_client::state::State;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "poq-provider", version, about = "An inference node of the Proof-of-Quality chain: answers queries from an OpenAI-compatible endpoint")]
struct Args {
	/// A TOML file with any of the settings below (flags win).
	#[arg(long, value_name = "FILE")]
	config: Option<PathBuf>,
	/// The node's RPC URL.
	#[arg(long)]
	url: Option<String>,
	#[command(flatten)]
	account: AccountArgs,
	/// The model this provider declares on chain, `name@version` (registered by governance).
	#[arg(long)]
	model: Option<String>,
	/// Declared cost per output, in POQ.
	#[arg(long)]
	cost: Option<String>,
	/// Families to answer, comma-separated (qa, summarization, code, open); all by default.
	#[arg(long)]
	families: Option<String>,
	/// Base URL of the OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.
	#[arg(long)]
	endpoint: Option<String>,
	/// The `model` the endpoint is asked for.
	#[arg(long)]
	endpoint_model: Option<String>,
	/// Sampling temperature.
	#[arg(long)]
	temperature: Option<f32>,
	/// Most tokens per answer.
	#[arg(long)]
	max_tokens: Option<u32>,
	/// Seconds one endpoint request may take.
	#[arg(long)]
	timeout: Option<f64>,
	/// Most endpoint requests at once.
	#[arg(long)]
	concurrency: Option<usize>,
	/// A system prompt sent before each query.
	#[arg(long)]
	system_prompt: Option<String>,
	/// Where salts and pending reveals are kept (default: ~/.local/share/poq-provider/ACCOUNT).
	#[arg(long)]
	state_dir: Option<PathBuf>,
	/// Serve Prometheus metrics on this port (127.0.0.1; `--prometheus-external` for all interfaces).
	#[arg(long)]
	prometheus_port: Option<u16>,
	/// Serve metrics on all interfaces.
	#[arg(long)]
	prometheus_external: bool,
}

/// The settings a `--config` file may hold.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
	url: Option<String>,
	model: Option<String>,
	cost: Option<String>,
	families: Option<String>,
	endpoint: Option<String>,
	endpoint_model: Option<String>,
	temperature: Option<f32>,
	max_tokens: Option<u32>,
	timeout: Option<f64>,
	concurrency: Option<usize>,
	system_prompt: Option<String>,
	state_dir: Option<PathBuf>,
	prometheus_port: Option<u16>,
}

fn main() {
	poq_client::logger::init("poq-provider");
	let args = poq_client::parse_args::<Args>("poq-provider");
	let runtime = match tokio::runtime::Runtime::new() {
		Ok(r) => r,
		Err(e) => {
			eprintln!("poq-provider: cannot start the async runtime: {e}");
			std::process::exit(1);
		},
	};
	if let Err(e) = runtime.block_on(run(args)) {
		eprintln!("poq-provider: {}", poq_client::chain::one_line(&format!("{e:#}")));
		std::process::exit(1);
	}
}

async fn run(args: Args) -> Result<()> {
	let file = match &args.config {
		Some(path) => {
			let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
			toml::from_str::<FileConfig>(&text).map_err(|e| anyhow!("config file {}: {}", path.display(), e.message()))?
		},
		None => FileConfig::default(),
	};
	let url = args.url.or(file.url).unwrap_or_else(|| "ws://127.0.0.1:9944".into());
	let model = args.model.or(file.model).ok_or_else(|| anyhow!("--model NAME@VERSION is required (the model declared on chain)"))?;
	let cost_text = args.cost.or(file.cost).unwrap_or_else(|| "1".into());
	let cost = poq_client::parse_poq(&cost_text).ok_or_else(|| anyhow!("--cost '{cost_text}' is not an amount of POQ"))?;
	let families = match args.families.or(file.families) {
		Some(list) => list.split(',').map(Family::parse).collect::<Result<Vec<_>>>()?,
		None => Family::ALL.to_vec(),
	};
	let endpoint = args.endpoint.or(file.endpoint).ok_or_else(|| anyhow!("--endpoint URL is required (an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1)"))?;
	if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
		bail!("--endpoint '{endpoint}' is not an http:// or https:// URL");
	}
	let timeout = args.timeout.or(file.timeout).unwrap_or(30.0);
	if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
		bail!("--timeout {timeout} is not a number of seconds in (0, 3600]");
	}
	let temperature = args.temperature.or(file.temperature).unwrap_or(0.2);
	if !(0.0..=2.0).contains(&temperature) {
		bail!("--temperature {temperature} is not in [0, 2]");
	}
	let concurrency = args.concurrency.or(file.concurrency).unwrap_or(4);
	if concurrency == 0 || concurrency > 256 {
		bail!("--concurrency {concurrency} is not in 1..=256");
	}
	let endpoint = Endpoint::new(EndpointConfig {
		base_url: endpoint,
		model: args.endpoint_model.or(file.endpoint_model).unwrap_or_else(|| "default".into()),
		temperature,
		max_tokens: args.max_tokens.or(file.max_tokens).unwrap_or(512),
		timeout: Duration::from_secs_f64(timeout),
		api_key: std::env::var("POQ_ENDPOINT_API_KEY").ok().filter(|k| !k.is_empty()),
		system_prompt: args.system_prompt.or(file.system_prompt),
	})?;
	let signer = args.account.keypair()?;
	let who = signer.public_key().to_account_id();
	let state_dir = match args.state_dir.or(file.state_dir) {
		Some(d) => d,
		None => {
			let home = std::env::var_os("HOME").ok_or_else(|| anyhow!("no HOME: give --state-dir"))?;
			PathBuf::from(home).join(".local/share/poq-provider").join(who.to_string())
		},
	};
	let state = State::open(&state_dir)?;

	let metrics = match args.prometheus_port.or(file.prometheus_port) {
		Some(port) => {
			let registry = prometheus_endpoint::Registry::new_custom(None, None)?;
			let metrics = Metrics::register(&registry)?;
			let ip = if args.prometheus_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
			let addr = std::net::SocketAddr::from((ip, port));
			// Bind now, so that a port in use is reported at start in one line.
			std::net::TcpListener::bind(addr).map_err(|e| anyhow!("cannot serve metrics on {addr}: {e}"))?;
			tokio::spawn(async move {
				if let Err(e) = prometheus_endpoint::init_prometheus(addr, registry).await {
					log::error!("metrics server stopped: {e}");
				}
			});
			log::info!("metrics on http://{addr}/metrics");
			metrics
		},
		None => Metrics::unregistered(),
	};

	let chain = Chain::connect(&url).await?;
	let provider = Provider::new(chain, signer, endpoint, ProviderSettings {
		families: families.clone(),
		chain_model: model,
		declared_cost: cost,
		concurrency,
	}, metrics, state)
	.await?;
	provider.register().await?;
	log::info!(
		"serving {} from {}; state in {}",
		families.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "),
		url,
		state_dir.display()
	);
	tokio::select! {
		r = provider.run() => r,
		_ = tokio::signal::ctrl_c() => {
			log::info!("stopping (pending outputs stay in the state file)");
			Ok(())
		}
	}
}
