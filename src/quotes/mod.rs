//! Stage 4: quotes — who said what.
//!
//! The default extractor, [`RuleQuoteExtractor`], works in four passes, each
//! linear in the text:
//!
//! 1. **Marks** ([`crate::text::marks`]): quote marks are classified and
//!    paired into quoted regions (multi-paragraph quotes joined, unbalanced
//!    ones closed at the paragraph end, apostrophes ignored).
//! 2. **Units** (`units`): the text is tokenized (`text::tokens`) and cut into attribution
//!    units — sentence-like stretches that never end inside a quotation, so
//!    that `"… trap," he said.` stays together whatever the sentence splitter
//!    did.
//! 3. **Cues** ([`crate::text::cues`], `indirect`): every cue word (a
//!    lexicon built from PolNeAR train's gold cues) is matched against the
//!    attribution shapes of news English — content before the cue, after it,
//!    a quotation after it, `according to X` — to give the content, the cue
//!    and the speaker phrase.
//!    A content made only of quotations is a *direct* quote, one containing a
//!    quotation is *mixed*, the rest *indirect*.
//! 4. **Leftover quotations** (`direct`): quoted regions no cue claimed are
//!    direct quotes when they are full utterances (short ones are scare
//!    quotes); they inherit the running speaker — the speaker of the quote
//!    just before — as news writers do in runs of quotes.
//!
//! Speakers are linked to entities in `speaker`: a name mention in the
//! speaker phrase, or a resolved pronoun or nominal. No entity, no link:
//! `entity: None` rather than a guess.
//!
//! [`RuleQuoteExtractor::extract_counted`] also counts the elementary steps
//! of all this ([`WorkCount`]): `tests/quotes_robust.rs` holds the count to
//! linear growth, where a timing would be noise.

mod direct;
mod hybrid;
mod indirect;
mod spans;
mod speaker;
mod units;

pub use hybrid::HybridOptions;
pub use spans::{Proposal, Role, SpanModel};

use crate::document::{Entity, Origin, Quote, QuoteKind, Sentence, Span, Speaker};
use crate::text::{marks, tally};
use indirect::{Cand, Ctx};
use std::cell::Cell;

/// Finds quotes and attributes them to speakers.
pub trait QuoteExtractor: Send + Sync {
    /// Quotes of `text`, in text order.
    fn extract(&self, text: &str, sentences: &[Sentence], entities: &[Entity]) -> Vec<Quote>;

    /// Quotes of `text` given the span model's `proposals` too (see
    /// [`SpanModel`]). The default ignores the proposals;
    /// [`RuleQuoteExtractor`] attributes them and merges them with its own
    /// quotes, each quote saying where it came from ([`Origin`]).
    fn extract_proposed(
        &self,
        text: &str,
        sentences: &[Sentence],
        entities: &[Entity],
        proposals: &[Proposal],
    ) -> Vec<Quote> {
        let _ = proposals;
        self.extract(text, sentences, entities)
    }
}

/// The default, rule-based quote extractor (see the module docs).
///
/// ```
/// use saidwho::quotes::{QuoteExtractor, RuleQuoteExtractor};
/// use saidwho::QuoteKind;
/// let text = "“We will win,” she said. The ministry said that the attack failed.";
/// let quotes = RuleQuoteExtractor::default().extract(text, &[], &[]);
/// assert_eq!(quotes.len(), 2);
/// assert_eq!(quotes[0].kind, QuoteKind::Direct);
/// assert_eq!(quotes[0].content[0].text(text), "We will win,");
/// assert_eq!(quotes[0].speaker.as_ref().unwrap().span.text(text), "she");
/// assert_eq!(quotes[1].kind, QuoteKind::Indirect);
/// assert_eq!(quotes[1].content[0].text(text), "the attack failed");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleQuoteExtractor {
    hybrid: HybridOptions,
}

impl RuleQuoteExtractor {
    /// Sets which of the span model's proposals become quotes
    /// ([`HybridOptions`]; used by
    /// [`extract_proposed`](QuoteExtractor::extract_proposed)).
    pub fn with_hybrid(mut self, options: HybridOptions) -> Self {
        self.hybrid = options;
        self
    }

    /// The options of the hybrid extraction.
    pub fn hybrid(&self) -> &HybridOptions {
        &self.hybrid
    }
}

/// How far (bytes) a quote without a cue looks back for a running speaker.
const RUNNING_WINDOW: usize = 1500;
/// Largest gap (bytes) between a direct quote and an uncued quotation that
/// continues it.
const MERGE_GAP: usize = 300;
/// Whether a continuation may start a new paragraph.
const MERGE_ACROSS_PARAGRAPHS: bool = false;

