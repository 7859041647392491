//! The daemon's memory on disk: every output it is about to commit to, with its salt, written
//! (to a temporary file, then renamed over the old one) before the commitment is sent. After a
//! restart the daemon reads it back and reveals what it committed to.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How far an output has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
	/// Saved; the commitment is sent or about to be.
	Committing,
	/// A block holds the commitment.
	Committed,
	/// A block holds the reveal; waiting for the settlement.
	Revealed,
}

/// One output of the daemon's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
	/// The output text.
	pub output: String,
	/// The salt, hex.
	pub salt: String,
	/// The task's first reveal block, as the daemon last read it.
	pub answer_ends: u32,
	/// The task's first scoring block.
	pub reveal_ends: u32,
	/// How far it has come.
	pub stage: Stage,
}

impl Pending {
	/// The salt's bytes.
	pub fn salt_bytes(&self) -> Result<[u8; 32]> {
		let bytes = hex::decode(&self.salt).context("state file: salt is not hex")?;
		bytes.try_into().map_err(|_| anyhow::anyhow!("state file: salt is not 32 bytes"))
	}
}

/// The state file: pending outputs by task.
#[derive(Debug)]
pub struct State {
	path: PathBuf,
	/// Outputs by task id.
	pub pending: BTreeMap<u64, Pending>,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
	version: u32,
	pending: BTreeMap<u64, Pending>,
}

impl State {
	/// Opens `dir/state.json` (an empty state when absent); creates `dir`.
	pub fn open(dir: &Path) -> Result<State> {
		std::fs::create_dir_all(dir).with_context(|| format!("cannot create state directory {}", dir.display()))?;
		let path = dir.join("state.json");
		let pending = match std::fs::read(&path) {
			Ok(bytes) => {
				let disk: OnDisk = serde_json::from_slice(&bytes)
					.with_context(|| format!("state file {} is damaged", path.display()))?;
				disk.pending
			},
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
			Err(e) => return Err(e).with_context(|| format!("cannot read state file {}", path.display())),
		};
		Ok(State { path, pending })
	}

	/// Writes the state to disk (atomically) and syncs it.
	pub fn save(&self) -> Result<()> {
		let tmp = self.path.with_extension("json.tmp");
		let bytes = serde_json::to_vec_pretty(&OnDisk { version: 1, pending: self.pending.clone() })?;
		{
			use std::io::Write;
			let mut f = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
			f.write_all(&bytes)?;
			f.sync_all()?;
		}
		std::fs::rename(&tmp, &self.path).with_context(|| format!("cannot replace {}", self.path.display()))
	}

	/// Records `pending` for `task` and saves.
	pub fn put(&mut self, task: u64, pending: Pending) -> Result<()> {
		self.pending.insert(task, pending);
		self.save()
	}

	/// Sets the stage of `task`'s output and saves.
	pub fn set_stage(&mut self, task: u64, stage: Stage) -> Result<()> {
		if let Some(p) = self.pending.get_mut(&task) {
			p.stage = stage;
		}
		self.save()
	}

	/// Forgets `task` and saves.
	pub fn forget(&mut self, task: u64) -> Result<()> {
		self.pending.remove(&task);
		self.save()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn survives_a_restart() {
		let dir = std::env::temp_dir().join(format!("poq-state-test-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let mut s = State::open(&dir).unwrap();
		assert!(s.pending.is_empty());
		let p = Pending { output: "Paris.".into(), salt: hex::encode([3u8; 32]), answer_ends: 10, reveal_ends: 12, stage: Stage::Committing };
		s.put(7, p.clone()).unwrap();
		s.set_stage(7, Stage::Committed).unwrap();
		let again = State::open(&dir).unwrap();
		assert_eq!(again.pending.get(&7).map(|p| p.stage), Some(Stage::Committed));
		assert_eq!(again.pending[&7].salt_bytes().unwrap(), [3u8; 32]);
		std::fs::write(dir.join("state.json"), b"{ nope").unwrap();
		assert!(State::open(&dir).unwrap_err().to_string().contains("damaged"));
		let _ = std::fs::remove_dir_all(&dir);
	}
}
