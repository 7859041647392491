//! What `poq` prints: a task's result as the demo's tables, the model leaderboard, and the
//! status of a provider or an evaluator.

use crate::chain::{Permill, TaskResult};
use crate::fmt_poq;
use std::collections::BTreeMap;
use subxt::utils::AccountId32;

/// The six quality dimensions, in the chain's order.
pub const DIMENSIONS: [&str; 6] = ["model prior", "cost prior", "structure", "semantic", "alignment", "agreement"];

/// A fraction in parts per million as a percentage with one decimal (`-` for none).
pub fn pct(p: Option<Permill>) -> String {
	match p {
		Some(Permill(v)) => format!("{:.1}%", f64::from(v) / 10_000.0),
		None => "-".into(),
	}
}

/// The first 8 characters of an address, then an ellipsis.
pub fn short(a: &AccountId32) -> String {
	let s = a.to_string();
	format!("{}…", &s[..8.min(s.len())])
}

/// A task's result as three markdown tables: the outputs (composite, six dimensions, reward),
/// the committee (conduct, deviation, trust, reward, slash), and the pool. `names` labels
/// providers (e.g. by their model); others show by address.
pub fn result_table(task: u64, r: &TaskResult, names: &BTreeMap<AccountId32, String>) -> String {
	let name = |a: &AccountId32| names.get(a).map_or_else(|| short(a), |n| format!("{n} ({})", short(a)));
	let mut lines = Vec::new();
	let head: Vec<&str> = ["task", "family", "provider", "composite"]
		.into_iter()
		.chain(DIMENSIONS)
		.chain(["reward POQ"])
		.collect();
	lines.push(format!("| {} |", head.join(" | ")));
	lines.push(format!("|{}|", head.iter().map(|_| "---").collect::<Vec<_>>().join("|")));
	let mut outputs: Vec<_> = r.outputs.iter().collect();
	outputs.sort_by(|a, b| b.composite.0.cmp(&a.composite.0));
	for o in outputs {
		let dims: Vec<String> = o.scores.iter().map(|s| pct(*s)).collect();
		lines.push(format!(
			"| {task} | {} | {} | {} | {} | {} |",
			r.family.name(),
			name(&o.provider),
			pct(Some(o.composite)),
			dims.join(" | "),
			fmt_poq(o.reward)
		));
	}
	lines.push(String::new());
	lines.push("| task | evaluator | conduct | deviation | trust after | reward POQ | slashed POQ |".into());
	lines.push("|---|---|---|---|---|---|---|".into());
	for e in &r.evaluators {
		lines.push(format!(
			"| {task} | {} | {} | {} | {:.1}% | {} | {} |",
			short(&e.who),
			e.conduct_name(),
			pct(e.deviation),
			f64::from(e.trust.0) / 1e7,
			fmt_poq(e.reward),
			fmt_poq(e.slashed)
		));
	}
	let paid: u128 = r.outputs.iter().map(|o| o.reward).chain(r.evaluators.iter().map(|e| e.reward)).sum();
	lines.push(String::new());
	lines.push("| task | winner | pool POQ | paid POQ | refunded POQ | settled at |".into());
	lines.push("|---|---|---|---|---|---|".into());
	lines.push(format!(
		"| {task} | {} | {} | {} | {} | #{} |",
		r.winner.as_ref().map_or_else(|| "none".into(), name),
		fmt_poq(r.pool),
		fmt_poq(paid),
		fmt_poq(r.refunded),
		r.settled_at
	));
	lines.join("\n")
}

/// A task's result as JSON.
pub fn result_json(task: u64, r: &TaskResult) -> serde_json::Value {
	serde_json::json!({
		"task": task,
		"family": r.family.name(),
		"outputs": r.outputs,
		"evaluators": r.evaluators.iter().map(|e| serde_json::json!({
			"who": e.who.to_string(),
			"conduct": e.conduct_name(),
			"deviation": e.deviation.map(|d| d.0),
			"trust_perbill": e.trust.0,
			"reward": e.reward.to_string(),
			"slashed": e.slashed.to_string(),
		})).collect::<Vec<_>>(),
		"winner": r.winner.as_ref().map(|w| w.to_string()),
		"pool": r.pool.to_string(),
		"refunded": r.refunded.to_string(),
		"settled_at": r.settled_at,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::chain::{EvaluatorResult, Family, OutputResult, Perbill};

	#[test]
	fn the_table_ranks_outputs_and_balances_the_pool() {
		let a = AccountId32([1; 32]);
		let b = AccountId32([2; 32]);
		let out = |p: &AccountId32, c: u32, reward: u128| OutputResult {
			provider: p.clone(),
			scores: [Some(Permill(500_000)), None, None, None, None, None],
			composite: Permill(c),
			reward,
		};
		let r = TaskResult {
			family: Family::Qa,
			outputs: vec![out(&a, 100_000, 0), out(&b, 900_000, 20 * crate::POQ)],
			evaluators: vec![EvaluatorResult {
				who: a.clone(),
				conduct: scale_value::Value::unnamed_variant("Revealed", []),
				deviation: Some(Permill(10_000)),
				trust: Perbill(500_000_000),
				reward: 5 * crate::POQ,
				slashed: 0,
			}],
			winner: Some(b.clone()),
			pool: 30 * crate::POQ,
			refunded: 5 * crate::POQ,
			settled_at: 12,
		};
		let names = BTreeMap::from([(b.clone(), "good-model@1".to_string())]);
		let t = result_table(3, &r, &names);
		let good = t.find("good-model@1").unwrap();
		assert!(good < t.find(&short(&a)).unwrap(), "best output first:\n{t}");
		assert!(t.contains("| 90.0% | 50.0% | - |"), "{t}");
		assert!(t.contains("| 3 | good-model@1"), "{t}");
		assert!(t.contains("| Revealed | 1.0% | 50.0% | 5.000 | 0.000 |"), "{t}");
		assert!(t.contains("| 30.000 | 25.000 | 5.000 | #12 |"), "{t}");
		let j = result_json(3, &r);
		assert_eq!(j["outputs"][1]["composite"], 900_000);
		assert_eq!(j["evaluators"][0]["conduct"], "Revealed");
	}
}
