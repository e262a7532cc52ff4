//! Pronouns and nominals: the mentions that carry no name.
//!
//! Why in the entity stage: the quote stage needs "he continued" and "the
//! ministry reported" linked to *Dmitry Medvedev* and *the Russian Defense
//! Ministry*. One left-to-right sweep keeps a short recency list of persons and
//! organisations and resolves each pronoun or nominal to the most recent
//! compatible one:
//!
//! * `he/him/his/himself` and `she/her/hers/herself` → the most recent person
//!   of compatible gender (gender from honorifics or common first names, and
//!   learnt from earlier resolved pronouns), preferring the speaker of the
//!   latest quote (`Medvedev wrote, "…" … he continued`), then persons in
//!   subject position (not right after a preposition);
//! * `its`, and `it`/`they` directly before a speech verb → the most recent
//!   organisation in the last few hundred bytes;
//! * `the ministry`, `the company`, … → the most recent organisation whose
//!   name contains that noun, or (for generic nouns) any recent organisation.
//!
//! Unresolvable pronouns are left out rather than guessed.

use super::names::Gender;
use super::Cluster;
use crate::document::{Label, Mention, MentionKind, Span};
use crate::text::tokens::{tokenize, Tok, TokKind};
use crate::text::words::{norm_word, pronoun_stem, strip_possessive, words};
use crate::text::{cues, tally};
use std::cell::Cell;

crate::lang::word_list! {
    /// Nouns of nominal mentions that must appear in the organisation's name.
    fn named_org_nouns = "en/named_org_nouns.txt";

    /// Generic nouns that may refer to any recent organisation.
    fn generic_org_nouns = "en/generic_org_nouns.txt";

    /// Words after which a name mention is not the subject of its clause (`a
    /// letter to Smith`, `told Smith`): pronouns prefer subjects.
    fn not_subject_after = "en/not_subject_after.txt";
}

/// How far back (bytes) an organisation pronoun or a generic nominal looks.
const ORG_WINDOW: usize = 600;
/// How far back (bytes) a personal pronoun looks.
const PER_WINDOW: usize = 3000;

struct Recent {
    cluster: usize,
    pos: usize,
    subject: bool,
    /// The mention is the speaker of a cue (`Medvedev wrote`, `said Smith`).
    speaker: bool,
}

