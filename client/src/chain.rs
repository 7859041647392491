//! The chain as the client software sees it: a connection to a node, the few records it reads
//! (decoded by field name from the chain's metadata), and transactions sent with the account's
//! next nonce and followed into a best block.

use anyhow::{anyhow, bail, Context, Result};
use scale_decode::DecodeAsType;
use scale_encode::EncodeAsType;
use subxt::config::{DefaultExtrinsicParamsBuilder, RpcConfigFor};
use subxt::dynamic;
use subxt::error::TransactionEventsError;
use subxt::rpcs::{LegacyRpcMethods, RpcClient};
use subxt::tx::TransactionStatus;
use subxt::utils::{AccountId32, H256};
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::Keypair;
use tokio::sync::Mutex;

/// The chain's configuration as `subxt` knows it (sr25519 accounts, `MultiAddress<_, ()>`, the
/// standard transaction extensions).
pub type Config = PolkadotConfig;
/// A `subxt` client of the chain at one block.
pub type AtBlock = subxt::client::ClientAtBlock<Config, subxt::client::OnlineClientAtBlockImpl<Config>>;
/// The id of a task.
pub type TaskId = u64;

/// Blocks a transaction stays valid for after the block it was made at.
const MORTALITY: u64 = 64;

/// A task family, as the chain names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, DecodeAsType, EncodeAsType, serde::Serialize, serde::Deserialize)]
pub enum Family {
	/// Question answering.
	Qa,
	/// Summarization of a source text carried by the query.
	Summarization,
	/// Code generation.
	Code,
	/// Anything else.
	Open,
}

impl Family {
	/// Every family.
	pub const ALL: [Family; 4] = [Family::Qa, Family::Summarization, Family::Code, Family::Open];

	/// The family's name as the chain spells it.
	pub fn name(self) -> &'static str {
		match self {
			Family::Qa => "Qa",
			Family::Summarization => "Summarization",
			Family::Code => "Code",
			Family::Open => "Open",
		}
	}

	/// Parses a family name, case-insensitively (`qa`, `summarization`, `code`, `open`).
	pub fn parse(text: &str) -> Result<Family> {
		Family::ALL
			.into_iter()
			.find(|f| f.name().eq_ignore_ascii_case(text.trim()))
			.ok_or_else(|| anyhow!("unknown family '{text}' (one of qa, summarization, code, open)"))
	}
}

/// A fixed-point fraction in parts per million (`Permill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, DecodeAsType)]
pub struct Permill(pub u32);

/// A fixed-point fraction in parts per billion (`Perbill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, DecodeAsType)]
pub struct Perbill(pub u32);

/// The options of a query (`tasks.QueryOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, DecodeAsType, EncodeAsType)]
pub struct QueryOptions {
	/// Most outputs accepted; `None` is the chain's maximum.
	pub max_outputs: Option<u32>,
	/// Evaluators asked for; `None` is the governed default.
	pub committee_size: Option<u32>,
}

/// What the client reads of a task (`tasks.Tasks`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct TaskInfo {
	/// Who posted it.
	pub submitter: AccountId32,
	/// Its family.
	pub family: Family,
	/// The bounty, in planck.
	pub bounty: u128,
	/// Its options.
	pub options: QueryOptions,
	/// First block of the reveal phase.
	pub answer_ends: u32,
	/// First block of the scoring phase.
	pub reveal_ends: u32,
	/// Block by which the task is scored or expires.
	pub scoring_ends: u32,
	/// Outputs committed.
	pub commits: u32,
	/// Outputs revealed.
	pub reveals: u32,
}

/// A provider's commitment to a task (`tasks.Outputs`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct OutputEntry {
	/// The commitment.
	pub commitment: H256,
	/// The hash of the revealed output, once revealed.
	pub output_hash: Option<H256>,
}

/// A provider's rating (`poq_primitives::Rating`).
#[derive(Clone, Copy, Debug, DecodeAsType)]
pub struct Rating {
	/// Average settled quality.
	pub rating: Permill,
	/// Settled results counted.
	pub results: u32,
}

