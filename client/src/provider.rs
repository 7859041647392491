//! The engine of `poq-provider`: an inference node that answers the chain's queries from an
//! OpenAI-compatible endpoint.
//!
//! Per best block, the daemon
//! 1. starts an answer for every `Tasks.QuerySubmitted` of a family it serves (at most
//!    `concurrency` endpoint requests at once): it asks the endpoint, saves the output and a fresh
//!    salt to the state file, then commits (`tasks.commit_output`) while the answer phase is open;
//! 2. moves every saved output on: reveals it (`tasks.reveal_output`) once the reveal phase is
//!    open and the admission draw has run, and, once the task is settled, counts its reward and
//!    forgets it.
//!
//! An output is saved before its commitment is sent, so whatever the chain holds can be
//! revealed after a restart. When the endpoint fails (unreachable, an HTTP error, a timeout,
//! garbage), the task is skipped with a log line and a metric, nothing is committed, and
//! requests pause for a back-off that doubles with each failure (1 s up to 60 s).

use crate::chain::{Chain, Family, TaskId, TxError};
use crate::commitment;
use crate::metrics::Metrics;
use crate::openai::Endpoint;
use crate::state::{Pending, Stage, State};
use anyhow::{Context, Result};
use log::{debug, info, warn};
use scale_decode::DecodeAsType;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::{Mutex, Semaphore};

/// What the daemon serves and how.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
	/// The families it answers.
	pub families: Vec<Family>,
	/// The model it declares on chain, `name@version` (registered by governance).
	pub chain_model: String,
	/// Its declared cost per output, in planck.
	pub declared_cost: u128,
	/// Most endpoint requests at once.
	pub concurrency: usize,
}

/// The endpoint back-off: after `n` failures in a row, no request for `2^(n-1)` s (at most 60 s).
#[derive(Debug, Default)]
pub struct Backoff {
	failures: u32,
	until: Option<Instant>,
}

impl Backoff {
	/// The pause after the `failures`-th failure in a row.
	pub fn delay(failures: u32) -> Duration {
		Duration::from_secs(1u64 << failures.saturating_sub(1).min(6)).min(Duration::from_secs(60))
	}

	/// Records a failure at `now`.
	pub fn fail(&mut self, now: Instant) {
		self.failures = self.failures.saturating_add(1);
		self.until = Some(now + Self::delay(self.failures));
	}

	/// Records a success.
	pub fn succeed(&mut self) {
		*self = Backoff::default();
	}

	/// Whether requests pause at `now`.
	pub fn paused(&self, now: Instant) -> bool {
		self.until.is_some_and(|u| now < u)
	}
}

/// `Tasks.QuerySubmitted`, the fields the daemon uses.
#[derive(Debug, DecodeAsType)]
struct QuerySubmitted {
	task: TaskId,
	family: Family,
}

/// A running provider.
pub struct Provider {
	chain: Arc<Chain>,
	signer: Keypair,
	who: AccountId32,
	endpoint: Endpoint,
	settings: ProviderSettings,
	metrics: Metrics,
	state: Mutex<State>,
	permits: Semaphore,
	backoff: Mutex<Backoff>,
	/// Tasks with a request or a transaction under way (not to be started twice).
	busy: Mutex<HashSet<TaskId>>,
	max_output: usize,
}

impl Provider {
	/// A provider of `signer`'s account; `state` is its state file.
	pub async fn new(
		chain: Chain,
		signer: Keypair,
		endpoint: Endpoint,
		settings: ProviderSettings,
		metrics: Metrics,
		state: State,
	) -> Result<Arc<Provider>> {
		let at = chain.best().await?;
		chain.check_runtime(&at)?;
		let max_output = chain.constant_u32(&at, "Tasks", "MaxOutputLen")? as usize;
		let who = signer.public_key().to_account_id();
		Ok(Arc::new(Provider {
			chain: Arc::new(chain),
			signer,
			who,
			endpoint,
			permits: Semaphore::new(settings.concurrency.max(1)),
			settings,
			metrics,
			state: Mutex::new(state),
			backoff: Mutex::new(Backoff::default()),
			busy: Mutex::new(HashSet::new()),
			max_output,
		}))
	}

	/// The provider's account.
	pub fn account(&self) -> &AccountId32 {
		&self.who
	}

	/// Registers the account as a provider of the settings' model and cost, or updates the
	/// registration when they changed (only possible with no open task: otherwise it warns and
	/// serves as registered).
	pub async fn register(&self) -> Result<()> {
		let at = self.chain.best().await?;
		let model = self.settings.chain_model.as_bytes().to_vec();
		let cost = self.settings.declared_cost;
		match self.chain.provider(&at, &self.who).await? {
			None => {
				self.chain.send_ok(&self.signer, "Tasks", "register_provider", (model, cost)).await?;
				info!("registered {} as a provider of {} at {} POQ per output", self.who, self.settings.chain_model, crate::fmt_poq(cost));
			},
			Some(p) if p.model_id == model && p.declared_cost == cost => {
				info!("{} is registered as a provider of {}", self.who, self.settings.chain_model);
			},
			Some(p) if p.open_tasks == 0 => {
				self.chain.send_ok(&self.signer, "Tasks", "update_provider", (model, cost)).await?;
				info!("updated {} to {} at {} POQ per output", self.who, self.settings.chain_model, crate::fmt_poq(cost));
			},
			Some(p) => warn!(
				"{} is registered for {} at {} POQ with {} open tasks: serving as registered",
				self.who,
				String::from_utf8_lossy(&p.model_id),
				crate::fmt_poq(p.declared_cost),
				p.open_tasks
			),
		}
		Ok(())
	}

