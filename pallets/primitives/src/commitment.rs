//! The three commit-reveal commitments of the chain, in one place. Each is
//! `blake2_256(SCALE((tag, account, task, payload..., salt)))`:
//!
//! | commitment | tag (raw bytes, no length prefix) | payload |
//! |---|---|---|
//! | [`output`] (a provider's answer) | `b"poq/output"` | the output text (`Vec<u8>`: compact length prefix) |
//! | [`scores`] (an evaluator's reports) | `b"poq/scores"` | the reports (`Vec<ScoreReport>`), the model set hash |
//! | [`gold`] (a gold task's labels) | `b"poq/gold"` | the labels (`GoldLabels` of the calibration pallet) |
//!
//! The domain tag keeps a commitment of one kind from ever standing for another; the account
//! keeps one from being copied by another account; the task keeps one from being replayed on
//! another task; `salt` is 32 random bytes. `task` is a `u64` (little endian). The JS mirror
//! for clients is `tests/e2e/lib/commitments.mjs`.

use crate::{ScoreReport, TaskId};
use codec::Encode;
use sp_core::H256;

/// The domain tag of [`output`].
pub const OUTPUT_TAG: [u8; 10] = *b"poq/output";
/// The domain tag of [`scores`].
pub const SCORES_TAG: [u8; 10] = *b"poq/scores";
/// The domain tag of [`gold`].
pub const GOLD_TAG: [u8; 8] = *b"poq/gold";

/// A provider's commitment to `output` for `task`:
/// `blake2_256(SCALE((b"poq/output", who, task, output, salt)))`.
pub fn output<AccountId: Encode>(who: &AccountId, task: TaskId, output: &[u8], salt: &[u8; 32]) -> H256 {
	H256(sp_io::hashing::blake2_256(&(OUTPUT_TAG, who, task, output, salt).encode()))
}

/// An evaluator's commitment to its `reports` on `task` (one [`ScoreReport`] per revealed output,
/// in the task's output order) made with the models `model_set` identifies:
/// `blake2_256(SCALE((b"poq/scores", who, task, reports, model_set, salt)))`.
pub fn scores<AccountId: Encode>(
	who: &AccountId,
	task: TaskId,
	reports: &[ScoreReport],
	model_set: &H256,
	salt: &[u8; 32],
) -> H256 {
	H256(sp_io::hashing::blake2_256(&(SCORES_TAG, who, task, reports, model_set, salt).encode()))
}

/// A gold poster's commitment to the `labels` of `task`:
/// `blake2_256(SCALE((b"poq/gold", poster, task, labels, salt)))`.
pub fn gold<AccountId: Encode, Labels: Encode>(
	poster: &AccountId,
	task: TaskId,
	labels: &Labels,
	salt: &[u8; 32],
) -> H256 {
	H256(sp_io::hashing::blake2_256(&(GOLD_TAG, poster, task, labels, salt).encode()))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn each_commitment_binds_its_account_task_payload_and_salt() {
		let reports = [ScoreReport::default()];
		let c = scores(&1u64, 7, &reports, &H256::zero(), &[0; 32]);
		assert_ne!(c, scores(&2u64, 7, &reports, &H256::zero(), &[0; 32]));
		assert_ne!(c, scores(&1u64, 8, &reports, &H256::zero(), &[0; 32]));
		assert_ne!(c, scores(&1u64, 7, &reports, &H256::repeat_byte(1), &[0; 32]));
		assert_ne!(c, scores(&1u64, 7, &reports, &H256::zero(), &[1; 32]));
		assert_eq!(c, scores(&1u64, 7, &reports, &H256::zero(), &[0; 32]));
		let o = output(&1u64, 7, b"answer", &[0; 32]);
		assert_ne!(o, output(&2u64, 7, b"answer", &[0; 32]));
		assert_ne!(o, output(&1u64, 8, b"answer", &[0; 32]));
		assert_ne!(o, output(&1u64, 7, b"answer!", &[0; 32]));
		assert_ne!(o, output(&1u64, 7, b"answer", &[1; 32]));
	}

	#[test]
	fn the_tags_keep_the_kinds_apart() {
		// The same bytes after the tag: an output commitment never equals a gold one.
		let text = b"x".to_vec();
		assert_ne!(output(&1u64, 7, &text, &[0; 32]), gold(&1u64, 7, &text, &[0; 32]));
	}

	#[test]
	fn the_layout_is_the_documented_one() {
		let mut bytes = b"poq/output".to_vec();
		bytes.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
		bytes.extend_from_slice(&7u64.to_le_bytes());
		bytes.push(4 << 2);
		bytes.extend_from_slice(b"four");
		bytes.extend_from_slice(&[9; 32]);
		assert_eq!(output(&1u64, 7, b"four", &[9; 32]), H256(sp_io::hashing::blake2_256(&bytes)));
	}

	#[test]
	fn the_js_mirror_vectors_hold() {
		// `tests/e2e/commitments.test.mjs` checks `lib/commitments.mjs` against the same hashes.
		let hex = |h: H256| alloc::format!("{h:?}");
		assert_eq!(
			hex(output(&1u64, 7, b"four", &[9; 32])),
			"0xc2dfb5748d887eb5ac2e61ad40af30411f2fbe982993adcad3902c125e6e4b06"
		);
		let reports = [ScoreReport {
			structure: sp_runtime::Permill::from_parts(1),
			semantic: sp_runtime::Permill::from_parts(2),
			alignment: sp_runtime::Permill::from_parts(3),
		}];
		assert_eq!(
			hex(scores(&1u64, 7, &reports, &H256::repeat_byte(5), &[9; 32])),
			"0x924187f91646b98e2aa61411a769bbb6b4d603d523755465be7eb359d36084dd"
		);
		// `GoldLabels::Quality([10, 20])`: variant 0, then the vector.
		let labels = (0u8, alloc::vec![10u32, 20u32]);
		assert_eq!(
			hex(gold(&1u64, 7, &labels, &[9; 32])),
			"0xc64172713cbfa212803512c4c93fa0e15625527e7097b53c35948f7b34343130"
		);
	}
}