/// Adds resolved pronoun and nominal mentions to `clusters`.
///
/// Adds to `steps` one per byte tokenized, one per name mention and token of
/// the pass, and one per recent mention examined.
pub(crate) fn resolve_refs(text: &str, clusters: &mut [Cluster], steps: &Cell<u64>) {
    // Name mentions in text order: (start, end, cluster).
    let mut names: Vec<(Span, usize)> = clusters
        .iter()
        .enumerate()
        .flat_map(|(id, c)| c.mentions.iter().map(move |m| (m.span, id)))
        .collect();
    if names.is_empty() {
        return;
    }
    names.sort_by_key(|(s, _)| (s.start, s.end));
    let heads: Vec<Option<String>> = clusters.iter().map(org_head).collect();
    tally(steps, clusters.len());
    let toks = tokenize(text);
    let mut ni = 0;
    let mut persons: Vec<Recent> = Vec::new();
    let mut orgs: Vec<Recent> = Vec::new();
    let mut added: Vec<(usize, Mention)> = Vec::new();
    tally(steps, text.len() + names.len());
    for (ti, t) in toks.iter().enumerate() {
        tally(steps, 1);
        // Bring in the name mentions that start before this token.
        while ni < names.len() && names[ni].0.start <= t.span.start {
            let (span, id) = names[ni];
            ni += 1;
            let subject = !prev_is(text, &toks, span.start, not_subject_after());
            let speaker = is_speaker(text, &toks, span);
            let rec = Recent {
                cluster: id,
                pos: span.end,
                subject,
                speaker,
            };
            let list = match clusters[id].label {
                Label::Per => &mut persons,
                Label::Org => &mut orgs,
                _ => continue,
            };
            tally(steps, 1 + list.len());
            list.retain(|r| r.cluster != id);
            list.push(rec);
            if list.len() > 12 {
                list.remove(0);
            }
        }
        if t.kind != TokKind::Word || inside_name(&names, ni, t.span) {
            continue;
        }
        // `He’s`, `she’d`: the pronoun is the word before the contraction.
        let t = &Tok {
            span: pronoun_stem(text, t.span),
            kind: t.kind,
        };
        let w = t.span.text(text);
        let lw = w.to_lowercase();
        let per_gender = match lw.as_str() {
            "he" | "him" | "his" | "himself" => Some(Gender::Male),
            "she" | "her" | "hers" | "herself" => Some(Gender::Female),
            _ => None,
        };
        if let Some(g) = per_gender {
            let ok = |r: &&Recent| {
                t.span.start.saturating_sub(r.pos) <= PER_WINDOW
                    && clusters[r.cluster].gender.is_none_or(|cg| cg == g)
            };
            // At most three looks at each recent person.
            tally(steps, 3 * persons.len());
            // The speaker of the latest quote among the two most recent
            // candidates, else the latest subject, else the latest.
            let pick = persons
                .iter()
                .rev()
                .filter(ok)
                .take(2)
                .find(|r| r.speaker)
                .or_else(|| persons.iter().rev().filter(ok).find(|r| r.subject))
                .or_else(|| persons.iter().rev().find(ok))
                .map(|r| r.cluster);
            if let Some(id) = pick {
                if clusters[id].gender.is_none() {
                    clusters[id].gender = Some(g);
                }
                added.push((id, mention(t.span, Label::Per, MentionKind::Pronoun)));
                if let Some(r) = persons.iter_mut().find(|r| r.cluster == id) {
                    r.pos = t.span.end;
                }
            }
            continue;
        }
        let org_pronoun = match lw.as_str() {
            "its" => true,
            "it" | "they" => next_is_cue(text, &toks, ti),
            _ => false,
        };
        if org_pronoun {
            if let Some(r) = orgs.last() {
                if t.span.start.saturating_sub(r.pos) <= ORG_WINDOW {
                    let id = r.cluster;
                    added.push((id, mention(t.span, Label::Org, MentionKind::Pronoun)));
                }
            }
            continue;
        }
        // Relative pronouns: `Bill Maher, who …` → Bill Maher; `the
        // Pentagon, which …` → the Pentagon (organisations only).
        if matches!(lw.as_str(), "who" | "whom" | "whose" | "which") {
            if let Some(id) = relative_antecedent(text, &names, ni, t.span) {
                let label = clusters[id].label.clone();
                if label == Label::Per && lw != "which" || label == Label::Org {
                    added.push((id, mention(t.span, label, MentionKind::Pronoun)));
                }
            }
            continue;
        }
        // Nominals: "the ministry".
        if matches!(lw.as_str(), "the" | "this" | "that") {
            let Some(n) = toks.get(ti + 1).filter(|n| n.is_word()) else {
                continue;
            };
            let noun = norm_word(n.span.text(text));
            let named = named_org_nouns().contains(&noun.as_str());
            let generic = generic_org_nouns().contains(&noun.as_str());
            // Any other lowercase noun must be a recent organisation's head
            // (`the authority` → the Alden Harbour Authority).
            let as_head = !named
                && !generic
                && n.span.text(text).starts_with(char::is_lowercase)
                && orgs
                    .iter()
                    .any(|r| heads[r.cluster].as_ref() == Some(&noun));
            if !named && !generic && !as_head {
                continue;
            }
            // Not the start of a longer name ("the Ministry of Defense").
            if inside_name(&names, ni, n.span)
                || names.get(ni).is_some_and(|(s, _)| s.start == n.span.start)
            {
                continue;
            }
            tally(steps, orgs.len());
            let pick = orgs.iter().rev().find(|r| {
                let c = &clusters[r.cluster];
                (named && c.words.contains(&noun))
                    || (as_head && heads[r.cluster].as_ref() == Some(&noun))
                    || (generic && t.span.start.saturating_sub(r.pos) <= ORG_WINDOW * 3)
            });
            if let Some(r) = pick {
                let id = r.cluster;
                let span = Span::new(t.span.start, n.span.end);
                added.push((id, mention(span, Label::Org, MentionKind::Nominal)));
            }
        }
    }
    for (id, m) in added {
        clusters[id].mentions.push(m);
    }
}

/// The head noun of an organisation's name, lowercased: the last word
/// before its first `of`/`for`/`on`, else its last word (`Alden Harbour
/// Authority` → `authority`, `Ministry of Defense` → `ministry`). `None`
/// for other labels, for a one-word name (a `Port` cut from `Port Alden`
/// would take every `the port`), and for a head that is no word (`Co.`,
/// `&`).
fn org_head(c: &Cluster) -> Option<String> {
    if c.label != Label::Org {
        return None;
    }
    let ws: Vec<String> = words(&c.name)
        .iter()
        .map(|(_, w)| norm_word(strip_possessive(w)))
        .collect();
    let end = ws
        .iter()
        .position(|w| matches!(w.as_str(), "of" | "for" | "on"))
        .unwrap_or(ws.len());
    if ws.len() < 2 {
        return None;
    }
    let head = ws[..end].last()?;
    (head.len() > 2 && head.chars().all(char::is_alphabetic)).then(|| head.clone())
}

/// A mention the rules made: no model scored it, so it has no score.
fn mention(span: Span, label: Label, kind: MentionKind) -> Mention {
    Mention {
        span,
        label,
        score: None,
        kind,
    }
}