/// A registered provider (`tasks.Providers`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct ProviderInfo {
	/// The model it declares, `name@version`.
	pub model_id: Vec<u8>,
	/// Declared cost per output, in planck.
	pub declared_cost: u128,
	/// Held registration deposit.
	pub deposit: u128,
	/// Tasks with an output of it that have not ended.
	pub open_tasks: u32,
	/// Its rating from settled outputs.
	pub rating: Option<Rating>,
}

/// An evaluator's bond (`evaluators.Ledgers`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct Ledger {
	/// Bonded amount, in planck.
	pub bonded: u128,
	/// Whether it takes part in committee draws.
	pub active: bool,
}

/// One output's settled result.
#[derive(Clone, Debug, DecodeAsType, serde::Serialize)]
pub struct OutputResult {
	/// Its provider.
	#[serde(serialize_with = "ser_account")]
	pub provider: AccountId32,
	/// Scores per dimension (model prior, cost prior, structure, semantic, alignment,
	/// agreement), in parts per million; `None` where nothing was measured.
	#[serde(serialize_with = "ser_scores")]
	pub scores: [Option<Permill>; 6],
	/// The composite quality, in parts per million.
	#[serde(serialize_with = "ser_permill")]
	pub composite: Permill,
	/// What the provider was paid, in planck.
	pub reward: u128,
}

/// One committee member's settled result.
#[derive(Clone, Debug, DecodeAsType)]
pub struct EvaluatorResult {
	/// The member.
	pub who: AccountId32,
	/// How it took part.
	pub conduct: scale_value::Value,
	/// Its deviation from the consensus, if it revealed validly.
	pub deviation: Option<Permill>,
	/// Its trust after the task.
	pub trust: Perbill,
	/// What it was paid, in planck.
	pub reward: u128,
	/// What was slashed from its bond, in planck.
	pub slashed: u128,
}

impl EvaluatorResult {
	/// The name of the member's conduct (`Revealed`, `Silent`, ...).
	pub fn conduct_name(&self) -> String {
		match &self.conduct.value {
			scale_value::ValueDef::Variant(v) => v.name.clone(),
			other => format!("{other:?}"),
		}
	}
}

/// The settled result of a task (`ConsensusApi::task_result`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct TaskResult {
	/// The query's family.
	pub family: Family,
	/// Per output, in the task's output order.
	pub outputs: Vec<OutputResult>,
	/// Per committee member, in draw order.
	pub evaluators: Vec<EvaluatorResult>,
	/// The provider of the best output, if scored.
	pub winner: Option<AccountId32>,
	/// The pool (the bounty), in planck.
	pub pool: u128,
	/// What went back to the user, in planck.
	pub refunded: u128,
	/// Block of settlement.
	pub settled_at: u32,
}

/// Quality statistics of one model in one family (`tasks.QualityStats`).
#[derive(Clone, Debug, DecodeAsType)]
pub struct QualityStats {
	/// Settled outputs counted.
	pub count: u64,
	/// Sum of their qualities, in parts per million.
	pub sum: u128,
	/// Sum of their squares.
	pub sum_sq: u128,
}

/// One (model, family) row of `TasksApi::model_stats`.
#[derive(Clone, Debug, DecodeAsType)]
pub struct ModelStanding {
	/// `name@version`.
	pub model: Vec<u8>,
	/// Whether governance retired it.
	pub retired: bool,
	/// The family.
	pub family: Family,
	/// Its statistics.
	pub stats: QualityStats,
}

fn ser_account<S: serde::Serializer>(a: &AccountId32, s: S) -> Result<S::Ok, S::Error> {
	s.serialize_str(&a.to_string())
}
fn ser_permill<S: serde::Serializer>(p: &Permill, s: S) -> Result<S::Ok, S::Error> {
	s.serialize_u32(p.0)
}
fn ser_scores<S: serde::Serializer>(x: &[Option<Permill>; 6], s: S) -> Result<S::Ok, S::Error> {
	use serde::Serialize;
	x.iter().map(|p| p.map(|p| p.0)).collect::<Vec<_>>().serialize(s)
}

