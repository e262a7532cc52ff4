//! Hand-written tricky articles (`tests/fixtures/*.txt`) through the entity
//! and quote stages, with hand-made name mentions, against expected quotes.

use saidwho::entities::{Resolver, RuleResolver};
use saidwho::quotes::{QuoteExtractor, RuleQuoteExtractor};
use saidwho::{Entity, Label, Mention, MentionKind, Quote, QuoteKind, Span};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture exists")
}

fn mentions(text: &str, names: &[(&str, Label)]) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (name, label) in names {
        for (i, _) in text.match_indices(name) {
            let span = Span::new(i, i + name.len());
            if !out.iter().any(|m| m.span.overlaps(span)) {
                out.push(Mention {
                    span,
                    label: label.clone(),
                    score: Some(1.0),
                    kind: MentionKind::Name,
                });
            }
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

fn run(text: &str, names: &[(&str, Label)]) -> (Vec<Entity>, Vec<Quote>) {
    let entities = RuleResolver::default().resolve(text, &[], mentions(text, names));
    let quotes = RuleQuoteExtractor::default().extract(text, &[], &entities);
    (entities, quotes)
}

/// One expected quote: first words of its content, kind, content span
/// count, cue, speaker text, speaker entity name.
struct Want {
    starts: &'static str,
    kind: QuoteKind,
    spans: usize,
    cue: Option<&'static str>,
    speaker: Option<&'static str>,
    entity: Option<&'static str>,
}

fn check(text: &str, entities: &[Entity], quotes: &[Quote], wants: &[Want]) {
    let mut errs = Vec::new();
    for w in wants {
        let Some(q) = quotes
            .iter()
            .find(|q| q.content[0].text(text).starts_with(w.starts))
        else {
            errs.push(format!("missing quote {:?}", w.starts));
            continue;
        };
        if q.kind != w.kind {
            errs.push(format!("{:?}: kind {:?}", w.starts, q.kind));
        }
        if q.content.len() != w.spans {
            errs.push(format!("{:?}: {} content spans", w.starts, q.content.len()));
        }
        if q.cue.map(|c| c.text(text)) != w.cue {
            errs.push(format!(
                "{:?}: cue {:?}",
                w.starts,
                q.cue.map(|c| c.text(text))
            ));
        }
        let sp = q.speaker.as_ref();
        if sp.map(|s| s.span.text(text)) != w.speaker {
            errs.push(format!(
                "{:?}: speaker {:?}",
                w.starts,
                sp.map(|s| s.span.text(text))
            ));
        }
        if let Some(e) = w.entity {
            let got = sp
                .and_then(|s| s.entity)
                .map(|id| entities[id].name.as_str());
            if got != Some(e) {
                errs.push(format!("{:?}: entity {got:?}", w.starts));
            }
        }
        for c in &q.content {
            assert!(c.text(text).len() == c.len(), "content on char boundaries");
            if let Some(cue) = q.cue {
                assert!(!c.overlaps(cue), "content overlaps its cue");
            }
            let t = c.text(text);
            assert!(!t.starts_with(['"', '“', '”']), "{t:?} starts with a mark");
        }
    }
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn split_quotes_runs_and_paragraphs() {
    let text = fixture("split-and-runs.txt");
    let (ents, quotes) = run(
        &text,
        &[
            ("Anna Keller", Label::Per),
            ("Tom Brandt", Label::Per),
            ("Keller", Label::Per),
            ("Brandt", Label::Per),
        ],
    );
    use QuoteKind::*;
    check(
        &text,
        &ents,
        &quotes,
        &[
            Want {
                starts: "We did not take",
                kind: Direct,
                spans: 2,
                cue: Some("said"),
                speaker: Some("Keller"),
                entity: Some("Anna Keller"),
            },
            Want {
                starts: "The numbers are clear",
                kind: Direct,
                spans: 1,
                cue: None,
                speaker: Some("Keller"),
                entity: Some("Anna Keller"),
            },
            Want {
                starts: "the lanes were",
                kind: Mixed,
                spans: 1,
                cue: Some("said"),
                speaker: Some("Tom Brandt"),
                entity: Some("Tom Brandt"),
            },
            Want {
                starts: "I have spoken",
                kind: Direct,
                spans: 3,
                cue: Some("told"),
                speaker: Some("he"),
                entity: Some("Tom Brandt"),
            },
            Want {
                starts: "his party would",
                kind: Indirect,
                spans: 1,
                cue: Some("added"),
                speaker: Some("Brandt"),
                entity: Some("Tom Brandt"),
            },
        ],
    );
}

#[test]
fn marks_apostrophes_and_unbalanced() {
    let text = fixture("marks-and-apostrophes.txt");
    let (ents, quotes) = run(&text, &[("Maria Lopez", Label::Per), ("Lopez", Label::Per)]);
    use QuoteKind::*;
    check(
        &text,
        &ents,
        &quotes,
        &[
            // A scare quote inside reported speech keeps it indirect.
            Want {
                starts: "the plan, dubbed",
                kind: Indirect,
                spans: 1,
                cue: Some("say"),
                speaker: Some("Residents"),
                entity: None,
            },
            Want {
                starts: "It's the voters' park",
                kind: Direct,
                spans: 2,
                cue: Some("said"),
                speaker: Some("Maria Lopez"),
                entity: Some("Maria Lopez"),
            },
            // Unclosed: ends at its paragraph, and the next one is still read.
            Want {
                starts: "this one never closes",
                kind: Direct,
                spans: 1,
                cue: None,
                speaker: None,
                entity: None,
            },
            Want {
                starts: "We will fight it",
                kind: Direct,
                spans: 1,
                cue: Some("said"),
                speaker: Some("Lopez"),
                entity: Some("Maria Lopez"),
            },
            Want {
                starts: "Nous resterons ici",
                kind: Direct,
                spans: 1,
                cue: Some("said"),
                speaker: Some("the mayor"),
                entity: None,
            },
        ],
    );
    // Apostrophes never open quotes; the nested 'progress' is no quote.
    for q in &quotes {
        let t = q.content[0].text(&text);
        assert!(
            !t.starts_with("90s") && !t.starts_with("s anger") && !t.starts_with("progress"),
            "{t:?}"
        );
    }
}

#[test]
fn according_to_inverted_and_parenthetical() {
    let text = fixture("according-and-inverted.txt");
    let (ents, quotes) = run(
        &text,
        &[
            ("Daniel Ortiz", Label::Per),
            ("Ortiz", Label::Per),
            ("Barclays", Label::Org),
        ],
    );
    use QuoteKind::*;
    check(
        &text,
        &ents,
        &quotes,
        &[
            Want {
                starts: "sales fell",
                kind: Indirect,
                spans: 1,
                cue: Some("According to"),
                speaker: Some("the company"),
                entity: None,
            },
            Want {
                starts: "The decline was driven",
                kind: Indirect,
                spans: 1,
                cue: Some("according to"),
                speaker: Some("analysts at Barclays"),
                entity: Some("Barclays"),
            },
            Want {
                starts: "This is a temporary setback",
                kind: Direct,
                spans: 1,
                cue: Some("said"),
                speaker: Some("Daniel Ortiz"),
                entity: Some("Daniel Ortiz"),
            },
            Want {
                starts: "The board",
                kind: Indirect,
                spans: 2,
                cue: Some("said"),
                speaker: Some("Ortiz"),
                entity: Some("Daniel Ortiz"),
            },
            Want {
                starts: "Profits will recover",
                kind: Indirect,
                spans: 1,
                cue: Some("predicted"),
                speaker: Some("the company"),
                entity: None,
            },
            Want {
                starts: "the market has overreacted",
                kind: Indirect,
                spans: 1,
                cue: Some("believes"),
                speaker: Some("Ortiz"),
                entity: Some("Daniel Ortiz"),
            },
        ],
    );
}