	/// Follows the best blocks until the connection ends.
	pub async fn run(self: &Arc<Self>) -> Result<()> {
		let pending = self.state.lock().await.pending.len();
		if pending > 0 {
			info!("resuming {pending} saved output(s) from the state file");
		}
		let mut blocks = self.chain.api.stream_best_blocks().await.context("following the best blocks")?;
		while let Some(block) = blocks.next().await {
			let block = block.context("reading a new block")?;
			let number = block.number() as u32;
			// A block that cannot be read is logged and passed over: its queries are missed, the
			// saved outputs move on at the next block.
			if let Err(e) = self.new_queries(&block).await {
				warn!("block #{number}: {e:#}");
			}
			self.advance(number).await;
		}
		anyhow::bail!("the node at {} closed the block stream", self.chain.url)
	}

	/// Starts an answer for each query of a served family that `block` posted.
	async fn new_queries(self: &Arc<Self>, block: &subxt::client::Block<crate::chain::Config>) -> Result<()> {
		let at = block.at().await.context("opening the block")?;
		let events = at.events().fetch().await.context("reading the block's events")?;
		for event in events.iter() {
			let event = event.context("decoding an event")?;
			if event.pallet_name() != "Tasks" || event.event_name() != "QuerySubmitted" {
				continue;
			}
			let q: QuerySubmitted = event.decode_fields_unchecked_as().context("decoding QuerySubmitted")?;
			if self.settings.families.contains(&q.family) && self.claim(q.task).await {
				let me = self.clone();
				tokio::spawn(async move { me.answer(q.task).await });
			}
		}
		Ok(())
	}

	/// Marks `task` busy; false when it already was.
	async fn claim(&self, task: TaskId) -> bool {
		self.busy.lock().await.insert(task)
	}

	async fn release(&self, task: TaskId) {
		self.busy.lock().await.remove(&task);
	}

	/// Step 1: answer, save, commit.
	async fn answer(self: Arc<Self>, task: TaskId) {
		if let Err(e) = self.try_answer(task).await {
			warn!("task {task}: {e:#}");
		}
		self.release(task).await;
	}

	async fn try_answer(&self, task: TaskId) -> Result<()> {
		let _permit = self.permits.acquire().await?;
		if self.backoff.lock().await.paused(Instant::now()) {
			self.metrics.skip("backoff");
			info!("task {task}: skipped, the endpoint is in back-off after failing");
			return Ok(());
		}
		let at = self.chain.best().await?;
		let Some(query) = self.chain.query_text(&at, task).await? else {
			return Ok(()); // cancelled or gone
		};
		let started = Instant::now();
		let answer = self.endpoint.answer(&String::from_utf8_lossy(&query), self.max_output).await;
		self.metrics.endpoint_latency.observe(started.elapsed().as_secs_f64());
		let output = match answer {
			Ok(output) => {
				self.backoff.lock().await.succeed();
				self.metrics.answered.inc();
				output
			},
			Err(e) => {
				self.backoff.lock().await.fail(Instant::now());
				self.metrics.skip(&format!("endpoint_{}", e.label()));
				info!("task {task}: skipped: {e}");
				return Ok(());
			},
		};
		self.commit(task, output).await
	}

	async fn commit(&self, task: TaskId, output: String) -> Result<()> {
		let at = self.chain.best().await?;
		let next = at.block_number() as u32 + 1;
		let Some(info) = self.chain.task(&at, task).await? else { return Ok(()) };
		if next >= info.answer_ends {
			self.metrics.skip("window_closed");
			info!("task {task}: skipped, the answer phase closed before the endpoint answered");
			return Ok(());
		}
		let salt = commitment::fresh_salt();
		let c = commitment::output(&self.who, task, output.as_bytes(), &salt);
		let pending = Pending {
			output,
			salt: hex::encode(salt),
			answer_ends: info.answer_ends,
			reveal_ends: info.reveal_ends,
			stage: Stage::Committing,
		};
		self.state.lock().await.put(task, pending)?;
		match self.chain.send(&self.signer, "Tasks", "commit_output", (task, c)).await {
			Ok(_) => {
				self.state.lock().await.set_stage(task, Stage::Committed)?;
				self.metrics.committed.inc();
				info!("task {task}: committed");
			},
			Err(e @ TxError::Failed(_)) => {
				// The dispatch failed: nothing is on chain, forget the output.
				self.state.lock().await.forget(task)?;
				self.metrics.skip("commit_failed");
				info!("task {task}: commitment {e}");
			},
			Err(e) => {
				// Refused by the pool, or included with an unread outcome: the output stays saved
				// until the chain shows whether it holds the commitment (`step`).
				if matches!(e, TxError::Refused(_)) {
					self.metrics.skip("commit_failed");
				}
				info!("task {task}: commitment {e}");
			},
		}
		Ok(())
	}

