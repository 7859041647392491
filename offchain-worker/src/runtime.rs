//! ONNX Runtime: loading the shared library from the models directory, execution devices, and
//! sessions.

use crate::models::{ModelSet, ORT_LIBRARY};
use ort::{
	environment::Environment,
	session::{builder::GraphOptimizationLevel, Session},
};
use std::{path::Path, sync::OnceLock};

/// Where the models run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Device {
	/// The CPU execution provider (always available).
	#[default]
	Cpu,
	/// The CUDA execution provider, when the engine is built with the `cuda` feature and
	/// CUDA loads; otherwise the CPU, with one log line saying why.
	Cuda,
}

static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();

/// The process's ONNX Runtime environment, loading the library of `set` on first use. A process
/// loads one ONNX Runtime library: later calls reuse the first.
pub fn environment(set: &ModelSet) -> Result<Environment, String> {
	ENV.get_or_init(|| {
		let lib = set.path(ORT_LIBRARY);
		ort::init_from(&lib)
			.map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", lib.display()))?
			.with_name("poq-scorer")
			.build()
			.map_err(|e| format!("cannot create the ONNX Runtime environment: {e}"))
	})
	.clone()
}

/// A session for `model`, on `device` if possible. Returns the session and the device it
/// actually runs on.
pub fn session(env: &Environment, model: &Path, threads: usize, device: Device) -> Result<(Session, Device), String> {
	let cpu = || -> Result<Session, String> {
		builder(env, threads)?
			.commit_from_file(model)
			.map_err(|e| format!("cannot load model {}: {e}", model.display()))
	};
	match device {
		Device::Cpu => Ok((cpu()?, Device::Cpu)),
		Device::Cuda => match cuda_session(env, model, threads) {
			Ok(s) => Ok((s, Device::Cuda)),
			Err(why) => {
				log::warn!(target: "poq-scorer", "CUDA unavailable for {} ({why}); running on the CPU", model.display());
				Ok((cpu()?, Device::Cpu))
			},
		},
	}
}

fn builder(env: &Environment, threads: usize) -> Result<ort::session::builder::SessionBuilder, String> {
	let b = Session::builder(env).map_err(|e| e.to_string())?;
	let b = b.with_optimization_level(GraphOptimizationLevel::All).map_err(|e| e.to_string())?;
	let b = if threads > 0 { b.with_intra_threads(threads).map_err(|e| e.to_string())? } else { b };
	b.with_inter_threads(1).map_err(|e| e.to_string())
}

#[cfg(feature = "cuda")]
fn cuda_session(env: &Environment, model: &Path, threads: usize) -> Result<Session, String> {
	builder(env, threads)?
		.with_execution_providers([ort::ep::CUDA::default().build().error_on_failure()])
		.map_err(|e| e.to_string())?
		.commit_from_file(model)
		.map_err(|e| e.to_string())
}

#[cfg(not(feature = "cuda"))]
fn cuda_session(_env: &Environment, _model: &Path, _threads: usize) -> Result<Session, String> {
	Err("this build has no CUDA support; build with the cargo feature `cuda`".into())
}
