//! `poq`: the user's command line for the Proof-of-Quality chain.
//!
//! ```text
//! poq submit --suri //Ferdie --family qa --query "Who wrote Hamlet?" --reference "William Shakespeare" --follow
//! poq result 7
//! poq leaderboard
//! poq provider 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
//! poq evaluator --suri //Alice
//! poq bond --suri //Alice --amount 1000
//! ```
//!
//! `--json` prints one JSON document instead of tables; an error is one line on standard
//! error and exit status 1.

use anyhow::{anyhow, bail, Result};
use clap::{Parser, Subcommand};
use poq_client::account::AccountArgs;
use poq_client::chain::{parse_account, AtBlock, Chain, Family, QueryOptions, TaskId};
use poq_client::format::{pct, result_json, result_table, short};
use poq_client::{fmt_poq, parse_poq};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;

#[derive(Parser, Debug)]
#[command(name = "poq", version, about = "Ask the Proof-of-Quality chain questions and read its answers")]
struct Cli {
	/// The node's RPC URL.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// Print JSON instead of tables.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Post a query with a bounty; `--follow` shows its phases and prints its result.
	Submit {
		#[command(flatten)]
		account: AccountArgs,
		/// qa, summarization, code or open.
		#[arg(long)]
		family: String,
		/// The query text (or `--query-file`).
		#[arg(long, conflicts_with = "query_file")]
		query: Option<String>,
		/// A file with the query text.
		#[arg(long)]
		query_file: Option<std::path::PathBuf>,
		/// The reference answer (or `--reference-file`); for code, a test program may follow a
		/// `# poq-tests` line.
		#[arg(long, conflicts_with = "reference_file")]
		reference: Option<String>,
		/// A file with the reference.
		#[arg(long)]
		reference_file: Option<std::path::PathBuf>,
		/// The bounty, in POQ.
		#[arg(long, default_value = "30")]
		bounty: String,
		/// Most outputs accepted (default: the chain's maximum).
		#[arg(long)]
		max_outputs: Option<u32>,
		/// Evaluators asked for (default: the governed committee size).
		#[arg(long)]
		committee: Option<u32>,
		/// Follow the task through its phases and print its result.
		#[arg(long)]
		follow: bool,
		/// With `--follow`: give up after this many seconds.
		#[arg(long, default_value = "300")]
		timeout: u64,
	},
	/// The settled result of a task: outputs, dimensions, rewards, the committee's conduct.
	Result {
		/// The task id.
		task: TaskId,
		/// Wait up to this many seconds for the settlement.
		#[arg(long, default_value = "0")]
		wait: u64,
	},
	/// Each model's mean quality per family with a 95% interval and its rank.
	Leaderboard {
		/// Only this family.
		#[arg(long)]
		family: Option<String>,
		/// Leave out models with fewer settled outputs.
		#[arg(long, default_value = "1")]
		min_outputs: u64,
	},
	/// A provider's registration, rating and open tasks.
	Provider {
		/// Its address (or the account of `--suri`/`--keystore`/`POQ_MNEMONIC`).
		address: Option<String>,
		#[command(flatten)]
		account: AccountArgs,
	},
	/// An evaluator's bond, activity and trust.
	Evaluator {
		/// Its address (or the account of `--suri`/`--keystore`/`POQ_MNEMONIC`).
		address: Option<String>,
		#[command(flatten)]
		account: AccountArgs,
	},
	/// Bond as an evaluator and opt in to committee draws.
	Bond {
		#[command(flatten)]
		account: AccountArgs,
		/// The amount to bond, in POQ.
		#[arg(long)]
		amount: String,
	},
}

