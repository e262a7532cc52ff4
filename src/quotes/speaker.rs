//! Speakers: the noun phrase next to a cue, and the entity it names.
//!
//! Why text first, entities second: the speaker must be found even when no
//! recogniser ran (or it missed a name), so the subject noun phrase is cut
//! from the tokens around the cue with punctuation and clause words as
//! boundaries. Entities, when present, then *link* that phrase: a person
//! mention inside it wins over an organisation (`Joel Pollak of Breitbart`),
//! an organisation over a place, and a resolved pronoun or nominal carries
//! its entity. A phrase with nothing to link keeps `entity: None`.

use crate::document::{Entity, EntityId, Label, MentionKind, Span, Speaker};
use crate::quotes::units::is_abbrev_before;
use crate::text::tally;
use crate::text::tokens::{Tok, TokKind};
use crate::text::words::{honorifics, name_span, norm_word, pronoun_stem};
use std::cell::Cell;

crate::lang::word_list! {
    /// Words that end a subject noun phrase when walking back from the cue.
    fn clause_words = "en/clause_words.txt";

    /// Auxiliaries and adverbs allowed between the subject and the cue: the
    /// words the entity stage allows between a speaker and its cue
    /// (`entities::refs`), and more.
    fn skip_before_cue = "en/between_speaker_and_cue.txt" + "en/skip_before_cue.txt";

    /// Days, and words that make a time adjunct with them (`on Tuesday`,
    /// `Monday night`, `last week`): skipped between a subject and its cue, and
    /// never a speaker themselves.
    pub(crate) fn weekdays = "en/weekdays.txt";

    /// Nouns that end a time adjunct after a day or `last`/`this`/`earlier`.
    fn time_nouns = "en/time_nouns.txt";
}

/// Length in tokens of a time adjunct ending just before token `j`
/// (`on Tuesday`, `Monday night`, `earlier this week`), 0 when there is none.
fn time_adjunct_before(text: &str, toks: &[Tok], floor: usize, j: usize) -> usize {
    let word = |k: usize| -> Option<String> {
        (k >= floor && k < toks.len() && toks[k].is_word()).then(|| lower(text, &toks[k]))
    };
    let Some(w) = j.checked_sub(1).and_then(word) else {
        return 0;
    };
    let n = if weekdays().contains(&w.as_str()) {
        1
    } else if time_nouns().contains(&w.as_str()) {
        // Monday night / last week / earlier this month
        match j.checked_sub(2).and_then(word).as_deref() {
            Some(p) if weekdays().contains(&p) => 2,
            Some("last" | "this" | "next") => {
                let earlier = j.checked_sub(3).and_then(word);
                2 + usize::from(earlier.is_some_and(|e| matches!(e.as_str(), "earlier" | "later")))
            }
            _ => return 0,
        }
    } else {
        return 0;
    };
    // `on Tuesday`
    let on = j - n > floor && word(j - n - 1).is_some_and(|p| p == "on");
    n + usize::from(on)
}

crate::lang::word_list! {
    /// Personal pronouns that can be speakers.
    pub fn pronouns = "en/pronouns.txt";
}

/// Lowercase text of a token.
pub(crate) fn lower(text: &str, t: &Tok) -> String {
    t.span.text(text).to_lowercase()
}

