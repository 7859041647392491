//! A one-line-per-record logger on standard error (`POQ_LOG=debug` for more), with the time.

use log::{Level, LevelFilter, Metadata, Record};

struct Stderr {
	level: LevelFilter,
	prefix: &'static str,
}

impl log::Log for Stderr {
	fn enabled(&self, metadata: &Metadata) -> bool {
		metadata.level() <= self.level
	}

	fn log(&self, record: &Record) {
		if !self.enabled(record.metadata()) || !record.target().starts_with("poq") {
			return;
		}
		let secs = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_secs_f64())
			.unwrap_or_default();
		let level = match record.level() {
			Level::Error => "ERROR ",
			Level::Warn => "WARN ",
			_ => "",
		};
		eprintln!("[{} {:.3}] {level}{}", self.prefix, secs % 86_400.0, record.args());
	}

	fn flush(&self) {}
}

/// Installs the logger (level from `POQ_LOG`: `error`, `warn`, `info` (default), `debug`).
pub fn init(prefix: &'static str) {
	let level = match std::env::var("POQ_LOG").as_deref() {
		Ok("error") => LevelFilter::Error,
		Ok("warn") => LevelFilter::Warn,
		Ok("debug") | Ok("trace") => LevelFilter::Debug,
		_ => LevelFilter::Info,
	};
	if log::set_boxed_logger(Box::new(Stderr { level, prefix })).is_ok() {
		log::set_max_level(level);
	}
}
