//! Unit tests of the calibration pallet (mock runtime; `try_state` after every test).

use crate::{tests::mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::DispatchError;

fn pm(pct: u32) -> Permill {
	Permill::from_percent(pct)
}

fn truth() -> Vec<Permill> {
	vec![pm(90), pm(70), pm(50), pm(30), pm(10)]
}

fn quality() -> GoldLabels {
	GoldLabels::Quality(truth())
}

/// Commits `labels` for `task` as the poster, with salt `[task; 32]`; returns the commitment.
fn commit(task: TaskId, labels: &GoldLabels) -> H256 {
	let c = poq_primitives::commitment::gold(&POSTER, task, labels, &[task as u8; 32]);
	assert_ok!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), c));
	c
}

fn reveal(c: H256, task: TaskId, labels: GoldLabels) -> DispatchResult {
	Calibration::reveal_gold(RuntimeOrigin::signed(POSTER), c, task, labels, [task as u8; 32])
}

fn held(who: u64) -> Balance {
	Balances::balance_on_hold(&HoldReason::GoldDeposit.into(), &who)
}

fn honest_and_attacker() -> Vec<(u64, i64)> {
	vec![(11, 20_000), (12, -30_000), (13, 10_000), (14, -10_000), (15, 300_000)]
}

/// A whole gold task of `family` with consensus `scores`: commit, settle, reveal; gold credit
/// refilled first.
fn gold_task(task: TaskId, family: TaskFamily, scores: Vec<[Option<Permill>; 6]>) {
	GoldCredit::<Test>::insert(family, CREDIT_UNIT);
	let c = commit(task, &quality());
	settle_with(task, family, System::block_number(), scores, &truth(), honest_and_attacker());
	assert_ok!(reveal(c, task, quality()));
}

#[test]
fn governance_approves_and_removes_posters() {
	test(|| {
		assert_noop!(Calibration::add_gold_poster(RuntimeOrigin::signed(1), 2), DispatchError::BadOrigin);
		assert_ok!(Calibration::add_gold_poster(RuntimeOrigin::root(), 2));
		assert_noop!(Calibration::add_gold_poster(RuntimeOrigin::root(), 2), Error::<Test>::AlreadyGoldPoster);
		assert_ok!(Calibration::remove_gold_poster(RuntimeOrigin::root(), 2));
		assert_noop!(Calibration::remove_gold_poster(RuntimeOrigin::root(), 2), Error::<Test>::NotGoldPoster);
		assert!(events().contains(&Event::GoldPosterRemoved { who: 2 }));
	})
}

#[test]
fn commitments_hold_a_bounded_deposit() {
	test(|| {
		let c = H256::repeat_byte(1);
		assert_noop!(Calibration::commit_gold(RuntimeOrigin::signed(2), c), Error::<Test>::NotGoldPoster);
		assert_ok!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), c));
		assert_eq!(held(POSTER), 50);
		assert_noop!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), c), Error::<Test>::DuplicateCommitment);
		assert_ok!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), H256::repeat_byte(2)));
		assert_ok!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), H256::repeat_byte(3)));
		assert_noop!(
			Calibration::commit_gold(RuntimeOrigin::signed(POSTER), H256::repeat_byte(4)),
			Error::<Test>::TooManyPending
		);
		assert_ok!(Calibration::add_gold_poster(RuntimeOrigin::root(), 9));
		assert_noop!(
			Calibration::commit_gold(RuntimeOrigin::signed(9), H256::repeat_byte(5)),
			Error::<Test>::InsufficientBalance
		);
		// Cancelling releases the deposit; only the poster may.
		assert_noop!(Calibration::cancel_gold(RuntimeOrigin::signed(2), c), Error::<Test>::NotYourCommitment);
		assert_ok!(Calibration::cancel_gold(RuntimeOrigin::signed(POSTER), c));
		assert_eq!(held(POSTER), 100);
		assert_noop!(Calibration::cancel_gold(RuntimeOrigin::signed(POSTER), c), Error::<Test>::UnknownCommitment);
	})
}