/// The elementary steps one extraction took, from
/// [`RuleQuoteExtractor::extract_counted`]: a measure of work that, unlike a
/// timing, is the same on every machine and every run, so a test can hold
/// the stage to its linear-time promise.
///
/// Every loop whose length depends on the input counts one step per
/// iteration: per byte for the passes over characters, per token for the
/// scans over tokens (attribution units, the cue rules' look-behind and
/// look-ahead, contents, uncued quotations), per stack entry in mark
/// pairing, per mention in speaker linking. A helper that looks at a fixed
/// handful of tokens (the subject and speaker phrases, at most a few dozen)
/// counts one step per call. The numbers are a diagnostic: they may change
/// whenever the rules do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkCount {
    /// Pairing quote marks: bytes of the passes over the text, stack
    /// entries examined, white space trimmed off quoted parts.
    pub marks: u64,
    /// Token visits: tokenizing, attribution units, quoted regions, cue
    /// rules, content building, uncued quotations, the final merge.
    pub tokens: u64,
    /// Entity mentions examined while linking speakers to entities.
    pub mentions: u64,
}

impl WorkCount {
    /// All steps together.
    pub fn total(&self) -> u64 {
        self.marks
            .saturating_add(self.tokens)
            .saturating_add(self.mentions)
    }
}

impl RuleQuoteExtractor {
    /// [`QuoteExtractor::extract`], with the [`WorkCount`] of the
    /// extraction. The quotes are the same as `extract`'s; counting costs
    /// an addition per step, which `extract` pays too.
    ///
    /// ```
    /// use saidwho::quotes::RuleQuoteExtractor;
    /// let x = RuleQuoteExtractor::default();
    /// let text = "“We will win,” she said. ";
    /// let (quotes, one) = x.extract_counted(text, &[], &[]);
    /// assert_eq!(quotes.len(), 1);
    /// let (_, ten) = x.extract_counted(&text.repeat(10), &[], &[]);
    /// assert!(one.total() > 0 && ten.total() <= 12 * one.total());
    /// ```
    pub fn extract_counted(
        &self,
        text: &str,
        _sentences: &[Sentence],
        entities: &[Entity],
    ) -> (Vec<Quote>, WorkCount) {
        let mark_steps = Cell::new(0);
        let token_steps = Cell::new(0);
        let index = speaker::MentionIndex::new(entities);
        let quotes = self.extract_with(text, &index, &mark_steps, &token_steps);
        let work = WorkCount {
            marks: mark_steps.get(),
            tokens: token_steps.get(),
            mentions: index.examined(),
        };
        (quotes, work)
    }

