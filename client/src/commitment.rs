//! The provider's output commitment, as the chain checks it
//! (`poq_primitives::commitment::output`): `blake2_256(SCALE((b"poq/output", who, task, output,
//! salt)))`, with the 10-byte tag raw, the 32-byte account raw, the task a little-endian `u64`,
//! the output with its compact length prefix and the 32-byte salt raw.

use codec::Encode;
use subxt::utils::{AccountId32, H256};

/// The domain tag of an output commitment.
pub const OUTPUT_TAG: [u8; 10] = *b"poq/output";

/// `who`'s commitment to `output` for `task` with `salt`.
pub fn output(who: &AccountId32, task: u64, output: &[u8], salt: &[u8; 32]) -> H256 {
	H256(sp_crypto_hashing::blake2_256(&(OUTPUT_TAG, who.0, task, output, salt).encode()))
}

/// 32 random bytes from the operating system's generator.
pub fn fresh_salt() -> [u8; 32] {
	use rand::RngCore;
	let mut salt = [0u8; 32];
	rand::rngs::OsRng.fill_bytes(&mut salt);
	salt
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn matches_the_runtime_commitment() {
		let who = sp_runtime::AccountId32::new([7; 32]);
		for (task, text, salt) in [(0u64, &b""[..], [0u8; 32]), (42, b"The capital of France is Paris.", [9; 32])] {
			let ours = output(&AccountId32([7; 32]), task, text, &salt);
			let chain = poq_primitives::commitment::output(&who, task, text, &salt);
			assert_eq!(ours.0, chain.0);
		}
	}

	#[test]
	fn salts_differ() {
		assert_ne!(fresh_salt(), fresh_salt());
	}
}
