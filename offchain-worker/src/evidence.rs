//! Cheap evidence for the alignment dimension, and its learned combination with the
//! cross-encoder.
//!
//! The cross-encoder alone fails in two ways that words can catch (issue #26): a short
//! reference ("William Shakespeare") against a correct sentence ("Shakespeare wrote Hamlet.")
//! reads as unsupported, and a summary that brings in a name or a number the source never
//! mentions still reads as supported. So, for a task with a **reference** and for a
//! **summary** of a source, the alignment is
//!
//! `sigmoid(bias + Σ wᵢ·xᵢ)` over the features [`Evidence::vector`]:
//! - `model`: the cross-encoder's `P(supported)`, as a logit clamped to ±[`LOGIT_CLAMP`];
//! - `cover`: the share of the output's content words found in the premise (the reference with
//!   its query, or the source);
//! - `recall`: the share of the answer's content words found in the output, the answer being
//!   the reference's content words that its query does not already hold (all of them when the
//!   query holds every one); 0 for a summary;
//! - `novel`: the share of the output's names and numbers (capitalised words inside a sentence,
//!   tokens with a digit, and a capitalised opening word that the texts never write in lower
//!   case and that is not a common opener) that the premise never mentions;
//! - `novel_any`: 1 when there is at least one such name or number;
//! - `semantic`: the semantic score of the output (cosine to the reference, or to the source).
//!
//! The weights, one set per [`Setting`], are read from `alignment.json` in the model set. They
//! are fixed-sign weights on the standardised features (each word feature 1, the model as much
//! as they together, the signs those of more support and fewer unknown names being better) whose
//! scale and bias alone are fitted by logistic regression, measured leaving one source out
//! (`offchain-worker/python/train_alignment.py`, `scripts/train-alignment.sh`; figures in
//! `docs/scoring-engine.md`): free weights did worse than the model alone on held-out sources. Everything here is plain arithmetic on the text and two
//! model outputs, so the score stays deterministic: evaluators that run the same model set agree
//! to the last digit.

use serde::Deserialize;
use std::{collections::BTreeSet, path::Path};

/// The largest magnitude of the model's logit feature.
pub const LOGIT_CLAMP: f32 = 8.0;

/// The names of the features, in the order of [`Evidence::vector`] and of the weights in
/// `alignment.json`.
pub const FEATURES: [&str; 6] = ["model", "cover", "recall", "novel", "novel_any", "semantic"];

/// Function words left out of content words (English).
const STOPWORDS: &[&str] = &[
	"a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
	"before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
	"during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
	"him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
	"no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
	"same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there",
	"these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
	"what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
	"yes", "s", "t", "answer", "think", "believe", "know",
];

/// Words that often open a sentence with a capital without being names: a capitalised opening
/// word is taken for a name unless it is one of these or the texts also write it in lower case.
const OPENERS: &[&str] = &[
	"overall", "however", "according", "although", "though", "despite", "today", "yesterday", "tomorrow", "first",
	"second", "finally", "meanwhile", "instead", "still", "yet", "thus", "therefore", "many", "several", "one",
	"another", "every", "since", "because", "unlike", "like", "summary", "sure", "well", "okay", "hello", "hi",
	"thank", "sorry", "please", "correct", "true", "false", "probably", "perhaps", "maybe", "actually", "indeed",
	"later", "earlier", "recently", "currently", "now", "here", "there",
];

/// The numbers two to twenty in words, in order ("one" is too often a pronoun).
const NUMBER_WORDS: [&str; 19] = [
	"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
	"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
];

/// Which weights a task's outputs are combined with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
	/// The task has a reference: the premise is the query and the reference.
	Reference,
	/// A summary without a reference: the premise is the source (the query).
	Source,
}

/// A token of a text: its normalised form and whether it is a name or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
	/// Lower case, a plural `s` and a possessive `'s` dropped; digits keep their inner `.`
	/// (`2.1`), and lose their thousands separators (`5,000` is `5000`).
	pub norm: String,
	/// A number (any digit), or a capitalised word that does not open a sentence.
	pub entity: bool,
	/// Written with a capital first letter.
	pub capital: bool,
	/// The first word of a sentence.
	pub opening: bool,
}