#[test]
fn a_counted_reveal_measures_gates_trust_and_keeps_a_record() {
	test(|| {
		let c = commit(7, &quality());
		settle(7, TaskFamily::Qa, 1, &truth(), honest_and_attacker());
		assert_ok!(reveal(c, 7, quality()));
		assert_eq!(held(POSTER), 0);
		assert!(GoldCommits::<Test>::get(c).is_none());
		assert_eq!(GoldPosters::<Test>::get(POSTER), Some(0));
		// The consensus equals the labels: every series is perfectly ordered.
		let record = GoldRecords::<Test>::get(7).expect("kept");
		assert!(record.concordance.iter().all(|p| p.pairs == 10 && p.halves == 20));
		let (r, n) = Calibration::reliability(TaskFamily::Qa);
		assert_eq!(r, [Some(Permill::one()); SERIES]);
		assert_eq!(n, [1; SERIES]);
		// The better half (errors 0.01-0.02, at most the median) gains trust; member 12 (0.03,
		// above the median, within tolerance) keeps it; the one 0.3 away loses it.
		for m in [11, 13, 14] {
			assert!(trust(m) > Perbill::from_percent(50), "{m}: {:?}", trust(m));
		}
		assert_eq!(trust(12), Perbill::from_percent(50));
		assert!(trust(15) < Perbill::from_percent(10), "attacker: {:?}", trust(15));
		assert!(events().iter().any(|e| matches!(e, Event::GoldRevealed { task: 7, .. })));
		assert!(events().iter().any(|e| matches!(e, Event::GoldTrustApplied { task: 7, .. })));
		// Credit spent; the same task cannot be revealed twice.
		assert_eq!(GoldCredit::<Test>::get(TaskFamily::Qa), 0);
		let c2 = commit(7, &GoldLabels::Preferences(vec![(0, 1)]));
		assert_noop!(reveal(c2, 7, GoldLabels::Preferences(vec![(0, 1)])), Error::<Test>::AlreadyCalibrated);
	})
}

#[test]
fn preferences_are_labels_too() {
	test(|| {
		let labels = GoldLabels::Preferences(vec![(0, 4), (1, 3)]);
		let c = commit(3, &labels);
		settle(3, TaskFamily::Code, 1, &truth(), honest_and_attacker());
		assert_ok!(reveal(c, 3, labels));
		let record = GoldRecords::<Test>::get(3).unwrap();
		assert_eq!(record.concordance[3], PairCount { halves: 4, pairs: 2 });
	})
}

#[test]
fn bad_reveals_are_refused_and_penalised() {
	test(|| {
		let issuance = Balances::total_issuance();
		// Wrong salt.
		let c = commit(1, &quality());
		settle(1, TaskFamily::Qa, 1, &truth(), honest_and_attacker());
		assert_ok!(Calibration::reveal_gold(RuntimeOrigin::signed(POSTER), c, 1, quality(), [9; 32]));
		assert!(events().contains(&Event::GoldRejected {
			commitment: c,
			poster: POSTER,
			reason: RejectReason::Mismatch,
			slashed: 50
		}));
		assert_eq!(Balances::total_issuance(), issuance - 50);
		// While the task is still scored: the labels would leak.
		let c = commit(2, &quality());
		set_scoring(2, true);
		assert_ok!(reveal(c, 2, quality()));
		assert!(matches!(events().last(), Some(Event::GoldRejected { reason: RejectReason::EarlyReveal, .. })));
		set_scoring(2, false);
		// Committed after the draw.
		System::set_block_number(5);
		let c = commit(3, &quality());
		settle(3, TaskFamily::Qa, 4, &truth(), honest_and_attacker());
		assert_ok!(reveal(c, 3, quality()));
		assert!(matches!(events().last(), Some(Event::GoldRejected { reason: RejectReason::LateCommitment, .. })));
		// Labels that do not fit the task.
		for (task, labels) in [
			(4, GoldLabels::Quality(vec![pm(1), pm(2)])),
			(5, GoldLabels::Preferences(vec![(0, 9)])),
			(6, GoldLabels::Quality(vec![pm(5); 5])),
		] {
			let c = commit(task, &labels);
			settle(task, TaskFamily::Qa, 5, &truth(), honest_and_attacker());
			assert_ok!(reveal(c, task, labels));
			assert!(matches!(events().last(), Some(Event::GoldRejected { reason: RejectReason::MalformedLabels, .. })));
		}
		// Nothing was counted, no trust moved, nothing is held.
		assert!(Windows::<Test>::get(TaskFamily::Qa).is_empty());
		assert!(MEMBERS.iter().all(|m| trust(*m) == Perbill::from_percent(50)));
		assert_eq!(held(POSTER), 0);
		assert_eq!(GoldCredit::<Test>::get(TaskFamily::Qa), CREDIT_UNIT);
	})
}