/// Why a transaction did not go through, in one line.
#[derive(Debug)]
pub enum TxError {
	/// The pool refused it (bad nonce, too low priority, invalid, dropped).
	Refused(String),
	/// A block included it and its dispatch failed, e.g. `Tasks.WrongPhase`.
	Failed(String),
	/// A block included it and its outcome could not be read (the block's events).
	Unknown(String),
}

impl std::fmt::Display for TxError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			TxError::Refused(m) => write!(f, "refused by the pool: {m}"),
			TxError::Failed(m) => write!(f, "failed: {m}"),
			TxError::Unknown(m) => write!(f, "included, outcome unknown: {m}"),
		}
	}
}

impl std::error::Error for TxError {}

/// A connection to a node.
pub struct Chain {
	/// The `subxt` client.
	pub api: OnlineClient<Config>,
	rpc: LegacyRpcMethods<RpcConfigFor<Config>>,
	/// The node's URL.
	pub url: String,
	/// Next nonce per account this client has sent from (it may be ahead of the pool's view).
	nonces: Mutex<std::collections::BTreeMap<AccountId32, u64>>,
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> Result<Chain> {
		let rpc_client = RpcClient::from_insecure_url(url)
			.await
			.map_err(|e| anyhow!("cannot connect to a node at {url}: {e}"))?;
		let rpc = LegacyRpcMethods::new(rpc_client.clone());
		let api = OnlineClient::<Config>::from_rpc_client(rpc_client)
			.await
			.map_err(|e| anyhow!("cannot talk to the node at {url}: {e}"))?;
		Ok(Chain { api, rpc, url: url.to_string(), nonces: Default::default() })
	}

	/// A client at the node's best block. The node may name a best block that the client's
	/// block subscription has not reported yet (seen under load): then it asks again, up to
	/// 20 times 100 ms apart.
	pub async fn best(&self) -> Result<AtBlock> {
		let mut tries = 0;
		loop {
			let hash = self
				.rpc
				.chain_get_block_hash(None)
				.await
				.context("reading the best block")?
				.ok_or_else(|| anyhow!("the node has no best block"))?;
			match self.api.at_block(hash).await {
				Ok(at) => return Ok(at),
				Err(e) if tries >= 20 => return Err(e).context("opening the best block"),
				Err(_) => {
					tries += 1;
					tokio::time::sleep(std::time::Duration::from_millis(100)).await;
				},
			}
		}
	}

	/// The task's record, while it exists.
	pub async fn task(&self, at: &AtBlock, task: TaskId) -> Result<Option<TaskInfo>> {
		let addr = dynamic::storage::<(TaskId,), TaskInfo>("Tasks", "Tasks");
		match at.storage().try_fetch(addr, (task,)).await? {
			Some(v) => Ok(Some(v.decode_as::<TaskInfo>()?)),
			None => Ok(None),
		}
	}

	/// The query text of a task, while it exists.
	pub async fn query_text(&self, at: &AtBlock, task: TaskId) -> Result<Option<Vec<u8>>> {
		let addr = dynamic::storage::<(TaskId,), Vec<u8>>("Tasks", "Queries");
		Ok(match at.storage().try_fetch(addr, (task,)).await? {
			Some(v) => Some(v.decode_as::<Vec<u8>>()?),
			None => None,
		})
	}

	/// The reference of a task, if it has one.
	pub async fn reference(&self, at: &AtBlock, task: TaskId) -> Result<Option<Vec<u8>>> {
		let addr = dynamic::storage::<(TaskId,), Vec<u8>>("Tasks", "References");
		Ok(match at.storage().try_fetch(addr, (task,)).await? {
			Some(v) => Some(v.decode_as::<Vec<u8>>()?),
			None => None,
		})
	}