/// The tokens of `text`: runs of letters and digits (a `.` or `,` between two digits stays
/// inside), minus stopwords.
pub fn tokens(text: &str) -> Vec<Token> {
	let chars: Vec<char> = text.chars().collect();
	let mut out = Vec::new();
	let mut i = 0usize;
	// Whether the next word opens a sentence (the text's start, or after . ! ? : or a line break).
	let mut opening = true;
	while i < chars.len() {
		let c = chars[i];
		if !c.is_alphanumeric() {
			if matches!(c, '.' | '!' | '?' | ':' | '\n') {
				opening = true;
			}
			i += 1;
			continue;
		}
		let mut raw = String::new();
		while i < chars.len() {
			let c = chars[i];
			let inner_digit_mark = matches!(c, '.' | ',')
				&& raw.chars().last().is_some_and(|p| p.is_ascii_digit())
				&& chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
			if c.is_alphanumeric() {
				raw.push(c);
			} else if inner_digit_mark {
				if c == '.' {
					raw.push('.');
				}
			} else {
				break;
			}
			i += 1;
		}
		let number = raw.chars().any(|c| c.is_ascii_digit());
		let capital = raw.chars().next().is_some_and(char::is_uppercase);
		let mut norm = raw.to_lowercase();
		// A possessive `'s` or `’s` right after the word.
		if matches!(chars.get(i), Some('\'') | Some('’')) && chars.get(i + 1).is_some_and(|c| *c == 's' || *c == 'S') &&
			!chars.get(i + 2).is_some_and(|c| c.is_alphanumeric())
		{
			i += 2;
		}
		if !number && norm.chars().count() > 3 && norm.ends_with('s') && !norm.ends_with("ss") {
			norm.pop();
		}
		// A number in words is the same number in digits ("nine" votes, "9-2").
		let spelled = NUMBER_WORDS.iter().position(|w| *w == norm);
		if let Some(n) = spelled {
			norm = (n + 2).to_string();
		}
		let number = number || spelled.is_some();
		if !STOPWORDS.contains(&norm.as_str()) {
			out.push(Token { norm, entity: number || (capital && !opening), capital, opening });
		}
		opening = false;
	}
	out
}

fn set(tokens: &[Token]) -> BTreeSet<&str> {
	tokens.iter().map(|t| t.norm.as_str()).collect()
}

/// Share of `items` found in `pool`; `empty` when there are none.
fn share<'a>(items: impl Iterator<Item = &'a str>, pool: &BTreeSet<&str>, empty: f32) -> f32 {
	let (mut n, mut hit) = (0usize, 0usize);
	for w in items {
		n += 1;
		hit += pool.contains(w) as usize;
	}
	if n == 0 {
		empty
	} else {
		hit as f32 / n as f32
	}
}

/// The evidence of one output: the cross-encoder's score and the cheap features.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
	/// The cross-encoder's `P(supported)`.
	pub model: f32,
	/// Share of the output's content words found in the premise.
	pub cover: f32,
	/// Share of the answer's content words found in the output (0 for a summary).
	pub recall: f32,
	/// Share of the output's names and numbers absent from the premise.
	pub novel: f32,
	/// Whether any name or number of the output is absent from the premise.
	pub novel_any: f32,
	/// The output's semantic score.
	pub semantic: f32,
}