#[test]
fn refusals_without_penalty_change_nothing() {
	test(|| {
		let c = commit(1, &quality());
		assert_noop!(reveal(H256::repeat_byte(7), 1, quality()), Error::<Test>::UnknownCommitment);
		assert_noop!(
			Calibration::reveal_gold(RuntimeOrigin::signed(2), c, 1, quality(), [1; 32]),
			Error::<Test>::NotYourCommitment
		);
		assert_noop!(reveal(c, 1, quality()), Error::<Test>::NotSettled);
		assert_noop!(
			reveal(c, 1, GoldLabels::Preferences(vec![(0, 1); 17])),
			Error::<Test>::TooManyLabels
		);
		settle(1, TaskFamily::Qa, 1, &truth(), honest_and_attacker());
		GoldCredit::<Test>::insert(TaskFamily::Qa, CREDIT_UNIT - 1);
		assert_noop!(reveal(c, 1, quality()), Error::<Test>::GoldShareExceeded);
		// A removed poster can no longer reveal, only cancel.
		assert_ok!(Calibration::remove_gold_poster(RuntimeOrigin::root(), POSTER));
		GoldCredit::<Test>::insert(TaskFamily::Qa, CREDIT_UNIT);
		assert_noop!(reveal(c, 1, quality()), Error::<Test>::NotGoldPoster);
		assert_ok!(Calibration::cancel_gold(RuntimeOrigin::signed(POSTER), c));
		assert_eq!(held(POSTER), 0);
	})
}

#[test]
fn gold_credit_follows_the_governed_share() {
	test(|| {
		let f = TaskFamily::Summarization;
		GoldCredit::<Test>::insert(f, 0);
		for _ in 0..9 {
			<Calibration as CompositeGate>::on_settled(f);
		}
		assert_eq!(GoldCredit::<Test>::get(f), 900_000);
		<Calibration as CompositeGate>::on_settled(f);
		<Calibration as CompositeGate>::on_settled(f);
		assert_eq!(GoldCredit::<Test>::get(f), CREDIT_UNIT, "at most one credit saved");
		// Other families untouched; a family starts with one credit.
		assert_eq!(GoldCredit::<Test>::get(TaskFamily::Open), CREDIT_UNIT);
	})
}

/// Consensus per output where alignment is `alignment(i)` and the rest the truth.
fn scores_with_alignment(alignment: impl Fn(usize, Permill) -> Permill) -> Vec<[Option<Permill>; 6]> {
	truth()
		.iter()
		.enumerate()
		.map(|(i, t)| {
			let mut s = [Some(*t); 6];
			s[4] = Some(alignment(i, *t));
			s
		})
		.collect()
}

#[test]
fn an_inverted_dimension_is_gated_and_comes_back() {
	test(|| {
		let f = TaskFamily::Qa;
		let mut task = 100;
		let mut gated_after = None;
		for k in 1..=10 {
			gold_task(task, f, scores_with_alignment(|_, t| Permill::one() - t));
			task += 1;
			if Gated::<Test>::get(f)[4] {
				gated_after = Some(k);
				break;
			}
		}
		let k = gated_after.expect("gated within 10 gold tasks");
		assert_eq!(k, 3, "min_tasks gold tasks of a perfectly inverted dimension");
		assert!(events().iter().any(|e| matches!(e, Event::DimensionGated { dimension: 4, .. })));
		let w = <Calibration as CompositeGate>::effective_weights(f, [pm(10); 6]);
		assert!(w[4].is_zero() && w[3] == pm(10));
		// Sound again: back within 10 gold tasks, not at the first.
		let mut restored_after = None;
		for k in 1..=10 {
			gold_task(task, f, scores_with_alignment(|_, t| t));
			task += 1;
			if !Gated::<Test>::get(f)[4] {
				restored_after = Some(k);
				break;
			}
		}
		let k = restored_after.expect("back within 10 gold tasks");
		assert!(k > 1, "hysteresis: one good task is not enough");
		assert!(events().iter().any(|e| matches!(e, Event::DimensionRestored { dimension: 4, .. })));
		// Other families were not touched.
		assert_eq!(Gated::<Test>::get(TaskFamily::Code), [false; 6]);
	})
}

#[test]
fn pins_override_the_gate_and_the_fallback_carries_an_empty_composite() {
	test(|| {
		let f = TaskFamily::Open;
		Gated::<Test>::insert(f, [false, false, false, false, true, false]);
		assert_noop!(Calibration::pin_dimension(RuntimeOrigin::root(), f, 6, Some(true)), Error::<Test>::InvalidDimension);
		assert_noop!(Calibration::pin_dimension(RuntimeOrigin::signed(1), f, 4, Some(true)), DispatchError::BadOrigin);
		assert_ok!(Calibration::pin_dimension(RuntimeOrigin::root(), f, 4, Some(true)));
		assert_ok!(Calibration::pin_dimension(RuntimeOrigin::root(), f, 0, Some(false)));
		let w = <Calibration as CompositeGate>::effective_weights(f, [pm(10); 6]);
		assert_eq!(w, [pm(0), pm(10), pm(10), pm(10), pm(10), pm(10)]);
		Gated::<Test>::insert(f, [true; 6]);
		assert_ok!(Calibration::pin_dimension(RuntimeOrigin::root(), f, 4, None));
		assert_eq!(<Calibration as CompositeGate>::effective_weights(f, [pm(10); 6]), SEMANTIC_ONLY);
		assert!(events().contains(&Event::DimensionPinned { family: f, dimension: 4, pin: None }));
	})
}