/// The subject noun phrase before the cue at token `ci`, not before token
/// `floor`: returns its token range `(first, last_inclusive)`.
///
/// Walks back over auxiliaries and adverbs (`has also said`), a
/// parenthesis (`Warren (D-MA) said`), then collects words up to
/// punctuation or a clause word. A phrase qualifies when it has a capital, a
/// pronoun, a determiner, a role noun or a plural head (`technologists`).
pub(crate) fn subject_before(
    text: &str,
    toks: &[Tok],
    floor: usize,
    ci: usize,
) -> Option<(usize, usize)> {
    let mut j = ci;
    // Skip auxiliaries, adverbs and time adjuncts (`on Tuesday`).
    while j > floor && ci - j < 8 {
        let t = &toks[j - 1];
        if !t.is_word() {
            break;
        }
        let time = time_adjunct_before(text, toks, floor, j);
        if time > 0 {
            j -= time;
            continue;
        }
        let w = lower(text, t);
        if skip_before_cue().contains(&w.as_str())
            || (w.ends_with("ly") && w.len() > 4 && is_lower(text, t))
        {
            j -= 1;
        } else {
            break;
        }
    }
    // "who said": the relative pronoun is the subject.
    if j > floor && toks[j - 1].is_word() && lower(text, &toks[j - 1]) == "who" {
        return Some((j - 1, j - 1));
    }
    // Skip a parenthesis: Sen. Elizabeth Warren (D-MA) said.
    if j > floor && toks[j - 1].is_punct(')') {
        let mut k = j - 1;
        while k > floor && j - k < 10 && !toks[k].is_punct('(') {
            k -= 1;
        }
        if toks[k].is_punct('(') && k > floor {
            j = k;
        }
    }
    if j == floor {
        return None;
    }
    // A name in apposition is the speaker: `Its chief executive, Dr. Henrik
    // Vos, told reporters` — the name, not the phrase it renames.
    if let Some(name) = apposed_name(text, toks, floor, j) {
        return Some(name);
    }
    let last = j - 1;
    let mut first = j;
    let mut n = 0;
    while first > floor && n < 10 {
        let t = &toks[first - 1];
        match t.kind {
            TokKind::Word => {
                let w = lower(text, t);
                if clause_words().contains(&w.as_str()) {
                    break;
                }
                // A pronoun is a whole subject.
                if pronouns().contains(&w.as_str()) && first - 1 != last {
                    break;
                }
            }
            TokKind::Punct('-' | '&' | '.' | '\'' | '’') => {}
            _ => break,
        }
        first -= 1;
        n += 1;
        if pronouns().contains(&lower(text, &toks[first]).as_str()) {
            break;
        }
    }
    // The phrase may end in an abbreviation's period (`analysts at Halden &
    // Co. estimated`): the period stays in the phrase, its word is the head.
    let head_at = if toks[last].is_punct('.') && last > first && is_abbrev_before(text, toks, last)
    {
        last - 1
    } else {
        last
    };
    if first > last || !toks[head_at].is_word() {
        return None;
    }
    // Trim a leading preposition word.
    let mut f = first;
    while f < last
        && matches!(
            lower(text, &toks[f]).as_str(),
            "of" | "in" | "on" | "to" | "for" | "with" | "by" | "at" | "even"
        )
    {
        f += 1;
    }
    // A fronted participle clause is no subject: `Speaking on radio show …,
    // Kiedis said`, `Having announced that …`.
    if is_participle_opener(text, toks, f, last) {
        return None;
    }
    let plural = is_plural_noun(text, &toks[head_at]);
    let ok = (f..=last).any(|k| {
        let s = toks[k].span.text(text);
        s.chars().next().is_some_and(char::is_uppercase)
            || pronouns().contains(&s.to_lowercase().as_str())
            || determiners().contains(&s.to_lowercase().as_str())
            || role_nouns().contains(&s.to_lowercase().as_str())
    }) || plural;
    ok.then_some((f, last))
}

/// The name between two commas just before token `j` (`…, Samuel T.
/// Reyes, said`): at least two capitalised words, only words and periods,
/// at most eight tokens, after a comma that follows a word. `(first, last)`.
fn apposed_name(text: &str, toks: &[Tok], floor: usize, j: usize) -> Option<(usize, usize)> {
    if j < floor + 4 || !toks[j - 1].is_punct(',') {
        return None;
    }
    let last = j - 2;
    let mut k = last;
    let mut caps = 0;
    loop {
        let t = &toks[k];
        match t.kind {
            TokKind::Word => {
                let s = t.span.text(text);
                if !s.chars().next().is_some_and(char::is_uppercase) {
                    return None;
                }
                caps += 1;
            }
            TokKind::Punct('.') => {}
            TokKind::Punct(',') => break,
            _ => return None,
        }
        if k == floor || last - k >= 8 {
            return None;
        }
        k -= 1;
    }
    // toks[k] is the opening comma: a phrase must precede it.
    let ok = caps >= 2 && k > floor && toks[k - 1].is_word() && toks[k + 1].is_word();
    ok.then_some((k + 1, last))
}

