//! Sentence embeddings: tokenize, run the model, mean-pool over the attention mask, L2-normalise.

use ort::{session::Session, value::Tensor};
use std::{path::Path, sync::Mutex};
use tokenizers::{Tokenizer, TruncationParams};

/// Most tokens per text (longer texts are truncated), as the embedding tokenizer ships.
pub const MAX_TOKENS: usize = 128;

/// Loads a tokenizer without padding and with truncation at [`MAX_TOKENS`].
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer, String> {
	let mut t = Tokenizer::from_file(path).map_err(|e| format!("cannot read tokenizer {}: {e}", path.display()))?;
	t.with_padding(None);
	t.with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
		.map_err(|e| e.to_string())?;
	Ok(t)
}

/// Token ids, mask and type ids of a batch, right-padded with zeros to the longest.
pub struct Batch {
	/// Rows.
	pub rows: usize,
	/// Columns (the longest row).
	pub cols: usize,
	/// Token ids, row-major.
	pub ids: Vec<i64>,
	/// Attention mask, row-major.
	pub mask: Vec<i64>,
	/// Token type ids, row-major.
	pub types: Vec<i64>,
}

impl Batch {
	/// Encodes `encodings` into one padded batch.
	pub fn new(encodings: &[tokenizers::Encoding]) -> Self {
		let rows = encodings.len();
		let cols = encodings.iter().map(|e| e.get_ids().len()).max().unwrap_or(0).max(1);
		let (mut ids, mut mask, mut types) = (vec![0i64; rows * cols], vec![0i64; rows * cols], vec![0i64; rows * cols]);
		for (r, e) in encodings.iter().enumerate() {
			for (c, ((id, m), t)) in e.get_ids().iter().zip(e.get_attention_mask()).zip(e.get_type_ids()).enumerate() {
				ids[r * cols + c] = *id as i64;
				mask[r * cols + c] = *m as i64;
				types[r * cols + c] = *t as i64;
			}
		}
		Self { rows, cols, ids, mask, types }
	}

	/// The three input tensors, named as BERT-style models name them.
	pub fn run<'s>(&self, session: &'s mut Session, with_types: bool) -> Result<ort::session::SessionOutputs<'s>, String> {
		let shape = [self.rows, self.cols];
		let t = |v: &Vec<i64>| Tensor::from_array((shape, v.clone())).map_err(|e| e.to_string());
		let inputs = if with_types {
			ort::inputs!["input_ids" => t(&self.ids)?, "attention_mask" => t(&self.mask)?, "token_type_ids" => t(&self.types)?]
		} else {
			ort::inputs!["input_ids" => t(&self.ids)?, "attention_mask" => t(&self.mask)?]
		};
		session.run(inputs).map_err(|e| format!("inference failed: {e}"))
	}
}

/// The embedding model with its tokenizer.
pub struct Embedder {
	session: Mutex<Session>,
	tokenizer: Tokenizer,
	with_types: bool,
	/// Texts per model run.
	pub batch: usize,
}

/// Dimension of the embeddings.
pub const DIM: usize = 384;

impl Embedder {
	/// Wraps a loaded session and tokenizer.
	pub fn new(session: Session, tokenizer: Tokenizer, batch: usize) -> Self {
		let with_types = session.inputs().iter().any(|i| i.name() == "token_type_ids");
		Self { session: Mutex::new(session), tokenizer, with_types, batch: batch.max(1) }
	}

	/// Embeddings of `texts`, in order: mean-pooled over the attention mask and L2-normalised.
	pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
		let mut out = Vec::with_capacity(texts.len());
		for chunk in texts.chunks(self.batch) {
			let enc = self.tokenizer.encode_batch(chunk.to_vec(), true).map_err(|e| format!("tokenizer: {e}"))?;
			let batch = Batch::new(&enc);
			let mut session = self.session.lock().map_err(|_| "embedding session poisoned".to_string())?;
			let outputs = batch.run(&mut session, self.with_types)?;
			let (shape, hidden) = outputs[0].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
			let dim = *shape.last().unwrap_or(&0) as usize;
			if dim != DIM {
				return Err(format!("embedding model returned dimension {dim}, expected {DIM}"));
			}
			for r in 0..batch.rows {
				let mut v = vec![0f32; DIM];
				let mut n = 0f32;
				for c in 0..batch.cols {
					if batch.mask[r * batch.cols + c] == 0 {
						continue;
					}
					n += 1.0;
					let row = &hidden[(r * batch.cols + c) * DIM..(r * batch.cols + c + 1) * DIM];
					v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
				}
				v.iter_mut().for_each(|a| *a /= n.max(1e-9));
				normalize(&mut v);
				out.push(v);
			}
		}
		Ok(out)
	}
}

/// L2-normalises `v` in place (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
	let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
	if norm > 1e-12 {
		v.iter_mut().for_each(|x| *x /= norm);
	}
}

/// Cosine similarity of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
	a.iter().zip(b).map(|(x, y)| x * y).sum()
}
