//! Test sentences for the cue rules: a text read as the quote stage reads
//! it (tokens, quotation regions, attribution units), and the site of a cue
//! word in it.

use super::cue::{Cue, CueSite, Decision, Rule};
use super::Ctx;
use crate::quotes::direct::{self, Region};
use crate::quotes::units;
use crate::text::cues::{lookup, CueWord};
use crate::text::marks;
use crate::text::tokens::{tokenize, Tok};
use std::cell::Cell;

/// A text and what the quote stage reads of it.
pub(super) struct Sample {
    text: String,
    toks: Vec<Tok>,
    regions: Vec<Region>,
    region_of: Vec<Option<usize>>,
    units: Vec<(usize, usize)>,
    steps: Cell<u64>,
}

impl Sample {
    pub fn new(text: &str) -> Self {
        let steps = Cell::new(0);
        let toks = tokenize(text);
        let quoted = marks::quoted_counted(text, &steps);
        let units = units::units(text, &toks, &quoted, &steps);
        let regions = direct::regions(text, quoted, &steps);
        let region_of = direct::region_of_tokens(&toks, &regions, &steps);
        Sample {
            text: text.to_string(),
            toks,
            regions,
            region_of,
            units,
            steps,
        }
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            text: &self.text,
            toks: &self.toks,
            regions: &self.regions,
            region_of: &self.region_of,
            steps: &self.steps,
        }
    }

    /// The site of the first token `word` outside quotation marks, as the
    /// first cue of its unit (cursor at the unit's start, no speaker before).
    pub fn site(&self, word: &str) -> CueSite {
        let ti = (0..self.toks.len())
            .find(|&k| self.region_of[k].is_none() && self.toks[k].span.text(&self.text) == word)
            .unwrap_or_else(|| panic!("no {word:?} in {:?}", self.text));
        let u = self
            .units
            .iter()
            .position(|&(a, b)| a <= ti && ti < b)
            .unwrap();
        let (a, b) = self.units[u];
        CueSite {
            a,
            b,
            ti,
            cw: lookup(word).unwrap_or(CueWord::POSITIONAL),
            cursor: a,
            prev_np: None,
            next: self.units.get(u + 1).copied(),
        }
    }

    /// The text from token `a` to token `b` (exclusive).
    pub fn words(&self, a: usize, b: usize) -> String {
        self.text[self.toks[a].span.start..self.toks[b - 1].span.end].to_string()
    }

    /// A decision in words: `pass`, `reject` or `quote [A | B] by NP`.
    pub fn show(&self, d: &Decision) -> String {
        match d {
            Decision::Pass => "pass".into(),
            Decision::Reject => "reject".into(),
            Decision::Quote(c) => {
                let parts: Vec<String> = c.content.iter().map(|&(s, e)| self.words(s, e)).collect();
                let np = c.np.map_or("(none)", |np| np.text(&self.text));
                format!("quote [{}] by {np}", parts.join(" | "))
            }
        }
    }
}

/// What `rule` decides for the cue `word` of `text` (`unread` when reading
/// the cue already rejects it).
pub(super) fn decide(text: &str, word: &str, rule: Rule) -> String {
    let s = Sample::new(text);
    let ctx = s.ctx();
    match Cue::read(&ctx, s.site(word)) {
        Some(cue) => s.show(&rule(&cue)),
        None => "unread".into(),
    }
}

/// Checks `rule` on `(text, cue word, decision in words)` cases (see
/// [`decide`]).
pub(super) fn check(rule: Rule, cases: &[(&str, &str, &str)]) {
    for &(text, word, want) in cases {
        assert_eq!(decide(text, word, rule), want, "{text:?}, cue {word:?}");
    }
}
