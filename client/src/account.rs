//! The account a command signs with: a secret URI (`//Alice`, or a mnemonic with an optional
//! derivation path), a mnemonic from the environment, or a polkadot-js keystore file.

use anyhow::{anyhow, bail, Context, Result};
use std::str::FromStr;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The environment variable a mnemonic (or any secret URI) may come from.
pub const MNEMONIC_ENV: &str = "POQ_MNEMONIC";
/// The environment variable with the password of a keystore file.
pub const PASSWORD_ENV: &str = "POQ_KEYSTORE_PASSWORD";

/// Where the signing key comes from; exactly one of the three (the flags of both commands).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct AccountArgs {
	/// Secret URI of the account: a dev account (`//Alice`) or a mnemonic, with an optional
	/// derivation path. Prefer `POQ_MNEMONIC` for real keys: arguments show in `ps`.
	#[arg(long, value_name = "URI")]
	pub suri: Option<String>,
	/// A polkadot-js keystore file (JSON export); its password in `POQ_KEYSTORE_PASSWORD`.
	#[arg(long, value_name = "FILE")]
	pub keystore: Option<std::path::PathBuf>,
}

impl AccountArgs {
	/// Whether an account was given at all (flag or environment).
	pub fn given(&self) -> bool {
		self.suri.is_some() || self.keystore.is_some() || std::env::var_os(MNEMONIC_ENV).is_some()
	}

	/// The key pair.
	pub fn keypair(&self) -> Result<Keypair> {
		match (&self.suri, &self.keystore, std::env::var(MNEMONIC_ENV).ok()) {
			(Some(_), Some(_), _) => bail!("give either --suri or --keystore, not both"),
			(Some(uri), None, _) => from_uri(uri, "--suri"),
			(None, Some(path), _) => from_keystore(path),
			(None, None, Some(uri)) => from_uri(&uri, MNEMONIC_ENV),
			(None, None, None) =>
				bail!("no account: give --suri //Alice (dev), --keystore FILE or {MNEMONIC_ENV}"),
		}
	}
}

/// A key pair from a secret URI; `what` names its source in the error.
pub fn from_uri(uri: &str, what: &str) -> Result<Keypair> {
	let secret = SecretUri::from_str(uri.trim()).map_err(|_| anyhow!("{what}: not a secret URI or mnemonic"))?;
	Keypair::from_uri(&secret).map_err(|_| anyhow!("{what}: not a valid sr25519 secret"))
}

/// A key pair from a polkadot-js keystore file.
pub fn from_keystore(path: &std::path::Path) -> Result<Keypair> {
	let json = std::fs::read_to_string(path).with_context(|| format!("cannot read keystore file {}", path.display()))?;
	let password = std::env::var(PASSWORD_ENV).unwrap_or_default();
	subxt_signer::polkadot_js_compat::decrypt_json(&json, &password).map_err(|e| {
		anyhow!("keystore file {}: {e} (password from {PASSWORD_ENV})", path.display())
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_uri_gives_the_dev_account() {
		let alice = from_uri("//Alice", "--suri").unwrap();
		assert_eq!(alice.public_key().0, subxt_signer::sr25519::dev::alice().public_key().0);
		assert!(from_uri("not a key", "--suri").is_err());
		let both = AccountArgs { suri: Some("//Alice".into()), keystore: Some("x".into()) };
		assert!(both.keypair().unwrap_err().to_string().contains("not both"));
	}
}