	/// Step 2, once per best block `number`: every saved output not busy moves on.
	async fn advance(self: &Arc<Self>, number: u32) {
		let tasks: Vec<(TaskId, Pending)> =
			self.state.lock().await.pending.iter().map(|(t, p)| (*t, p.clone())).collect();
		for (task, pending) in tasks {
			if !self.claim(task).await {
				continue;
			}
			let me = self.clone();
			tokio::spawn(async move {
				if let Err(e) = me.step(task, pending, number).await {
					warn!("task {task}: {e:#}");
				}
				me.release(task).await;
			});
		}
	}

	async fn step(&self, task: TaskId, pending: Pending, number: u32) -> Result<()> {
		let at = self.chain.best().await?;
		let next = (at.block_number() as u32).max(number) + 1;
		let info = self.chain.task(&at, task).await?;
		let entry = self.chain.output(&at, task, &self.who).await?;
		match pending.stage {
			Stage::Committing | Stage::Committed => {
				let (answer_ends, reveal_ends) =
					info.as_ref().map_or((pending.answer_ends, pending.reveal_ends), |i| (i.answer_ends, i.reveal_ends));
				match entry {
					Some(e) if e.output_hash.is_some() => {
						// Revealed, though the daemon did not hear of it (an unread outcome, a restart).
						self.state.lock().await.set_stage(task, Stage::Revealed)?;
						self.metrics.revealed.inc();
					},
					Some(_) if next >= answer_ends && next < reveal_ends => {
						if pending.stage == Stage::Committing {
							self.state.lock().await.set_stage(task, Stage::Committed)?;
						}
						self.reveal(task, &pending).await?;
					},
					Some(_) if next >= reveal_ends => {
						self.state.lock().await.forget(task)?;
						self.metrics.skip("reveal_failed");
						warn!("task {task}: the reveal phase ended before the output was revealed");
					},
					Some(_) => {},
					None if info.is_none() || next > answer_ends => {
						// Not committed before the phase closed, refused by the admission draw,
						// or the task is gone.
						self.state.lock().await.forget(task)?;
						if pending.stage == Stage::Committed {
							self.metrics.skip("not_admitted");
							info!("task {task}: not admitted (the admission draw refused the output)");
						}
					},
					None => {},
				}
			},
			Stage::Revealed => {
				if let Some(result) = self.chain.task_result(&at, task).await? {
					let reward: u128 =
						result.outputs.iter().filter(|o| o.provider == self.who).map(|o| o.reward).sum();
					self.metrics.rewards.inc_by(u64::try_from(reward).unwrap_or(u64::MAX));
					info!("task {task}: settled, reward {} POQ", crate::fmt_poq(reward));
					self.state.lock().await.forget(task)?;
				} else if info.is_none() || info.is_some_and(|i| next > i.scoring_ends.saturating_add(2)) {
					info!("task {task}: ended without a result");
					self.state.lock().await.forget(task)?;
				}
			},
		}
		Ok(())
	}

	async fn reveal(&self, task: TaskId, pending: &Pending) -> Result<()> {
		let salt = pending.salt_bytes()?;
		let output = pending.output.as_bytes().to_vec();
		match self.chain.send(&self.signer, "Tasks", "reveal_output", (task, output, salt)).await {
			Ok(_) => {
				self.state.lock().await.set_stage(task, Stage::Revealed)?;
				self.metrics.revealed.inc();
				info!("task {task}: revealed");
			},
			// The admission draw runs at the answer phase's end: try again next block.
			Err(TxError::Failed(m)) if m.contains("AdmissionPending") => debug!("task {task}: admission pending"),
			Err(e) => info!("task {task}: reveal {e} (retrying next block)"),
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn backoff_doubles_to_a_minute_and_resets() {
		assert_eq!(Backoff::delay(1), Duration::from_secs(1));
		assert_eq!(Backoff::delay(2), Duration::from_secs(2));
		assert_eq!(Backoff::delay(6), Duration::from_secs(32));
		assert_eq!(Backoff::delay(7), Duration::from_secs(60));
		assert_eq!(Backoff::delay(40), Duration::from_secs(60));
		let now = Instant::now();
		let mut b = Backoff::default();
		assert!(!b.paused(now));
		b.fail(now);
		assert!(b.paused(now + Duration::from_millis(500)));
		assert!(!b.paused(now + Duration::from_secs(1)));
		b.succeed();
		assert!(!b.paused(now));
	}
}
