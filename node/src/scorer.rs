//! The node's scoring engine: `poq-scorer`'s ONNX engine behind the `Scorer` trait that the
//! off-chain workers' host function calls.

use crate::cli::{ScoringArgs, ScoringDevice};
use poq_primitives::{ScoreReport, Scorer, ScoringRequest, ScoringResponse, TaskFamily};
use poq_scorer::{Engine, EngineOptions, Family, TaskInput};
use sp_runtime::Permill;
use std::sync::Arc;

/// The ONNX engine as a [`Scorer`].
pub struct OnnxScorer(Engine);

fn family(f: TaskFamily) -> Family {
	match f {
		TaskFamily::Qa => Family::Qa,
		TaskFamily::Summarization => Family::Summarization,
		TaskFamily::Code => Family::Code,
		TaskFamily::Open => Family::Open,
	}
}

fn permill(x: f64) -> Permill {
	Permill::from_parts((x.clamp(0.0, 1.0) * 1e6).round() as u32)
}

impl Scorer for OnnxScorer {
	fn score(&self, r: &ScoringRequest) -> Result<ScoringResponse, String> {
		let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
		let (query, reference) = (text(&r.query), r.reference.as_deref().map(text));
		let outputs: Vec<String> = r.outputs.iter().map(|o| text(o)).collect();
		let task = TaskInput {
			family: family(r.family),
			query: &query,
			reference: reference.as_deref(),
			outputs: outputs.iter().map(String::as_str).collect(),
		};
		let scores = self.0.score_task(&task).map_err(|e| e.to_string())?;
		Ok(ScoringResponse {
			model_set: self.0.identity().into(),
			reports: scores
				.iter()
				.map(|s| ScoreReport {
					structure: permill(s.structure),
					semantic: permill(s.semantic),
					alignment: permill(s.alignment),
				})
				.collect(),
		})
	}
}

/// Loads the engine from the models directory, or explains in one line why it cannot.
pub fn load(args: &ScoringArgs) -> Result<Arc<dyn Scorer>, String> {
	let dir = args.models_dir();
	let engine = Engine::new(&EngineOptions {
		models_dir: dir.clone(),
		threads: args.scoring_threads,
		device: match args.scoring_device {
			ScoringDevice::Cpu => poq_scorer::Device::Cpu,
			ScoringDevice::Cuda => poq_scorer::Device::Cuda,
		},
		batch: 16,
	})
	.map_err(|e| format!("this node evaluates (--evaluator, or the dev chain) but cannot load its scoring engine: {e}; pass --no-evaluator to run without one"))?;
	log::info!(
		target: "poq-node",
		"scoring engine ready: models {}, device {:?}, model set 0x{}",
		dir.display(),
		engine.device(),
		hex_string(&engine.identity())
	);
	let scorer = Arc::new(OnnxScorer(engine));
	prepare_sandbox(scorer.clone());
	Ok(scorer)
}

/// Compiles the code sandbox in the background (a few seconds), so that the first Code task
/// with tests does not wait for it; a sandbox that cannot load is reported in one line (Code
/// tasks with tests then cannot be scored by this node).
fn prepare_sandbox(scorer: Arc<OnnxScorer>) {
	std::thread::spawn(move || {
		let started = std::time::Instant::now();
		match scorer.0.sandbox() {
			Ok(_) => log::info!(target: "poq-node", "code sandbox ready in {:.1} s", started.elapsed().as_secs_f64()),
			Err(e) => log::error!(target: "poq-node", "code sandbox unavailable: {e}"),
		}
	});
}

fn hex_string(b: &[u8]) -> String {
	b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
	/// The hash the chain specs accept at genesis (the runtime computes it from the lock with
	/// `poq_primitives::model_set_identity`) is the one the engine reports for the default set.
	#[test]
	fn genesis_accepts_the_engines_default_model_set() {
		let engine = poq_scorer::models::lock_identity();
		assert_eq!(poq_primitives::model_set_identity(poq_scorer::models::MODELS_LOCK).0, engine);
		assert_eq!(poq_runtime::genesis_config_presets::default_model_set().0, engine);
	}
}
