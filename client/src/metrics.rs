//! The daemon's Prometheus metrics, served the way the node serves its own
//! (`substrate-prometheus-endpoint`): `GET /metrics` on the `--prometheus-port`.

use prometheus_endpoint::{
	exponential_buckets, register, Counter, CounterVec, Histogram, HistogramOpts, Opts, PrometheusError,
	Registry, U64,
};

/// The metrics of one `poq-provider`.
#[derive(Clone)]
pub struct Metrics {
	/// Answers the endpoint gave.
	pub answered: Counter<U64>,
	/// Commitments a block included.
	pub committed: Counter<U64>,
	/// Reveals a block included.
	pub revealed: Counter<U64>,
	/// Tasks skipped, by reason (`endpoint_unreachable`, `endpoint_status`, `endpoint_garbage`,
	/// `window_closed`, `commit_failed`, `reveal_failed`, `not_admitted`, `backoff`).
	pub skipped: CounterVec<U64>,
	/// Rewards paid for the daemon's outputs, in planck.
	pub rewards: Counter<U64>,
	/// Seconds per endpoint request (answered or not).
	pub endpoint_latency: Histogram,
}

impl Metrics {
	/// Registers the metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Metrics, PrometheusError> {
		let counter = |name: &str, help: &str| register(Counter::new(name, help)?, registry);
		Ok(Metrics {
			answered: counter("poq_provider_answered_total", "Answers the endpoint gave")?,
			committed: counter("poq_provider_committed_total", "Commitments included in a block")?,
			revealed: counter("poq_provider_revealed_total", "Reveals included in a block")?,
			skipped: register(
				CounterVec::new(Opts::new("poq_provider_skipped_total", "Tasks skipped, by reason"), &["reason"])?,
				registry,
			)?,
			rewards: counter("poq_provider_rewards_planck_total", "Rewards paid for this provider's outputs, in planck")?,
			endpoint_latency: register(
				Histogram::with_opts(
					HistogramOpts::new("poq_provider_endpoint_latency_seconds", "Seconds per endpoint request")
						.buckets(exponential_buckets(0.01, 2.0, 14)?),
				)?,
				registry,
			)?,
		})
	}

	/// Metrics registered nowhere (no `--prometheus-port`).
	pub fn unregistered() -> Metrics {
		Self::register(&Registry::new()).expect("fresh registry; metric names are unique; qed")
	}

	/// Counts one skipped task.
	pub fn skip(&self, reason: &str) {
		self.skipped.with_label_values(&[reason]).inc();
	}
}