	/// `who`'s commitment to `task`, if any.
	pub async fn output(&self, at: &AtBlock, task: TaskId, who: &AccountId32) -> Result<Option<OutputEntry>> {
		let addr = dynamic::storage::<(TaskId, AccountId32), OutputEntry>("Tasks", "Outputs");
		Ok(match at.storage().try_fetch(addr, (task, who.clone())).await? {
			Some(v) => Some(v.decode_as::<OutputEntry>()?),
			None => None,
		})
	}

	/// `who`'s provider registration, if any.
	pub async fn provider(&self, at: &AtBlock, who: &AccountId32) -> Result<Option<ProviderInfo>> {
		let addr = dynamic::storage::<(AccountId32,), ProviderInfo>("Tasks", "Providers");
		Ok(match at.storage().try_fetch(addr, (who.clone(),)).await? {
			Some(v) => Some(v.decode_as::<ProviderInfo>()?),
			None => None,
		})
	}

	/// `who`'s evaluator bond, if any.
	pub async fn ledger(&self, at: &AtBlock, who: &AccountId32) -> Result<Option<Ledger>> {
		let addr = dynamic::storage::<(AccountId32,), Ledger>("Evaluators", "Ledgers");
		Ok(match at.storage().try_fetch(addr, (who.clone(),)).await? {
			Some(v) => Some(v.decode_as::<Ledger>()?),
			None => None,
		})
	}

	/// `who`'s free balance, in planck.
	pub async fn free_balance(&self, at: &AtBlock, who: &AccountId32) -> Result<u128> {
		#[derive(DecodeAsType)]
		struct Account {
			data: Data,
		}
		#[derive(DecodeAsType)]
		struct Data {
			free: u128,
		}
		let addr = dynamic::storage::<(AccountId32,), Account>("System", "Account");
		Ok(match at.storage().try_fetch(addr, (who.clone(),)).await? {
			Some(v) => v.decode_as::<Account>()?.data.free,
			None => 0,
		})
	}

	/// The settled result of `task`, while the chain retains it.
	pub async fn task_result(&self, at: &AtBlock, task: TaskId) -> Result<Option<TaskResult>> {
		let call = dynamic::runtime_api_call::<_, Option<TaskResult>>("ConsensusApi", "task_result", (task,));
		Ok(at.runtime_apis().call(call).await?)
	}

	/// `who`'s trust, if it is a bonded evaluator.
	pub async fn trust(&self, at: &AtBlock, who: &AccountId32) -> Result<Option<Perbill>> {
		let call = dynamic::runtime_api_call::<_, Option<Perbill>>("ConsensusApi", "trust", (who.clone(),));
		Ok(at.runtime_apis().call(call).await?)
	}

	/// Every registered model's statistics per family (`TasksApi::model_stats`).
	pub async fn model_stats(&self, at: &AtBlock) -> Result<Vec<ModelStanding>> {
		let call = dynamic::runtime_api_call::<(), Vec<ModelStanding>>("TasksApi", "model_stats", ());
		Ok(at.runtime_apis().call(call).await?)
	}

	/// A constant of the runtime, e.g. `("Tasks", "MaxOutputLen")`.
	pub fn constant_u32(&self, at: &AtBlock, pallet: &str, name: &str) -> Result<u32> {
		Ok(at.constants().entry(dynamic::constant::<u32>(pallet, name))?)
	}