fn main() {
	poq_client::logger::init("poq");
	let cli = poq_client::parse_args::<Cli>("poq");
	let runtime = match tokio::runtime::Runtime::new() {
		Ok(r) => r,
		Err(e) => {
			eprintln!("poq: cannot start the async runtime: {e}");
			std::process::exit(1);
		},
	};
	if let Err(e) = runtime.block_on(run(cli)) {
		eprintln!("poq: {}", poq_client::chain::one_line(&format!("{e:#}")));
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> Result<()> {
	// Arguments first: a wrong one is reported without a node.
	match cli.command {
		Command::Submit { account, family, query, query_file, reference, reference_file, bounty, max_outputs, committee, follow, timeout } => {
			let family = Family::parse(&family)?;
			let query = text_arg(query, query_file, "--query")?.ok_or_else(|| anyhow!("give --query TEXT or --query-file FILE"))?;
			let reference = text_arg(reference, reference_file, "--reference")?;
			let bounty = parse_poq(&bounty).ok_or_else(|| anyhow!("--bounty '{bounty}' is not an amount of POQ"))?;
			let signer = account.keypair()?;
			let chain = connect(&cli.url).await?;
			let options = QueryOptions { max_outputs, committee_size: committee };
			let args = (family, query.into_bytes(), reference.map(String::into_bytes), bounty, options);
			let included = chain.send_ok(&signer, "Tasks", "submit_query", args).await?;
			let task = submitted_task(&included)?;
			if !cli.json {
				println!("task {task}: posted ({}, bounty {} POQ)", family.name(), fmt_poq(bounty));
			}
			if follow {
				follow_task(&chain, task, Duration::from_secs(timeout), cli.json).await?;
				print_result(&chain, task, 0, cli.json).await
			} else {
				if cli.json {
					println!("{}", serde_json::json!({ "task": task }));
				}
				Ok(())
			}
		},
		Command::Result { task, wait } => {
			let chain = connect(&cli.url).await?;
			print_result(&chain, task, wait, cli.json).await
		},
		Command::Leaderboard { family, min_outputs } => {
			let family = family.as_deref().map(Family::parse).transpose()?;
			let chain = connect(&cli.url).await?;
			leaderboard(&chain, family, min_outputs, cli.json).await
		},
		Command::Provider { address, account } => {
			let who = who_of(address, &account)?;
			let chain = connect(&cli.url).await?;
			provider_status(&chain, &who, cli.json).await
		},
		Command::Evaluator { address, account } => {
			let who = who_of(address, &account)?;
			let chain = connect(&cli.url).await?;
			evaluator_status(&chain, &who, cli.json).await
		},
		Command::Bond { account, amount } => {
			let amount = parse_poq(&amount).ok_or_else(|| anyhow!("--amount '{amount}' is not an amount of POQ"))?;
			let signer = account.keypair()?;
			let chain = connect(&cli.url).await?;
			let who = signer.public_key().to_account_id();
			let at = chain.best().await?;
			match chain.ledger(&at, &who).await? {
				None => {
					chain.send_ok(&signer, "Evaluators", "bond", (amount,)).await?;
				},
				Some(l) if l.bonded < amount => {
					chain.send_ok(&signer, "Evaluators", "bond_extra", (amount - l.bonded,)).await?;
				},
				Some(_) => {},
			}
			let at = chain.best().await?;
			if !chain.ledger(&at, &who).await?.is_some_and(|l| l.active) {
				chain.send_ok(&signer, "Evaluators", "activate", ()).await?;
			}
			evaluator_status(&chain, &who, cli.json).await
		},
	}
}

async fn connect(url: &str) -> Result<Chain> {
	let chain = Chain::connect(url).await?;
	chain.check_runtime(&chain.best().await?)?;
	Ok(chain)
}

/// Text from a flag or a file (not both: clap refuses that).
fn text_arg(text: Option<String>, file: Option<std::path::PathBuf>, what: &str) -> Result<Option<String>> {
	match (text, file) {
		(Some(t), _) => Ok(Some(t)),
		(None, Some(path)) => std::fs::read_to_string(&path)
			.map(Some)
			.map_err(|e| anyhow!("{what}-file {}: {e}", path.display())),
		(None, None) => Ok(None),
	}
}

fn who_of(address: Option<String>, account: &AccountArgs) -> Result<AccountId32> {
	match address {
		Some(a) => parse_account(&a),
		None if account.given() => Ok(account.keypair()?.public_key().to_account_id()),
		None => bail!("give an address, or the account with --suri, --keystore or POQ_MNEMONIC"),
	}
}

/// The task id in a `submit_query`'s events.
fn submitted_task(included: &poq_client::chain::Included) -> Result<TaskId> {
	#[derive(scale_decode::DecodeAsType)]
	struct QuerySubmitted {
		task: TaskId,
	}
	for event in included.events.iter() {
		let event = event?;
		if event.pallet_name() == "Tasks" && event.event_name() == "QuerySubmitted" {
			return Ok(event.decode_fields_unchecked_as::<QuerySubmitted>()?.task);
		}
	}
	bail!("the chain included the query but reported no QuerySubmitted event")
}

/// Prints each phase of `task` as it starts, until it is settled or gone.
async fn follow_task(chain: &Chain, task: TaskId, timeout: Duration, json: bool) -> Result<()> {
	let started = Instant::now();
	let mut last = String::new();
	loop {
		let at = chain.best().await?;
		let now = at.block_number() as u32;
		if chain.task_result(&at, task).await?.is_some() {
			return Ok(());
		}
		let phase = match chain.task(&at, task).await? {
			None => bail!("task {task} ended without a result (expired: no output was revealed or scored in time)"),
			Some(i) if now + 1 < i.answer_ends => format!("answer phase: {} output(s) committed, closes at block #{}", i.commits, i.answer_ends),
			Some(i) if now + 1 < i.reveal_ends => format!("reveal phase: {} of {} output(s) revealed", i.reveals, i.commits),
			Some(i) => format!("scoring: the committee scores {} output(s), by block #{}", i.reveals, i.scoring_ends),
		};
		if phase != last && !json {
			println!("task {task}: [{:>4.0} s, block #{now}] {phase}", started.elapsed().as_secs_f64());
			last = phase;
		}
		if started.elapsed() > timeout {
			bail!("task {task} not settled after {} s", timeout.as_secs());
		}
		tokio::time::sleep(Duration::from_millis(1500)).await;
	}
}

async fn print_result(chain: &Chain, task: TaskId, wait: u64, json: bool) -> Result<()> {
	let deadline = Instant::now() + Duration::from_secs(wait);
	let (at, result) = loop {
		let at = chain.best().await?;
		if let Some(r) = chain.task_result(&at, task).await? {
			break (at, r);
		}
		if Instant::now() >= deadline {
			return Err(match chain.task(&at, task).await? {
				Some(_) => anyhow!("task {task} is not settled yet (try --wait SECONDS)"),
				None => anyhow!("task {task} has no result: it does not exist, expired, or its result was pruned"),
			});
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	};
	if json {
		println!("{}", result_json(task, &result));
		return Ok(());
	}
	let mut names = BTreeMap::new();
	for o in &result.outputs {
		if let Some(p) = chain.provider(&at, &o.provider).await? {
			names.insert(o.provider.clone(), String::from_utf8_lossy(&p.model_id).into_owned());
		}
	}
	println!("{}", result_table(task, &result, &names));
	Ok(())
}

async fn leaderboard(chain: &Chain, family: Option<Family>, min_outputs: u64, json: bool) -> Result<()> {
	let at = chain.best().await?;
	let lines: Vec<poq_scorer::leaderboard::StatsLine> = chain
		.model_stats(&at)
		.await?
		.into_iter()
		.filter(|r| family.is_none_or(|f| f == r.family))
		.map(|r| poq_scorer::leaderboard::StatsLine {
			model: String::from_utf8_lossy(&r.model).into_owned(),
			family: r.family.name().into(),
			count: r.stats.count,
			sum: r.stats.sum,
			sum_sq: r.stats.sum_sq,
			retired: r.retired,
		})
		.collect();
	let boards = poq_scorer::leaderboard::leaderboards(&lines, min_outputs);
	if json {
		let v: serde_json::Map<String, serde_json::Value> =
			boards.iter().map(|(f, rows)| (f.clone(), serde_json::to_value(rows).unwrap_or_default())).collect();
		println!("{}", serde_json::Value::Object(v));
	} else if boards.is_empty() {
		println!("no model has a settled output yet");
	} else {
		print!("{}", poq_scorer::leaderboard::render(&boards));
	}
	Ok(())
}

async fn provider_status(chain: &Chain, who: &AccountId32, json: bool) -> Result<()> {
	let at: AtBlock = chain.best().await?;
	let Some(p) = chain.provider(&at, who).await? else {
		bail!("{who} is not a registered provider");
	};
	let free = chain.free_balance(&at, who).await?;
	let model = String::from_utf8_lossy(&p.model_id).into_owned();
	let rating = p.rating.map(|r| (r.rating, r.results));
	if json {
		println!("{}", serde_json::json!({
			"account": who.to_string(), "model": model, "declared_cost": p.declared_cost.to_string(),
			"deposit": p.deposit.to_string(), "open_tasks": p.open_tasks,
			"rating_permill": rating.map(|r| r.0 .0), "rated_results": rating.map(|r| r.1),
			"free": free.to_string(),
		}));
	} else {
		println!("provider {} ({})", short(who), who);
		println!("  model          {model}");
		println!("  declared cost  {} POQ per output", fmt_poq(p.declared_cost));
		println!("  deposit        {} POQ", fmt_poq(p.deposit));
		println!("  open tasks     {}", p.open_tasks);
		match rating {
			Some((r, n)) => println!("  rating         {} over {n} settled output(s)", pct(Some(r))),
			None => println!("  rating         none yet"),
		}
		println!("  free balance   {} POQ", fmt_poq(free));
	}
	Ok(())
}

async fn evaluator_status(chain: &Chain, who: &AccountId32, json: bool) -> Result<()> {
	let at = chain.best().await?;
	let Some(l) = chain.ledger(&at, who).await? else {
		bail!("{who} is not a bonded evaluator");
	};
	let trust = chain.trust(&at, who).await?;
	if json {
		println!("{}", serde_json::json!({
			"account": who.to_string(), "bonded": l.bonded.to_string(), "active": l.active,
			"trust_perbill": trust.map(|t| t.0),
		}));
	} else {
		println!("evaluator {} ({})", short(who), who);
		println!("  bonded  {} POQ", fmt_poq(l.bonded));
		println!("  active  {}", if l.active { "yes: drawn into committees" } else { "no" });
		match trust {
			Some(t) => println!("  trust   {:.1}%", f64::from(t.0) / 1e7),
			None => println!("  trust   -"),
		}
	}
	Ok(())
}
