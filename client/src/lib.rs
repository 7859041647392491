//! # Proof-of-Quality client software
//!
//! ## Overview
//!
//! The software the network's people run, beside the node:
//! - [`provider`]: the engine of `poq-provider`, an inference node daemon. It registers its
//!   account as a provider, watches the chain for new queries of the families it serves, asks an
//!   OpenAI-compatible chat-completions endpoint ([`openai`]) for each answer, commits to the
//!   answer in the answer phase and reveals it in the reveal phase. Salts and pending reveals are
//!   written to disk before the commitment is sent ([`state`]), so a restart loses nothing.
//! - the `poq` command line (`src/bin/poq.rs`): `submit` a query and follow it, `result` of a
//!   task as a table ([`format`]), `leaderboard`, `provider` and `evaluator` status.
//!
//! ## Design
//!
//! Both talk to a node over its RPC with `subxt` and the chain's metadata (dynamic calls and
//! storage): no generated code, so a runtime upgrade that keeps the fields they read keeps them
//! working. What they read is decoded into the types of [`chain`], which name only the fields
//! they use.
//!
//! ## Terms
//!
//! - *endpoint*: the operator's LLM server, anything that speaks OpenAI's
//!   `POST /v1/chat/completions` (llama.cpp server, vLLM, Ollama, hosted APIs).
//! - *pending output*: an answer the daemon has committed to and not yet revealed.

pub mod account;
pub mod chain;
pub mod commitment;
pub mod format;
pub mod logger;
pub mod metrics;
pub mod openai;
pub mod provider;
pub mod state;

/// Parses the command line; a usage error is one line on standard error and exit status 2
/// (`--help` and `--version` print as usual).
pub fn parse_args<T: clap::Parser>(name: &str) -> T {
	T::try_parse().unwrap_or_else(|e| {
		use clap::error::ErrorKind;
		if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
			e.exit()
		}
		let text = e.render().to_string();
		let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("bad arguments");
		eprintln!("{name}: {} (try --help)", first.trim_start_matches("error: "));
		std::process::exit(2)
	})
}

/// One POQ in planck (12 decimals).
pub const POQ: u128 = 1_000_000_000_000;

/// Formats an amount in planck as POQ with three decimals.
pub fn fmt_poq(planck: u128) -> String {
	format!("{}.{:03}", planck / POQ, (planck % POQ) / (POQ / 1000))
}

/// Parses an amount of POQ (`2`, `0.5`, `12.25`) into planck; `None` for anything else.
pub fn parse_poq(text: &str) -> Option<u128> {
	let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
	if int.is_empty() && frac.is_empty() || frac.len() > 12 {
		return None;
	}
	if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
		return None;
	}
	let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
	let frac: u128 = if frac.is_empty() { 0 } else { format!("{frac:0<12}").parse().ok()? };
	int.checked_mul(POQ)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_and_print() {
		assert_eq!(parse_poq("2"), Some(2 * POQ));
		assert_eq!(parse_poq("0.5"), Some(POQ / 2));
		assert_eq!(parse_poq(".25"), Some(POQ / 4));
		assert_eq!(parse_poq("1.000000000001"), Some(POQ + 1));
		for bad in ["", ".", "-1", "1e3", "1.0000000000001", "abc", "1.2.3"] {
			assert_eq!(parse_poq(bad), None, "{bad}");
		}
		assert_eq!(fmt_poq(2 * POQ + POQ / 4), "2.250");
		assert_eq!(fmt_poq(0), "0.000");
	}
}