/// The cluster of the name right before a relative pronoun at `span`: the
/// last name mention brought in (`names[ni - 1]`) when only a comma, spaces
/// or a short parenthesis (`Ted Cruz (R-Texas), who`) stand between them.
fn relative_antecedent(
    text: &str,
    names: &[(Span, usize)],
    ni: usize,
    span: Span,
) -> Option<usize> {
    let &(name, id) = names.get(ni.checked_sub(1)?)?;
    let gap = text.get(name.end..span.start)?;
    // What stands outside a short parenthesis.
    let (before, after) = match (gap.find('('), gap.rfind(')')) {
        (Some(o), Some(c)) if o < c && c - o <= 24 => (&gap[..o], &gap[c + 1..]),
        _ => (gap, ""),
    };
    before
        .chars()
        .chain(after.chars())
        .all(|c| c.is_whitespace() || c == ',')
        .then_some(id)
}

/// True when `span` lies inside the name mention just brought in.
fn inside_name(names: &[(Span, usize)], ni: usize, span: Span) -> bool {
    ni > 0 && names[ni - 1].0.overlaps(span)
}

fn prev_is(text: &str, toks: &[Tok], start: usize, set: &[&str]) -> bool {
    let i = toks.partition_point(|t| t.span.start < start);
    i > 0
        && toks[i - 1].is_word()
        && set.contains(&toks[i - 1].span.text(text).to_lowercase().as_str())
}

crate::lang::word_list! {
    /// Words allowed between a speaker and its cue (`Smith has also said`).
    fn between_speaker_and_cue = "en/between_speaker_and_cue.txt";
}

/// True when the mention at `span` is the subject of a speech cue
/// (`Medvedev wrote`, `Smith has also said`) or follows an inverted one and
/// ends its phrase (`said Smith.`, `said Smith, who …`). A mention that only
/// modifies the real subject is not a speaker: `Trump aides said`, `said
/// Trump campaign strategists`.
fn is_speaker(text: &str, toks: &[Tok], span: Span) -> bool {
    let is_cue =
        |t: &Tok| cues::lookup(t.span.text(text)).is_some_and(|c| !c.participle && !c.broad);
    let i = toks.partition_point(|t| t.span.start < span.end);
    let after = toks
        .iter()
        .skip(i)
        .take(4)
        .take_while(|t| t.is_word())
        .find(|t| !between_speaker_and_cue().contains(&t.span.text(text).to_lowercase().as_str()))
        .is_some_and(is_cue);
    let j = toks.partition_point(|t| t.span.start < span.start);
    let ends_phrase = toks.get(i).is_none_or(|t| !t.is_word());
    let before = j > 0 && toks[j - 1].is_word() && is_cue(&toks[j - 1]) && ends_phrase;
    after || before
}

fn next_is_cue(text: &str, toks: &[Tok], ti: usize) -> bool {
    toks.iter()
        .skip(ti + 1)
        .take(2)
        .take_while(|t| t.is_word())
        .any(|t| cues::lookup(t.span.text(text)).is_some_and(|c| !c.participle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{Resolver, RuleResolver};

    fn org(text: &str, needle: &str) -> Mention {
        let start = text.find(needle).unwrap();
        Mention {
            span: Span::new(start, start + needle.len()),
            label: Label::Org,
            score: Some(1.0),
            kind: MentionKind::Name,
        }
    }

    /// The organisation each nominal of `text` joined, as `(nominal, name)`.
    fn nominals(text: &str, names: &[&str]) -> Vec<(String, String)> {
        let ms = names.iter().map(|n| org(text, n)).collect();
        let mut out: Vec<(usize, String, String)> = RuleResolver::default()
            .resolve(text, &[], ms)
            .iter()
            .flat_map(|e| {
                e.mentions
                    .iter()
                    .filter(|m| m.kind == MentionKind::Nominal)
                    .map(|m| (m.span.start, m.span.text(text).to_string(), e.name.clone()))
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, n, e)| (n, e)).collect()
    }

    #[test]
    fn an_organisation_head_links_its_definite_description() {
        let t = "Talks with the Alden Harbour Authority collapsed. The authority said \
                 it would wait. The Ministry of Transport agreed; the ministry said so.";
        let got = nominals(t, &["Alden Harbour Authority", "Ministry of Transport"]);
        let want = [
            ("The authority", "Alden Harbour Authority"),
            ("the ministry", "Ministry of Transport"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
        // The most recent organisation with that head wins.
        let t = "The Port Authority met the Harbour Authority. Later the authority said no.";
        let got = nominals(t, &["Port Authority", "Harbour Authority"]);
        assert_eq!(got, [("the authority".into(), "Harbour Authority".into())]);
        // A noun that heads no earlier organisation stays unlinked: `the
        // transport` is no head of the Ministry of Transport, `the co` none
        // of Halden & Co., and nothing links back to a later name.
        let t = "The Ministry of Transport met Halden & Co. The transport said no; \
                 the co said yes. The authority spoke before the Alden Authority did.";
        let got = nominals(
            t,
            &["Ministry of Transport", "Halden & Co.", "Alden Authority"],
        );
        assert!(got.is_empty(), "{got:?}");
        // A one-word name is no head to refer back to.
        let t = "Port Alden is busy. Trade at the port fell.";
        assert!(nominals(t, &["Port"]).is_empty());
    }
}
