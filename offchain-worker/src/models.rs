//! The model set: which files the engine needs, checking them, and the identity of the set.
//!
//! The default set is listed in `offchain-worker/models.lock` (compiled in): the ONNX Runtime
//! library, the embedding model and its tokenizer, and the NLI head. An operator may add a
//! cross-encoder (`cross-encoder.onnx` with `cross-encoder.tokenizer.json`, optionally
//! `cross-encoder.json` naming its labels), which then replaces the NLI head for alignment.
//! Every file's sha256 goes into [`ModelSet::identity`], the hash an evaluator reports on chain
//! with its scores.

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
/// File name of the NLI head's weights.
pub const NLI_HEAD: &str = "nli-head.json";
/// File name of an operator's cross-encoder model.
pub const CROSS_ENCODER: &str = "cross-encoder.onnx";
/// File name of the cross-encoder's tokenizer.
pub const CROSS_ENCODER_TOKENIZER: &str = "cross-encoder.tokenizer.json";
/// File name of the cross-encoder's optional label list (`{"labels": [...]}`).
pub const CROSS_ENCODER_CONFIG: &str = "cross-encoder.json";

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
	/// A cross-encoder without its tokenizer, or the other way round.
	IncompleteCrossEncoder(PathBuf),
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
			Self::IncompleteCrossEncoder(p) => write!(
				f,
				"{} needs both {CROSS_ENCODER} and {CROSS_ENCODER_TOKENIZER}",
				p.display()
			),
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
	/// Every file in use, in a fixed order (lock order, then the cross-encoder's).
	pub files: Vec<ModelFile>,
	/// Whether an operator's cross-encoder replaces the NLI head.
	pub cross_encoder: bool,
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
	/// Checks `dir`: every file of the lock present with its sha256, and a cross-encoder
	/// complete if there is one.
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
		let (ce, tok) = (dir.join(CROSS_ENCODER), dir.join(CROSS_ENCODER_TOKENIZER));
		let cross_encoder = match (ce.is_file(), tok.is_file()) {
			(false, false) => false,
			(true, true) => true,
			_ => return Err(ModelError::IncompleteCrossEncoder(dir)),
		};
		if cross_encoder {
			for name in [CROSS_ENCODER, CROSS_ENCODER_TOKENIZER, CROSS_ENCODER_CONFIG] {
				let path = dir.join(name);
				if path.is_file() {
					let sha256 = sha256_file(&path)?;
					files.push(ModelFile { name: name.into(), path, sha256 });
				}
			}
		}
		Ok(Self { dir, files, cross_encoder })
	}

	/// Path of a file of the set.
	pub fn path(&self, name: &str) -> PathBuf {
		self.dir.join(name)
	}

	/// The identity of the model set: sha256 over `name:sha256\n` of every file in use except
	/// the ONNX Runtime library (whose version is part of its file name). Two evaluators with
	/// the same identity ran the same models.
	pub fn identity(&self) -> [u8; 32] {
		let mut h = Sha256::new();
		for f in self.files.iter().filter(|f| f.name != ORT_LIBRARY) {
			h.update(format!("{}:{}\n", f.name, f.sha256));
		}
		h.finalize().into()
	}
}