/// True when the phrase `f..=last` starts with a capitalised `-ing` word
/// followed by a lowercase word (`Speaking on`, `Rattling off`) or is a
/// fronted `Having`/`Being`: a participle clause, not a noun phrase. Names
/// ending in -ing (`Manning`, `King`) stand alone or before capitals, and an
/// `-ing` word before a plural or role noun modifies it (`Shipping
/// analysts`, `Striking workers`).
fn is_participle_opener(text: &str, toks: &[Tok], f: usize, last: usize) -> bool {
    let w = toks[f].span.text(text);
    let lw = w.to_lowercase();
    if !w.chars().next().is_some_and(char::is_uppercase) || !lw.ends_with("ing") || lw.len() < 6 {
        return false;
    }
    if matches!(lw.as_str(), "having" | "being") {
        return true;
    }
    if f >= last || !toks[f + 1].is_word() || !is_lower(text, &toks[f + 1]) {
        return false;
    }
    let next = lower(text, &toks[f + 1]);
    let modified = (is_plural_noun(text, &toks[f + 1]) || role_nouns().contains(&next.as_str()))
        && !determiners().contains(&next.as_str())
        && !clause_words().contains(&next.as_str())
        && !matches!(
            next.as_str(),
            "this" | "thus" | "towards" | "always" | "perhaps"
        );
    !modified
}

/// True for a lowercase word that looks like a plural noun (`technologists`,
/// `analysts`; not `business`, `famous`).
fn is_plural_noun(text: &str, t: &Tok) -> bool {
    let w = lower(text, t);
    w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("ous")
        && is_lower(text, t)
}

crate::lang::word_list! {
    /// Determiners that start a subject noun phrase.
    fn determiners = "en/determiners.txt";

    /// Common nouns that denote speakers without a determiner (`officials said`).
    fn role_nouns = "en/role_nouns.txt";
}

/// The noun phrase right after an inverted cue (`said the ministry`, `says
/// Smith,`) or after `according to`: token range, ending at punctuation.
pub(crate) fn np_after(
    text: &str,
    toks: &[Tok],
    start: usize,
    end: usize,
    max: usize,
) -> Option<(usize, usize)> {
    let mut k = start;
    while k < end && k - start < max {
        let t = &toks[k];
        match t.kind {
            TokKind::Word => {
                let w = lower(text, t);
                if k > start && clause_words().contains(&w.as_str()) {
                    break;
                }
            }
            TokKind::Punct('-' | '&' | '\'' | '’') => {}
            TokKind::Punct('.') if k + 1 < end && toks[k + 1].is_word() => {}
            _ => break,
        }
        k += 1;
    }
    if k == start {
        return None;
    }
    let first = toks[start].span.text(text);
    let starts_ok = first.chars().next().is_some_and(char::is_uppercase)
        || matches!(
            first.to_lowercase().as_str(),
            "the"
                | "a"
                | "an"
                | "his"
                | "her"
                | "their"
                | "its"
                | "some"
                | "one"
                | "two"
                | "several"
                | "many"
                | "he"
                | "she"
                | "they"
                | "officials"
                | "sources"
                | "former"
                | "retired"
                | "another"
                | "longtime"
                | "veteran"
                | "senior"
                | "fellow"
                | "outgoing"
                | "acting"
        );
    starts_ok.then_some((start, k - 1))
}

/// Mentions of all entities, sorted, for span lookups.
pub(crate) struct MentionIndex {
    /// `(span, entity, kind, label)` sorted by start.
    items: Vec<(Span, EntityId, MentionKind, Label)>,
    /// Mentions examined: building the index, and by every lookup.
    examined: Cell<u64>,
}

impl MentionIndex {
    pub fn new(entities: &[Entity]) -> Self {
        let mut items: Vec<_> = entities
            .iter()
            .flat_map(|e| {
                e.mentions
                    .iter()
                    .map(move |m| (m.span, e.id, m.kind, e.label.clone()))
            })
            .collect();
        items.sort_by_key(|x| (x.0.start, x.0.end));
        let examined = Cell::new(0);
        tally(&examined, items.len());
        MentionIndex { items, examined }
    }

    /// Mentions examined so far (see [`super::WorkCount::mentions`]).
    pub fn examined(&self) -> u64 {
        self.examined.get()
    }

    /// Counts one mention examined (and one step for a binary search).
    fn tick(&self) {
        tally(&self.examined, 1);
    }

    /// Mentions overlapping `span`, in text order.
    fn overlapping(
        &self,
        span: Span,
    ) -> impl Iterator<Item = &(Span, EntityId, MentionKind, Label)> {
        // Mentions are short; start the scan a little before `span`.
        let from = self.items.partition_point(|x| x.0.start + 200 < span.start);
        self.tick();
        self.items[from..]
            .iter()
            .inspect(|_| self.tick())
            .take_while(move |x| x.0.start < span.end)
            .filter(move |x| x.0.overlaps(span))
    }
}