impl Evidence {
	/// The features of `output`: `query` and `reference` as the task gives them (for a summary,
	/// the query is the source), `model` and `semantic` from the engine's models.
	pub fn of(query: &str, reference: Option<&str>, output: &str, model: f32, semantic: f32) -> Self {
		let q = tokens(query);
		let r = reference.map(tokens).unwrap_or_default();
		let o = tokens(output);
		let (qs, rs) = (set(&q), set(&r));
		let premise: BTreeSet<&str> = qs.union(&rs).copied().collect();
		let recall = match reference {
			None => 0.0,
			Some(_) => {
				let answer: BTreeSet<&str> = rs.difference(&qs).copied().collect();
				let answer = if answer.is_empty() { rs.clone() } else { answer };
				share(answer.into_iter(), &set(&o), 0.0)
			},
		};
		let cover = share(o.iter().map(|t| t.norm.as_str()), &premise, 0.0);
		// A capitalised word opening a sentence is a name unless the texts also write it in
		// lower case, or it is a common opener ("Manchester council voted" names a city).
		let lower: BTreeSet<&str> = q.iter().chain(&r).chain(&o).filter(|t| !t.capital).map(|t| t.norm.as_str()).collect();
		let name = |t: &Token| {
			t.entity || (t.capital && t.opening && !lower.contains(t.norm.as_str()) && !OPENERS.contains(&t.norm.as_str()))
		};
		let novel = share(o.iter().filter(|t| name(t)).map(|t| t.norm.as_str()), &premise, 1.0);
		let novel = 1.0 - novel;
		let novel_any = if novel > 0.0 { 1.0 } else { 0.0 };
		Self { model, cover, recall, novel, novel_any, semantic }
	}

	/// The feature vector, in the order of [`FEATURES`].
	pub fn vector(&self) -> [f32; 6] {
		let p = self.model.clamp(1e-6, 1.0 - 1e-6);
		let logit = (p / (1.0 - p)).ln().clamp(-LOGIT_CLAMP, LOGIT_CLAMP);
		[logit, self.cover, self.recall, self.novel, self.novel_any, self.semantic]
	}
}

/// The weights of one setting.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Weights {
	/// The intercept.
	pub bias: f32,
	/// One weight per feature, in the order of [`FEATURES`].
	pub weights: Vec<f32>,
}

impl Weights {
	/// `sigmoid(bias + w·x)`.
	pub fn combine(&self, e: &Evidence) -> f32 {
		let z = self.bias + self.weights.iter().zip(e.vector()).map(|(w, x)| w * x).sum::<f32>();
		1.0 / (1.0 + (-z).exp())
	}
}

/// What `alignment.json` holds (the rest of the file documents the training and its figures).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Combiner {
	/// The feature names, which must be [`FEATURES`].
	pub features: Vec<String>,
	/// For a task with a reference.
	pub reference: Weights,
	/// For a summary of a source.
	pub source: Weights,
}

impl Combiner {
	/// Reads and checks `alignment.json`.
	pub fn load(path: &Path) -> Result<Self, String> {
		let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
		Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
	}

	/// Parses and checks the JSON of `alignment.json`.
	pub fn parse(text: &str) -> Result<Self, String> {
		let c: Combiner = serde_json::from_str(text).map_err(|e| e.to_string())?;
		if c.features != FEATURES {
			return Err(format!("features must be {FEATURES:?}, not {:?}", c.features));
		}
		for (name, w) in [("reference", &c.reference), ("source", &c.source)] {
			if w.weights.len() != FEATURES.len() || !w.bias.is_finite() || w.weights.iter().any(|x| !x.is_finite()) {
				return Err(format!("{name}: a finite bias and {} finite weights expected", FEATURES.len()));
			}
		}
		Ok(c)
	}