	/// Signs `call` (`pallet.call(args)`) with `signer`, sends it with the account's next nonce
	/// and waits until a best block includes it. Returns the block's number and hash and the
	/// transaction's events, or why it failed.
	pub async fn send<Args>(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Args,
	) -> Result<Included, TxError>
	where
		Args: scale_encode::EncodeAsFields,
	{
		let payload = dynamic::transaction(pallet, call, args);
		let who: AccountId32 = signer.public_key().to_account_id();
		let mut progress = {
			let mut nonces = self.nonces.lock().await;
			let at = self.best().await.map_err(|e| TxError::Refused(format!("{e:#}")))?;
			let pool = self.rpc.system_account_next_index(&who).await.map_err(|e| TxError::Refused(e.to_string()))?;
			let nonce = nonces.get(&who).copied().unwrap_or(0).max(pool);
			let params = DefaultExtrinsicParamsBuilder::<Config>::new().nonce(nonce).mortal(MORTALITY).build();
			let sent = at.tx().sign_and_submit_then_watch(&payload, signer, params).await;
			match sent {
				Ok(p) => {
					nonces.insert(who.clone(), nonce + 1);
					p
				},
				Err(e) => {
					// The pool's view is the truth after a refusal.
					nonces.remove(&who);
					return Err(TxError::Refused(one_line(&e.to_string())));
				},
			}
		};
		while let Some(status) = progress.next().await {
			match status.map_err(|e| TxError::Refused(one_line(&e.to_string())))? {
				TransactionStatus::InBestBlock(b) | TransactionStatus::InFinalizedBlock(b) => {
					let hash = b.block_hash();
					// The block's events: the client's block subscription may not know the block
					// yet (seen under load), so ask again, up to 20 times 100 ms apart.
					let mut tries = 0;
					loop {
						match b.wait_for_success().await {
							Ok(events) => return Ok(Included { hash, events }),
							Err(e @ TransactionEventsError::ExtrinsicFailed(_)) |
							Err(e @ TransactionEventsError::CannotDecodeDispatchError { .. }) =>
								return Err(TxError::Failed(one_line(&e.to_string()))),
							Err(e) if tries >= 20 => return Err(TxError::Unknown(one_line(&e.to_string()))),
							Err(_) => {
								tries += 1;
								tokio::time::sleep(std::time::Duration::from_millis(100)).await;
							},
						}
					}
				},
				TransactionStatus::Invalid { message } |
				TransactionStatus::Dropped { message } |
				TransactionStatus::Error { message } => {
					self.nonces.lock().await.remove(&who);
					return Err(TxError::Refused(one_line(&message)));
				},
				_ => continue,
			}
		}
		Err(TxError::Refused("the node stopped reporting on the transaction".into()))
	}

	/// Sends a transaction and fails with a readable error.
	pub async fn send_ok<Args: scale_encode::EncodeAsFields>(
		&self,
		signer: &Keypair,
		pallet: &str,
		call: &str,
		args: Args,
	) -> Result<Included> {
		self.send(signer, pallet, call, args)
			.await
			.map_err(|e| anyhow!("{pallet}.{call} {e}"))
	}

	/// The number of the node's best block.
	pub async fn best_number(&self) -> Result<u32> {
		let at = self.best().await?;
		u32::try_from(at.block_number()).map_err(|_| anyhow!("block number out of range"))
	}

	/// Checks that the node runs a Proof-of-Quality runtime (it has the `Tasks` pallet).
	pub fn check_runtime(&self, at: &AtBlock) -> Result<()> {
		if at.metadata_ref().pallet_by_name("Tasks").is_none() {
			bail!("the chain at {} has no Tasks pallet: is it a Proof-of-Quality node?", self.url);
		}
		Ok(())
	}
}

/// A transaction in a block.
pub struct Included {
	/// The block's hash.
	pub hash: H256,
	/// The transaction's events.
	pub events: subxt::extrinsics::ExtrinsicEvents<Config>,
}

/// The first line of `text`, trimmed.
pub fn one_line(text: &str) -> String {
	text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Parses an SS58 address or a 0x-prefixed 32-byte hex account id.
pub fn parse_account(text: &str) -> Result<AccountId32> {
	let t = text.trim();
	if let Some(h) = t.strip_prefix("0x") {
		let bytes: [u8; 32] = hex::decode(h)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| anyhow!("'{text}' is not a 32-byte hex account id"))?;
		return Ok(AccountId32(bytes));
	}
	t.parse::<AccountId32>().map_err(|_| anyhow!("'{text}' is not an SS58 address"))
}