crate::lang::word_list! {
    /// Words a noun phrase does not end with (`the number of`, `a woman can run
    /// for president without`): a phrase ending so was cut from a clause.
    fn not_phrase_final = "en/not_phrase_final.txt";

    /// Capitalised sentence openers that are no subject on their own (`Maybe he
    /// figures …`, `Wait, it gets better:`, `Asked about …, she said`).
    fn not_a_subject = "en/not_a_subject.txt";
}

/// True when `np` can be a noun phrase: it does not end in a preposition,
/// article or conjunction. (`to` is allowed: `The email goes on to say`
/// keeps its subject at the front.)
fn is_noun_phrase(text: &str, np: Span) -> bool {
    // `split_whitespace` splits at no-break spaces too.
    let mut ws = np.text(text).split_whitespace();
    let Some(last) = ws.next_back().map(str::to_lowercase) else {
        return false;
    };
    let lone_opener = ws.next().is_none() && not_a_subject().contains(&last.as_str());
    !lone_opener && !not_phrase_final().contains(&last.as_str())
}

/// Builds the speaker for the noun phrase `np` (a byte span): finds the best
/// entity mention inside it and picks the span to report. `None` when the
/// phrase links to no entity and is no noun phrase (`the number of`): a
/// fragment cut from a clause is not a speaker, and unknown beats a guess.
pub(crate) fn link(text: &str, np: Span, index: &MentionIndex) -> Option<Speaker> {
    let np = pronoun_stem(text, np);
    let rank = |x: &(Span, EntityId, MentionKind, Label)| -> u8 {
        match (x.2, &x.3) {
            (MentionKind::Name, Label::Per) => 0,
            (MentionKind::Name, Label::Org) => 1,
            (MentionKind::Pronoun | MentionKind::Nominal, _) => 2,
            (MentionKind::Name, _) => 3,
        }
    };
    let best = index
        .overlapping(np)
        .min_by_key(|x| (rank(x), x.0.start))
        .cloned();
    Some(match best {
        Some((span, id, MentionKind::Name, Label::Per)) => {
            let ns = name_span(text, span, &Label::Per);
            Speaker {
                span: with_honorific(text, ns, np),
                entity: Some(id),
            }
        }
        Some((_, id, _, label)) if label != Label::Per && is_person_nominal(text, np) => Speaker {
            span: np,
            entity: recent_person(np, index).or(Some(id)),
        },
        Some((_, id, _, _)) => Speaker {
            span: np,
            entity: Some(id),
        },
        None if is_person_nominal(text, np) => Speaker {
            span: np,
            entity: recent_person(np, index),
        },
        None => {
            let entity = relative_antecedent(text, np, index);
            if entity.is_none() && !is_noun_phrase(text, np) {
                return None;
            }
            Speaker { span: np, entity }
        }
    })
}

crate::lang::word_list! {
    /// Head nouns of a definite description of a person (`the Republican
    /// presidential candidate`, `the billionaire businessman`).
    fn person_heads = "en/person_heads.txt";
}

/// True for `the … HEAD` where HEAD is a person noun: a definite description
/// of someone already named.
fn is_person_nominal(text: &str, np: Span) -> bool {
    let ws: Vec<&str> = np.text(text).split_whitespace().collect();
    ws.len() >= 2
        && ws[0].eq_ignore_ascii_case("the")
        && ws.last().is_some_and(|h| {
            h.starts_with(char::is_lowercase) && person_heads().contains(&h.to_lowercase().as_str())
        })
}

/// The person mentioned last before `np` (within 2 KB): who a definite
/// description such as `the billionaire businessman` refers back to.
fn recent_person(np: Span, index: &MentionIndex) -> Option<EntityId> {
    let end = index.items.partition_point(|x| x.0.start < np.start);
    index.tick();
    index.items[..end]
        .iter()
        .rev()
        .inspect(|_| index.tick())
        .take_while(|x| np.start.saturating_sub(x.0.end) <= 2048)
        .find(|x| x.3 == Label::Per && x.0.end <= np.start)
        .map(|x| x.1)
}