    /// The extraction (see the module docs), counting its steps: mark pairing
    /// in `mark_steps`, token scans in `steps`, mention lookups in `index`.
    fn extract_with(
        &self,
        text: &str,
        index: &speaker::MentionIndex,
        mark_steps: &Cell<u64>,
        steps: &Cell<u64>,
    ) -> Vec<Quote> {
        let toks = crate::text::tokens::tokenize(text);
        tally(steps, text.len());
        let quoted = marks::quoted_counted(text, mark_steps);
        let units = units::units(text, &toks, &quoted, steps);
        let regions = direct::regions(text, quoted, steps);
        let region_of = direct::region_of_tokens(&toks, &regions, steps);
        let ctx = Ctx {
            text,
            toks: &toks,
            regions: &regions,
            region_of: &region_of,
            steps,
        };
        let mut cands: Vec<Cand> = Vec::new();
        for (k, &(a, b)) in units.iter().enumerate() {
            ctx.tick();
            indirect::unit_quotes(&ctx, a, b, units.get(k + 1).copied(), &mut cands);
        }
        let mut used = vec![false; regions.len()];
        // (quote, inherits the running speaker)
        let mut quotes: Vec<(Quote, bool)> = Vec::new();
        for c in &cands {
            ctx.tick();
            let Some((kind, content)) = build_content(&ctx, &c.content, &mut used) else {
                continue;
            };
            let speaker = c.np.and_then(|np| speaker::link(text, np, index));
            quotes.push((
                Quote {
                    kind,
                    content,
                    cue: c.cue,
                    speaker,
                    origin: Origin::Rules,
                },
                c.inherit,
            ));
        }
        // Quoted fragments in a writer's sentence: mixed quotes of their
        // clause (PolNeAR attributes them to the sentence's subject).
        let mut ui = 0;
        for (k, t) in toks.iter().enumerate() {
            ctx.tick();
            let Some(r) = region_of[k] else { continue };
            if used[r] || regions[r].q.open != t.span || direct::standalone(text, &regions[r]) {
                continue;
            }
            while ui < units.len() && units[ui].1 <= k {
                ctx.tick();
                ui += 1;
            }
            let Some(&(a, b)) = units.get(ui) else { break };
            if let Some(c) = indirect::fragment(&ctx, a, b, k) {
                if let Some((kind, content)) = build_content(&ctx, &c.content, &mut used) {
                    let speaker = c.np.and_then(|np| speaker::link(text, np, index));
                    quotes.push((
                        Quote {
                            kind: if kind == QuoteKind::Indirect {
                                QuoteKind::Mixed
                            } else {
                                kind
                            },
                            content,
                            cue: None,
                            speaker,
                            origin: Origin::Rules,
                        },
                        false,
                    ));
                }
            }
        }
        let mut ui = 0;
        for (k, t) in toks.iter().enumerate() {
            ctx.tick();
            let Some(r) = region_of[k] else { continue };
            let reg = &regions[r];
            if used[r] || reg.q.open != t.span || !direct::standalone(text, reg) {
                continue;
            }
            while ui < units.len() && units[ui].1 <= k {
                ctx.tick();
                ui += 1;
            }
            // `McConnell delivered a blunt message: "…"` — the sentence's
            // subject; a quotation opening its sentence inherits instead.
            let mut opens_unit = units.get(ui).is_none_or(|&(a, _)| {
                !toks[a..k].iter().rev().take(64).any(|t| {
                    ctx.tick();
                    t.is_word()
                })
            });
            let mut np = units.get(ui).filter(|_| !opens_unit).and_then(|&(a, _)| {
                indirect::as_put_it(&ctx, a, k)
                    .or_else(|| indirect::colon_speaker(&ctx, a, k))
                    .or_else(|| indirect::unit_subject(&ctx, a, k))
            });
            // `17-year-old Jared Potts echoed:` ¶ `“…”` — a quotation
            // opening its paragraph after a sentence that ends in a colon
            // belongs to that sentence's subject.
            let mut colon = k;
            while colon > 0 && toks[colon - 1].kind == crate::text::tokens::TokKind::Newline {
                ctx.tick();
                colon -= 1;
            }
            if opens_unit && colon > 0 && ctx.punct(colon - 1) == Some(':') {
                let before = units.partition_point(|&(a, _)| a < colon - 1);
                if let Some(&(a, _)) = before.checked_sub(1).and_then(|i| units.get(i)) {
                    np = indirect::colon_speaker(&ctx, a, colon)
                        .or_else(|| indirect::unit_subject(&ctx, a, colon - 1));
                    opens_unit = np.is_none();
                }
            }
            quotes.push((
                Quote {
                    kind: QuoteKind::Direct,
                    content: direct::parts(reg),
                    cue: None,
                    speaker: np.and_then(|np| speaker::link(text, np, index)),
                    origin: Origin::Rules,
                },
                opens_unit,
            ));
        }
        // Sorting and deduplicating: two steps a quote (the sort's log
        // factor is the standard library's).
        tally(steps, 2 * quotes.len());
        quotes.sort_by_key(|(q, _)| q.content.first().map(|s| (s.start, s.end)));
        quotes.dedup_by(|b, a| a.0.content == b.0.content);
        // Running speaker.
        let mut running: Option<(Speaker, usize)> = None;
        let mut out = Vec::with_capacity(quotes.len());
        for (mut q, inherit) in quotes {
            ctx.tick();
            let start = q.content.first().map_or(0, |s| s.start);
            // A quotation with no cue right after a direct or mixed quote
            // goes on with it ("…," he said. "…") — one attribution. A
            // quoted fragment in the writer's own clause (mixed) does not.
            if q.cue.is_none() && q.kind == QuoteKind::Direct {
                if let Some(prev) = out
                    .last_mut()
                    .filter(|p: &&mut Quote| p.kind == QuoteKind::Direct)
                {
                    let prev_end = prev.content.last().map_or(0, |s| s.end);
                    let gap = text.get(prev_end..start).unwrap_or("\n");
                    if start >= prev_end
                        && start - prev_end <= MERGE_GAP
                        && (MERGE_ACROSS_PARAGRAPHS || !gap.contains('\n'))
                    {
                        prev.content.extend(q.content);
                        if let Some(r) = running.as_mut() {
                            r.1 = prev.content.last().map_or(r.1, |s| s.end);
                        }
                        continue;
                    }
                }
            }
            if q.speaker.is_none() && inherit {
                if let Some((s, end)) = &running {
                    if start.saturating_sub(*end) <= RUNNING_WINDOW {
                        q.speaker = Some(s.clone());
                    }
                }
            }
            let end = q.content.last().map_or(start, |s| s.end);
            if let Some(s) = &q.speaker {
                running = Some((s.clone(), end));
            } else if let Some(r) = running.as_mut() {
                r.1 = r.1.max(end);
            }
            out.push(q);
        }
        for q in &mut out {
            // A transcript label is looked for within a fixed 2 KB: one step.
            tally(steps, 1 + q.content.len());
            // `TAPPER: Do you think …` — a transcript turn's speaker is its
            // label, whatever pronoun the turn itself contains.
            if let Some(label) = transcript_label(text, q) {
                q.speaker = speaker::link(text, label, index);
                continue;
            }
            // A speaker found inside the quote's own words ("I", "We’ve")
            // is the quotation's subject, not who said it.
            let inside = q.speaker.as_ref().is_some_and(|s| {
                q.content
                    .iter()
                    .any(|c| c.start <= s.span.start && s.span.end <= c.end)
            });
            if inside {
                q.speaker = None;
            }
        }
        out
    }
}

