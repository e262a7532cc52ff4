//! Quote detection and attribution with hand-made mentions (no model): a
//! recogniser that returns whatever mentions the fuzzer invents — anywhere,
//! overlapping, off char boundaries — feeds the entity and quote stages.
//! The pipeline must keep every `Document::validate` invariant (spans on char
//! boundaries, content never overlapping its cue, speakers inside the text).
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::ner::Recognizer;
use saidwho::{Label, Mention, MentionKind, Pipeline, Sentence, Span};

struct Invented(Vec<(u16, u8, u8)>);

impl Recognizer for Invented {
    fn recognize(&self, text: &str, _: &[Sentence]) -> saidwho::Result<Vec<Mention>> {
        let len = text.len().max(1);
        Ok(self
            .0
            .iter()
            .map(|&(start, width, label)| {
                let start = start as usize % (len + 1);
                Mention {
                    span: Span::new(start, start + width as usize % 40),
                    label: match label % 5 {
                        0 => Label::Per,
                        1 => Label::Org,
                        2 => Label::Loc,
                        3 => Label::Misc,
                        _ => Label::Other("X".into()),
                    },
                    score: Some(0.9),
                    kind: MentionKind::Name,
                }
            })
            .collect())
    }
}

fuzz_target!(|input: (String, Vec<(u16, u8, u8)>)| {
    let (text, mentions) = input;
    let pipeline = Pipeline::new().with_recognizer(Invented(mentions));
    let doc = pipeline.analyze(&text).expect("no size limit hit");
    if let Err(broken) = doc.validate() {
        panic!("{broken}");
    }
});