/// `Jeb Bush, who announced …`: a relative pronoun as speaker stands for
/// the person or organisation named just before it (same clause, at most a
/// short appositive between).
fn relative_antecedent(text: &str, np: Span, index: &MentionIndex) -> Option<EntityId> {
    let word = text.get(np.start..np.end)?.to_lowercase();
    if !matches!(word.as_str(), "who" | "which") {
        return None;
    }
    let from = index.items.partition_point(|x| x.0.start + 120 < np.start);
    index.tick();
    index.items[from..]
        .iter()
        .inspect(|_| index.tick())
        .take_while(|x| x.0.start < np.start)
        .filter(|x| {
            x.0.end <= np.start
                && np.start - x.0.end <= 80
                && matches!(x.3, Label::Per | Label::Org)
                && text
                    .get(x.0.end..np.start)
                    .is_some_and(|gap| !gap.contains(['.', '!', '?', ';', '"', '“', '”', '\n']))
        })
        .max_by_key(|x| x.0.end)
        .map(|x| x.1)
}

/// Extends a name span left over one honorific (`President`, `Mr.`) when the
/// noun phrase has it.
fn with_honorific(text: &str, name: Span, np: Span) -> Span {
    // A caller's entity may carry a span off the text's char boundaries.
    let Some(before) = text.get(np.start.min(name.start)..name.start) else {
        return name;
    };
    let trimmed = before.trim_end();
    let start = trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &trimmed[start..];
    if !word.is_empty() && honorifics().contains(&norm_word(word).as_str()) {
        let s = np.start.min(name.start) + start;
        return Span::new(s, name.end);
    }
    name
}

pub(crate) fn is_lower(text: &str, t: &Tok) -> bool {
    t.span
        .text(text)
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clause_fragment_is_no_speaker() {
        let text = "the number of officials said so";
        let index = MentionIndex::new(&[]);
        let np = |a: usize, b: usize| Span::new(a, b);
        // `the number of` ends in a preposition: no speaker at all.
        assert!(link(text, np(0, 13), &index).is_none());
        // `the number of officials` is a noun phrase, kept without an entity.
        let sp = link(text, np(0, 23), &index).unwrap();
        assert_eq!(sp.span.text(text), "the number of officials");
        assert_eq!(sp.entity, None);
    }

    /// The subject phrase `subject_before` finds before `cue` in `text`.
    fn subject(text: &str, cue: &str) -> Option<String> {
        let toks = crate::text::tokens::tokenize(text);
        let ci = toks.iter().position(|t| t.span.text(text) == cue).unwrap();
        let (f, l) = subject_before(text, &toks, 0, ci)?;
        Some(text[toks[f].span.start..toks[l].span.end].to_string())
    }

    #[test]
    fn a_subject_may_end_in_an_abbreviation() {
        let t = "Shipping analysts at Halden & Co. estimated the cost.";
        let got = subject(t, "estimated");
        assert_eq!(got.as_deref(), Some("Shipping analysts at Halden & Co."));
        let t = "Acme Inc. said the deal was off.";
        assert_eq!(subject(t, "said").as_deref(), Some("Acme Inc."));
        // A period that is no abbreviation's ends no subject.
        let t = "They left at noon. said the deal was off.";
        assert_eq!(subject(t, "said"), None);
    }

    #[test]
    fn an_ing_word_before_a_plural_noun_is_no_participle_clause() {
        let t = "Striking workers said the plan would fail.";
        assert_eq!(subject(t, "said").as_deref(), Some("Striking workers"));
        // A fronted participle clause still is no subject.
        let t = "Speaking on radio show Joney's Jukebox Kiedis said it.";
        assert_eq!(subject(t, "said"), None);
        let t = "Speaking this week officials said it.";
        assert_eq!(subject(t, "said"), None);
    }

    #[test]
    fn a_mention_off_char_boundaries_does_not_panic() {
        // `Zoë`: byte 3 is inside the `ë`.
        let text = "Zoë said that the attack failed.";
        for (a, b) in [(3, 4), (3, 3), (3, 900)] {
            let entities = [Entity {
                id: 0,
                label: Label::Per,
                name: "Zoë".into(),
                mentions: vec![crate::document::Mention {
                    span: Span::new(a, b),
                    label: Label::Per,
                    score: Some(1.0),
                    kind: MentionKind::Name,
                }],
            }];
            let index = MentionIndex::new(&entities);
            let sp = link(text, Span::new(0, 4), &index).unwrap();
            assert_eq!(sp.entity, Some(0));
        }
    }
}