#[test]
fn history_and_windows_are_bounded() {
	test(|| {
		let mut p = CalibrationParams::recommended();
		p.window = 2;
		assert_ok!(Calibration::set_params(RuntimeOrigin::root(), p));
		for t in 0..6 {
			gold_task(200 + t, TaskFamily::Qa, scores_with_alignment(|_, t| t));
		}
		assert_eq!(Windows::<Test>::get(TaskFamily::Qa).len(), 2);
		assert_eq!(GoldHistory::<Test>::get().into_inner(), vec![202, 203, 204, 205]);
		assert!(GoldRecords::<Test>::get(201).is_none());
		assert_eq!(Calibration::gold_records().len(), 4);
	})
}

#[test]
fn parameters_are_validated() {
	test(|| {
		let good = CalibrationParams::recommended();
		assert!(good.validate(20));
		for bad in [
			CalibrationParams { window: 0, ..good },
			CalibrationParams { window: 21, ..good },
			CalibrationParams { fallback: [Permill::zero(); 6], ..good },
			CalibrationParams { gate: GateRule { threshold: pm(99), margin: pm(5), min_tasks: 1 }, ..good },
			CalibrationParams {
				gold_tolerance: ToleranceParams { multiplier_pct: 0, ..good.gold_tolerance },
				..good
			},
		] {
			assert_noop!(Calibration::set_params(RuntimeOrigin::root(), bad), Error::<Test>::InvalidParams);
		}
		assert_noop!(Calibration::set_params(RuntimeOrigin::signed(1), good), DispatchError::BadOrigin);
		assert_ok!(Calibration::set_params(RuntimeOrigin::root(), good));
	})
}

#[test]
fn a_lone_member_gains_nothing_and_an_unscored_task_has_no_composite_pairs() {
	test(|| {
		// One member 0.02 from the labels: within the tolerance, but no peer to compare with.
		let c = commit(8, &quality());
		settle(8, TaskFamily::Qa, 1, &truth(), vec![(11, 20_000)]);
		assert_ok!(reveal(c, 8, quality()));
		assert_eq!(trust(11), Perbill::from_percent(50));
		// A lone member far from the labels loses trust (beyond the tolerance's cap of 0.5).
		GoldCredit::<Test>::insert(TaskFamily::Code, CREDIT_UNIT);
		let labels = GoldLabels::Quality(vec![pm(100), pm(0), pm(100), pm(0), pm(100)]);
		let c = commit(9, &labels);
		settle(9, TaskFamily::Code, 1, &[pm(0), pm(100), pm(0), pm(100), pm(0)], vec![(12, 0)]);
		assert_ok!(reveal(c, 9, labels));
		assert!(trust(12) < Perbill::from_percent(50));
		// Nobody revealed: the composite (zero by convention) counts no pair.
		GoldCredit::<Test>::insert(TaskFamily::Open, CREDIT_UNIT);
		let c = commit(10, &quality());
		settle_with(10, TaskFamily::Open, 1, truth().iter().map(|_| [None; 6]).collect(), &truth(), vec![]);
		assert_ok!(reveal(c, 10, quality()));
		assert_eq!(GoldRecords::<Test>::get(10).unwrap().concordance[SERIES_COMPOSITE].pairs, 0);
	})
}

#[test]
fn a_poster_removed_with_pending_commitments_and_approved_again_keeps_its_count() {
	test(|| {
		let labels = GoldLabels::Quality(vec![sp_runtime::Permill::from_percent(10), sp_runtime::Permill::from_percent(90)]);
		let c = poq_primitives::commitment::gold(&POSTER, 7, &labels, &[1; 32]);
		assert_ok!(Calibration::commit_gold(RuntimeOrigin::signed(POSTER), c));
		assert_ok!(Calibration::remove_gold_poster(RuntimeOrigin::root(), POSTER));
		assert_ok!(Calibration::add_gold_poster(RuntimeOrigin::root(), POSTER));
		assert_eq!(GoldPosters::<Test>::get(POSTER), Some(1));
		assert_ok!(Calibration::cancel_gold(RuntimeOrigin::signed(POSTER), c));
		assert_eq!(GoldPosters::<Test>::get(POSTER), Some(0));
	});
}
