//! The Proof-of-Quality node binary.
#![warn(missing_docs)]

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod scorer;
mod service;

fn main() {
	if let Err(e) = command::run() {
		// One readable line (sc-cli's errors are already human-readable), not a debug dump.
		eprintln!("Error: {e}");
		std::process::exit(1);
	}
}