impl QuoteExtractor for RuleQuoteExtractor {
    fn extract(&self, text: &str, sentences: &[Sentence], entities: &[Entity]) -> Vec<Quote> {
        self.extract_counted(text, sentences, entities).0
    }

    fn extract_proposed(
        &self,
        text: &str,
        _sentences: &[Sentence],
        entities: &[Entity],
        proposals: &[Proposal],
    ) -> Vec<Quote> {
        let index = speaker::MentionIndex::new(entities);
        let (marks, tokens) = (Cell::new(0), Cell::new(0));
        let quotes = self.extract_with(text, &index, &marks, &tokens);
        if proposals.is_empty() {
            return quotes;
        }
        hybrid::merge(text, quotes, proposals, &index, &self.hybrid)
    }
}

/// The label of a transcript turn holding the quote: its paragraph starts
/// with one or two upper-case words and a colon (`FALLIN: Well, I think …`).
/// Looks back at most 2 KB for the paragraph start and 48 bytes into it for
/// the colon, so a text without newlines stays linear.
fn transcript_label(text: &str, q: &Quote) -> Option<Span> {
    let start = q.content.first()?.start;
    let lo = crate::text::floor_char_boundary(text, start.saturating_sub(2048));
    let para = match text.get(lo..start)?.rfind('\n') {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => return None,
    };
    let head = text.get(para..crate::text::floor_char_boundary(text, (para + 48).min(start)))?;
    let lead = head.len() - head.trim_start_matches(['"', '“', ' ', '\u{a0}']).len();
    let colon = head.find(':')?;
    let label = head.get(lead..colon)?;
    let words: Vec<&str> = label.split_whitespace().collect();
    let caps = |w: &str| {
        w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && w.chars().all(|c| !c.is_lowercase())
    };
    (!words.is_empty() && words.len() <= 2 && words.iter().all(|w| caps(w)))
        .then(|| Span::new(para + lead, para + colon))
}

/// Turns token ranges into content spans and a kind; marks the regions used.
fn build_content(
    ctx: &Ctx,
    ranges: &[(usize, usize)],
    used: &mut [bool],
) -> Option<(QuoteKind, Vec<Span>)> {
    let mut pure = true;
    let mut any_real = false;
    let mut regs: Vec<usize> = Vec::new();
    for &(s, e) in ranges {
        for k in s..e.min(ctx.toks.len()) {
            ctx.tick();
            match ctx.region_of[k] {
                Some(r) => {
                    if regs.last() != Some(&r) {
                        regs.push(r);
                        any_real |= ctx.regions[r].real;
                    }
                }
                None => {
                    if ctx.toks[k].is_word() {
                        pure = false;
                    }
                }
            }
        }
    }
    regs.dedup();
    let mut content = Vec::new();
    ctx.ticks(ranges.len() + regs.len());
    if pure && !regs.is_empty() {
        for &r in &regs {
            content.extend(ctx.regions[r].q.parts.iter().copied());
        }
    } else {
        for &(s, e) in ranges {
            if s >= e || e > ctx.toks.len() {
                continue;
            }
            let span = Span::new(ctx.toks[s].span.start, ctx.toks[e - 1].span.end);
            let t = span.text(ctx.text);
            let lead = t.len() - t.trim_start_matches(is_mark_or_space).len();
            let kept = t.trim_matches(is_mark_or_space);
            if !kept.is_empty() {
                content.push(Span::new(span.start + lead, span.start + lead + kept.len()));
            }
        }
    }
    if content.is_empty() {
        return None;
    }
    for &r in &regs {
        used[r] = true;
    }
    let kind = if pure && !regs.is_empty() {
        QuoteKind::Direct
    } else if any_real {
        QuoteKind::Mixed
    } else {
        QuoteKind::Indirect
    };
    Some((kind, content))
}