	/// The combined alignment of `e` in `setting`.
	pub fn combine(&self, setting: Setting, e: &Evidence) -> f32 {
		match setting {
			Setting::Reference => self.reference.combine(e),
			Setting::Source => self.source.combine(e),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn norms(text: &str) -> Vec<(String, bool)> {
		tokens(text).into_iter().map(|t| (t.norm, t.entity)).collect()
	}

	#[test]
	fn tokens_keep_numbers_whole_and_mark_names_inside_sentences() {
		assert_eq!(
			norms("The city's 5,000 Riders paid 2.1 euros. Paris agreed"),
			vec![
				("city".into(), false),
				("5000".into(), true),
				("rider".into(), true),
				("paid".into(), false),
				("2.1".into(), true),
				("euro".into(), false),
				("pari".into(), false),
				("agreed".into(), false),
			]
		);
		assert_eq!(norms("It ends in 1999."), vec![("end".into(), false), ("1999".into(), true)]);
		assert_eq!(norms("voted nine to 2"), vec![("voted".into(), false), ("9".into(), true), ("2".into(), true)]);
		assert!(tokens("the of and").is_empty());
	}

	#[test]
	fn a_short_reference_is_recalled_by_a_sentence_that_states_it() {
		let right = Evidence::of("Who wrote Hamlet?", Some("William Shakespeare"), "Shakespeare wrote Hamlet.", 0.1, 0.5);
		let wrong = Evidence::of("Who wrote Hamlet?", Some("William Shakespeare"), "Christopher Marlowe wrote Hamlet.", 0.1, 0.5);
		assert_eq!(right.recall, 0.5);
		assert_eq!(wrong.recall, 0.0);
		assert_eq!((right.novel, right.novel_any), (0.0, 0.0));
		// "Christopher" (a name though it opens the sentence) and "Marlowe" are new, "Hamlet" is
		// in the query.
		assert!((wrong.novel - 2.0 / 3.0).abs() < 1e-6 && wrong.novel_any == 1.0, "{wrong:?}");
		assert!(right.cover > wrong.cover);
	}

	#[test]
	fn a_summary_with_a_new_number_is_flagged() {
		let source = "The council voted 9 to 2 to build 40 km of lanes.";
		let good = Evidence::of(source, None, "The council voted for 40 km of lanes.", 0.9, 0.8);
		let bad = Evidence::of(source, None, "The council voted for 70 km of lanes.", 0.9, 0.8);
		assert_eq!((good.novel, good.recall), (0.0, 0.0));
		assert_eq!(bad.novel, 1.0);
		assert!(good.cover > bad.cover);
	}

	#[test]
	fn a_name_that_opens_the_summary_counts_unless_the_texts_write_it_in_lower_case() {
		let source = "The council of Leeds voted to build lanes. Council members agreed.";
		let city = Evidence::of(source, None, "Manchester council voted to build lanes.", 0.5, 0.5);
		assert_eq!(city.novel, 1.0, "{city:?}");
		let same = Evidence::of(source, None, "Leeds council voted to build lanes.", 0.5, 0.5);
		let word = Evidence::of(source, None, "Council members voted. Overall, lanes.", 0.5, 0.5);
		assert_eq!((same.novel, word.novel), (0.0, 0.0), "{same:?} {word:?}");
	}

	#[test]
	fn an_output_without_content_words_has_empty_shares() {
		let e = Evidence::of("What?", Some("Yes"), "...", 0.5, 0.0);
		assert_eq!((e.cover, e.recall, e.novel, e.novel_any), (0.0, 0.0, 0.0, 0.0));
	}

	#[test]
	fn the_combination_is_the_logistic_of_the_weighted_features() {
		let c = Combiner::parse(
			r#"{"features":["model","cover","recall","novel","novel_any","semantic"],
			"reference":{"bias":0.5,"weights":[1,0,2,0,0,0]},
			"source":{"bias":0,"weights":[0,0,0,-1,0,0]},"training":{"ignored":true}}"#,
		)
		.unwrap();
		let e = Evidence { model: 0.5, cover: 0.0, recall: 0.25, novel: 1.0, novel_any: 1.0, semantic: 0.0 };
		assert!((c.combine(Setting::Reference, &e) - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
		assert!((c.combine(Setting::Source, &e) - 1.0 / (1.0 + 1.0f32.exp())).abs() < 1e-6);
		let clamped = Evidence { model: 1.0, ..e };
		assert_eq!(clamped.vector()[0], LOGIT_CLAMP);
	}

	#[test]
	fn a_wrong_combiner_file_is_refused() {
		assert!(Combiner::parse(r#"{"features":["model"],"reference":{"bias":0,"weights":[1]},"source":{"bias":0,"weights":[1]}}"#)
			.unwrap_err()
			.contains("features must be"));
		let short = r#"{"features":["model","cover","recall","novel","novel_any","semantic"],
			"reference":{"bias":0,"weights":[1,2]},"source":{"bias":0,"weights":[0,0,0,0,0,0]}}"#;
		assert!(Combiner::parse(short).unwrap_err().contains("reference"));
	}
}