fn is_mark_or_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '“' | '”' | '‘' | '’' | '\'' | '«' | '»' | '„' | '‹' | '›' | '`'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<Quote> {
        RuleQuoteExtractor::default().extract(text, &[], &[])
    }

    fn show(text: &str, q: &Quote) -> String {
        let c: Vec<&str> = q.content.iter().map(|s| s.text(text)).collect();
        format!(
            "{:?} {:?} cue={:?} sp={:?}",
            q.kind,
            c,
            q.cue.map(|c| c.text(text)),
            q.speaker.as_ref().map(|s| s.span.text(text))
        )
    }

    /// [`show`] for every quote, for assertion messages.
    fn show_all(text: &str, quotes: &[Quote]) -> Vec<String> {
        quotes.iter().map(|q| show(text, q)).collect()
    }

    #[test]
    fn a_negated_cue_reports_nothing() {
        for text in [
            "Ms. Carvalho did not say whether the government would step in.",
            "He never said the plan would fail.",
            "The ministry didn’t say when talks would resume.",
        ] {
            let q = RuleQuoteExtractor::default().extract(text, &[], &[]);
            assert!(q.is_empty(), "{text}: {q:?}");
        }
        let text = "She said the talks had not failed.";
        assert_eq!(
            RuleQuoteExtractor::default().extract(text, &[], &[]).len(),
            1
        );
    }

    #[test]
    fn ptb_quote_marks_make_a_direct_quote() {
        let text = "``We will win,'' she said. He said ``nothing'' at all.";
        let q = RuleQuoteExtractor::default().extract(text, &[], &[]);
        assert_eq!(q[0].kind, QuoteKind::Direct);
        assert_eq!(q[0].content[0].text(text), "We will win,");
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(text), "she");
    }

    #[test]
    fn split_quote_is_one() {
        let t = "“We will win,” he said, “and soon.”";
        let q = run(t);
        assert_eq!(q.len(), 1, "{:?}", show_all(t, &q));
        assert_eq!(q[0].content.len(), 2);
        assert_eq!(q[0].cue.unwrap().text(t), "said");
    }

    /// A colon or parenthesis before a quotation ends the reported clause
    /// before it: the quotation is a quote of its own.
    #[test]
    fn colon_and_parenthesis_start_a_new_quote() {
        let t = "When Trump suggested that Cuba would sue, Rubio fired back: “They will lose,” he said.";
        let shown = show_all(t, &run(t));
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("Direct [\"They will lose,\"]")),
            "{shown:?}"
        );
        assert!(
            !shown.iter().any(|s| s.contains("sue, Rubio fired back: “")),
            "{shown:?}"
        );
        let t = "Members protested (“I want my dues back,” wrote Ed Nelson, a technician).";
        let q = run(t);
        assert_eq!(q.len(), 1);
        assert_eq!(
            show(t, &q[0]),
            "Direct [\"I want my dues back,\"] cue=Some(\"wrote\") sp=Some(\"Ed Nelson\")"
        );
    }

    /// A scare quote later in the sentence is not the continuation of the
    /// quotation that opened it.
    #[test]
    fn a_later_fragment_does_not_extend_a_quotation() {
        let t = "\"I am all for it,\" says Jo Lee, but he was shocked by the \"gun show loophole\" rule.";
        let q = run(t);
        assert_eq!(q[0].content.len(), 1, "{:?}", show(t, &q[0]));
        assert_eq!(q[0].content[0].text(t), "I am all for it,");
    }

    #[test]
    fn passive_cue_subject_is_not_the_speaker() {
        let t =
            "Sanders was asked to name a decision. The plan was criticized by Ann Lee as reckless.";
        let q = run(t);
        let shown = show_all(t, &q);
        let asked = q
            .iter()
            .find(|q| q.cue.is_some_and(|c| c.text(t) == "asked"));
        assert!(asked.is_none_or(|q| q.speaker.is_none()), "{shown:?}");
        let by = q
            .iter()
            .find(|q| q.cue.is_some_and(|c| c.text(t) == "criticized"));
        assert!(
            by.is_none_or(|q| q
                .speaker
                .as_ref()
                .is_some_and(|s| s.span.text(t) == "Ann Lee")),
            "{shown:?}"
        );
    }

    #[test]
    fn quotation_after_a_colon_paragraph_and_transcript_turns() {
        let t = "President Clinton released the following statement:\n\n“Hillary and I offer our condolences.”\n\nTAPPER: Do you think Donald Trump has campaigned as a racial healer?";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert_eq!(
            q[0].speaker.as_ref().unwrap().span.text(t),
            "President Clinton",
            "{shown:?}"
        );
        assert_eq!(
            q[1].speaker.as_ref().unwrap().span.text(t),
            "TAPPER",
            "{shown:?}"
        );
    }

    #[test]
    fn relative_pronoun_speaker_links_to_its_antecedent() {
        use crate::document::{Label, Mention, MentionKind};
        use crate::entities::{Resolver, RuleResolver};
        let t = "Voters cheered Jeb Bush, who said that he would stay in the race.";
        let at = t.find("Jeb Bush").unwrap();
        let m = Mention {
            span: Span::new(at, at + 8),
            label: Label::Per,
            score: Some(1.0),
            kind: MentionKind::Name,
        };
        let entities = RuleResolver::default().resolve(t, &[], vec![m]);
        let q = RuleQuoteExtractor::default().extract(t, &[], &entities);
        let s = q[0].speaker.as_ref().unwrap();
        assert_eq!(s.span.text(t), "who");
        assert_eq!(s.entity, Some(entities[0].id));
    }

    #[test]
    fn as_x_put_it() {
        let t = "Or, as Tom Ridge, a former secretary, put it: “The barbarians are at the gate.”";
        let q = run(t);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(t), "Tom Ridge");
    }

    #[test]
    fn parenthesis_after_the_name() {
        let t = "After winning Ohio, Gov. John Kasich (R-OH), said, “I am ready.”";
        let q = run(t);
        assert_eq!(q.len(), 1);
        assert_eq!(
            q[0].speaker.as_ref().unwrap().span.text(t),
            "Gov. John Kasich"
        );
    }

    #[test]
    fn backward_indirect() {
        let t = "Ukraine lost 70 servicemen, Russia stated.";
        let q = run(t);
        assert_eq!(q.len(), 1);
        assert_eq!(
            show(t, &q[0]),
            "Indirect [\"Ukraine lost 70 servicemen\"] cue=Some(\"stated\") sp=Some(\"Russia\")"
        );
    }

    #[test]
    fn according_to() {
        let t =
            "According to the ministry, the attack failed. The plan worked, according to Smith.";
        let q = run(t);
        let s = show_all(t, &q);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(
            s[0].contains("\"the attack failed\"") && s[0].contains("the ministry"),
            "{s:?}"
        );
        assert!(
            s[1].contains("\"The plan worked\"") && s[1].contains("Smith"),
            "{s:?}"
        );
    }

    /// The speaker span of the quote whose first content span starts with
    /// `content`.
    fn speaker_of(text: &str, content: &str) -> Option<String> {
        let q = run(text);
        let quote = q
            .iter()
            .find(|q| q.content[0].text(text).starts_with(content))
            .unwrap_or_else(|| {
                panic!(
                    "no quote starts with {content:?}: {:?}",
                    q.iter().map(|q| show(text, q)).collect::<Vec<_>>()
                )
            });
        quote
            .speaker
            .as_ref()
            .map(|s| s.span.text(text).to_string())
    }

    #[test]
    fn time_adjuncts_datelines_and_participle_clauses_are_not_speakers() {
        // `on Saturday` between the subject and its cue.
        let t = "Sen. Bernie Sanders (I-Vt.) on Saturday criticized the accord, saying the \
                 agreement goes nowhere near far enough.";
        let sp = speaker_of(t, "the agreement").unwrap();
        assert!(sp.contains("Bernie Sanders"), "{sp}");
        let t = "Mr. Ryan on Tuesday said that the remark was racist.";
        assert_eq!(speaker_of(t, "the remark").as_deref(), Some("Mr. Ryan"));
        // A dateline opens the paragraph; the subject comes after it.
        let t = "WASHINGTON, Dec. 8 (UPI) — Hillary Clinton's aide rallied supporters, \
                 saying: “We have to be ready to stop him.”";
        let sp = speaker_of(t, "We have").unwrap();
        assert!(sp.contains("Hillary Clinton"), "{sp}");
        // A fronted participle clause is not the subject.
        let t = "Speaking on radio show Joney's Jukebox last week, Kiedis said his band \
                 wrote a host of new songs.";
        assert_eq!(speaker_of(t, "his band").as_deref(), Some("Kiedis"));
        // A plural time noun opening the sentence is not the subject either.
        let t = "Hours later, Trump returned the compliment, telling Reuters, \
                 “He is an amazing man.”";
        assert_eq!(speaker_of(t, "He is").as_deref(), Some("Trump"));
    }

    #[test]
    fn a_complete_quotation_after_the_cue_is_the_whole_content() {
        let t = "Sanders said, “We’ll see,” when asked whether he would help.";
        let q = run(t);
        // The question asked is a second quote, its asker unnamed (PolNeAR
        // annotates this very sentence so).
        assert_eq!(q.len(), 2, "{:?}", show_all(t, &q));
        assert_eq!(q[0].kind, QuoteKind::Direct);
        assert_eq!(q[0].content[0].text(t), "We’ll see,");
        assert_eq!(q[1].content[0].text(t), "whether he would help");
        assert!(q[1].speaker.is_none());
        // A fragment in marks still runs on to the end of its clause.
        let t = "Trump said “a total disaster” was coming for the party.";
        let q = run(t);
        assert_eq!(q.len(), 1, "{:?}", show_all(t, &q));
        assert!(
            q[0].content[0].text(t).ends_with("coming for the party"),
            "{}",
            show(t, &q[0])
        );
    }

    #[test]
    fn a_cue_opening_its_own_clause_after_a_quotation_starts_a_new_quote() {
        let t = "Trump says he goes “back to war tomorrow.” He’s predicting he will do \
                 “very, very well” in Nevada.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert!(q[0].content[0].text(t).ends_with("tomorrow."), "{shown:?}");
        assert_eq!(q[1].cue.unwrap().text(t), "predicting");
        // The contracted pronoun is the speaker, without its `’s`.
        assert_eq!(q[1].speaker.as_ref().unwrap().span.text(t), "He");
        // `He added: “…”` introduces the next quotation.
        let t = "Carson said he was “refining some practices.” He added: “My team stays.”";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert_eq!(q[1].content[0].text(t), "My team stays.", "{shown:?}");
        assert_eq!(q[1].cue.unwrap().text(t), "added", "{shown:?}");
        // `…?” Priebus said.` still attributes the quotation before it.
        let t = "“Why now?” Priebus said.";
        let q = run(t);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(t), "Priebus");
    }

    #[test]
    fn a_relative_clause_on_a_broad_cue_object_is_its_own_quote() {
        let t = "Swanson praised evangelist Franklin Graham, who has publicly vowed not to \
                 buy Girl Scout cookies this year.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert_eq!(
            q[0].content[0].text(t),
            "evangelist Franklin Graham",
            "{shown:?}"
        );
        assert_eq!(q[1].cue.unwrap().text(t), "vowed", "{shown:?}");
        assert_eq!(q[1].speaker.as_ref().unwrap().span.text(t), "who");
    }

    #[test]
    fn a_definite_description_of_a_person_links_to_the_last_person_named() {
        use crate::document::{Entity, Label, Mention, MentionKind};
        let t = "Donald Trump spoke in Iowa. Asked about it, the Republican presidential \
                 candidate said that he was never bullied.";
        let mention = |needle: &str, label: Label| Mention {
            span: Span::new(
                t.find(needle).unwrap(),
                t.find(needle).unwrap() + needle.len(),
            ),
            label,
            score: Some(1.0),
            kind: MentionKind::Name,
        };
        let entities = vec![
            Entity {
                id: 0,
                label: Label::Per,
                name: "Donald Trump".into(),
                mentions: vec![mention("Donald Trump", Label::Per)],
            },
            Entity {
                id: 1,
                label: Label::Misc,
                name: "Republican".into(),
                mentions: vec![mention("Republican", Label::Misc)],
            },
        ];
        let q = RuleQuoteExtractor::default().extract(t, &[], &entities);
        let sp = q[0].speaker.as_ref().unwrap();
        assert_eq!(sp.span.text(t), "the Republican presidential candidate");
        assert_eq!(sp.entity, Some(0));
    }

    #[test]
    fn a_question_attributed_after_its_closing_mark() {
        for t in [
            "“Can we win Illinois?” Mr. Manafort asked. “I don't know.”",
            "''Can we win Illinois?'' Manafort asked.",
        ] {
            let q = run(t);
            let shown = show_all(t, &q);
            assert_eq!(q[0].cue.map(|c| c.text(t)), Some("asked"), "{shown:?}");
            assert!(
                q[0].speaker
                    .as_ref()
                    .unwrap()
                    .span
                    .text(t)
                    .ends_with("Manafort"),
                "{shown:?}"
            );
        }
    }

    #[test]
    fn sentence_opening_adverbs_are_not_speakers() {
        let t = "Maybe he figures that a gig on “Saturday Night Live” was enough.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 1, "{shown:?}");
        assert_eq!(
            q[0].speaker.as_ref().unwrap().span.text(t),
            "he",
            "{shown:?}"
        );
        let t = "Wait, it gets better:\n\n“By law, the president sets the number of refugees \
                 the United States can accept in a year.”";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 1, "{shown:?}");
        assert!(q[0].speaker.is_none(), "{shown:?}");
    }

    #[test]
    fn inverted_subjects_with_a_tail() {
        for (t, speaker) in [
            (
                "“It’s not new in Virginia,” said Rep. Bobby Scott (D-Va.) at the time.",
                "Rep. Bobby Scott",
            ),
            (
                "“I don’t think there is bad publicity,” said Atlantic City Mayor Don Guardian \
                 in a telephone interview.",
                "Atlantic City Mayor Don Guardian",
            ),
            (
                "“It’s going to be challenging,” said a longtime GOP data expert who has \
                 worked for one of the rivals.",
                "a longtime GOP data expert",
            ),
            (
                "“It would have been a long shot,” said Stephen Vladeck of the University of \
                 Texas School of Law.",
                "Stephen Vladeck",
            ),
            (
                "“She’s going to be more aggressive,” said former South Carolina Gov. Jim \
                 Hodges, a Clinton backer.",
                "former South Carolina Gov. Jim Hodges",
            ),
        ] {
            let q = run(t);
            let shown = show_all(t, &q);
            assert_eq!(q.len(), 1, "{shown:?}");
            assert_eq!(q[0].cue.unwrap().text(t), "said", "{shown:?}");
            assert_eq!(
                q[0].speaker.as_ref().unwrap().span.text(t),
                speaker,
                "{shown:?}"
            );
        }
    }

    #[test]
    fn noun_like_cue_forms_in_a_verb_position() {
        let t = "The ad claims “Jeb is the conservative you can trust.” \
                 CBS News reports that the letter was sent on Monday. \
                 His claims that he won were false.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q[0].cue.unwrap().text(t), "claims", "{shown:?}");
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(t), "The ad");
        assert_eq!(q[1].cue.unwrap().text(t), "reports", "{shown:?}");
        assert_eq!(q[1].content[0].text(t), "the letter was sent on Monday");
        // A possessive before the form: the noun `claims`, a noun cue.
        assert_eq!(q[2].cue.unwrap().text(t), "claims", "{shown:?}");
        assert_eq!(q[2].speaker.as_ref().unwrap().span.text(t), "His");
        assert_eq!(q.len(), 3, "{shown:?}");
    }

    #[test]
    fn a_new_attribution_ends_the_content_before_it() {
        let t = "While Comey said there was clear evidence that Clinton was careless, he said \
                 there’s no precedent for prosecution.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert!(
            q[0].content[0].text(t).ends_with("was careless"),
            "{shown:?}"
        );
        assert_eq!(q[1].speaker.as_ref().unwrap().span.text(t), "he");
        // `, and he railed against …` is the writer's next clause.
        let t = "Rubio said the real extremist is Clinton, and he railed against the \
                 moderators for weeks.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(
            q[0].content[0].text(t),
            "the real extremist is Clinton",
            "{shown:?}"
        );
        // A dash before the writer's aside ends it too.
        let t = "Sanders said he was “encouraged” by the plan — a modest boost for Obama.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert!(
            q[0].content[0].text(t).ends_with("by the plan"),
            "{shown:?}"
        );
        // A parenthetical attribution stays inside.
        let t = "Trump said the deal, he said, is a disaster for everyone.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert!(
            q[0].content
                .last()
                .unwrap()
                .text(t)
                .ends_with("for everyone"),
            "{shown:?}"
        );
    }

    #[test]
    fn point_out_is_a_cue_with_its_particle() {
        let t = "Sexton pointed out that not all supporters share such views. \
                 The point is that he left.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 1, "{shown:?}");
        assert_eq!(q[0].cue.unwrap().text(t), "pointed", "{shown:?}");
        assert_eq!(
            q[0].content[0].text(t),
            "not all supporters share such views"
        );
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(t), "Sexton");
    }

    #[test]
    fn headline_cues_are_capitalised() {
        let t = "Trump Says He Never Pledged To Kill Family Members Of Terrorists.\n\n\
                 Donald Trump said Wednesday night that he does not support it. Says who?";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert_eq!(q[0].cue.unwrap().text(t), "Says", "{shown:?}");
        assert_eq!(q[0].speaker.as_ref().unwrap().span.text(t), "Trump");
        assert!(
            q[0].content[0].text(t).starts_with("He Never Pledged"),
            "{shown:?}"
        );
        // In running text a capitalised `Says` opening a sentence is no cue.
        assert_eq!(q[1].cue.unwrap().text(t), "said", "{shown:?}");
    }

    #[test]
    fn an_opening_question_is_a_quote_with_an_unknown_asker() {
        let t = "Asked about her own vote, Sarandon told CNN that she was not sure.";
        let q = run(t);
        let shown = show_all(t, &q);
        assert_eq!(q.len(), 2, "{shown:?}");
        assert_eq!(q[0].cue.unwrap().text(t), "Asked about", "{shown:?}");
        assert_eq!(q[0].content[0].text(t), "her own vote");
        assert!(q[0].speaker.is_none(), "{shown:?}");
        assert_eq!(q[1].speaker.as_ref().unwrap().span.text(t), "Sarandon");
        assert_eq!(q[1].content[0].text(t), "she was not sure");
        // Mid-sentence, and with a named asker.
        let t = "Ramos seemed uneasy when asked about his daughter’s work, and said little. \
                 When asked by a reporter whether it mattered, Trump said no.";
        let q = run(t);
        let shown = show_all(t, &q);
        let asked: Vec<&Quote> = q
            .iter()
            .filter(|q| q.cue.is_some_and(|c| c.text(t).starts_with("asked")))
            .collect();
        assert_eq!(asked.len(), 2, "{shown:?}");
        assert_eq!(asked[0].content[0].text(t), "his daughter’s work");
        assert!(asked[0].speaker.is_none());
        assert_eq!(asked[1].content[0].text(t), "whether it mattered");
        assert_eq!(
            asked[1].speaker.as_ref().unwrap().span.text(t),
            "a reporter"
        );
    }

    #[test]
    fn never_panics() {
        for t in [
            "",
            "\"",
            "said",
            "“",
            ", said",
            "according to",
            "according to X,",
            "He said:",
            "He said:\n\"",
            "\u{0}\u{1}said\"\u{7f}",
        ] {
            let _ = run(t);
        }
        let _ = run(&"\"".repeat(100_000));
        let _ = run(&"“a” said, ".repeat(10_000));
    }
}
