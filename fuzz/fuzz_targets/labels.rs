//! The label decoder: arbitrary label maps (valid or not) and arbitrary
//! labelled words (spans anywhere, reversed, off char boundaries, class ids
//! out of range). A map is understood or refused with an error; decoded
//! mentions are non-empty, ordered, non-overlapping, on char boundaries of
//! the text, typed from the map, with finite scores; chunks stay in range.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::ner::{chunks, decode_words, parse_tag, LabelMap, LabelScheme, LabelledWord};
use saidwho::Span;

fuzz_target!(|input: (Vec<String>, u8, String, Vec<(u16, u16, u8, u8)>)| {
    let (labels, scheme, text, words) = input;
    // The lenient chunker on the raw tags: chunks in range, ordered, disjoint.
    let tags: Vec<_> = labels.iter().map(|l| parse_tag(l).ok().flatten()).collect();
    let mut end = 0;
    for c in chunks(tags.iter().cloned()) {
        assert!(c.start < c.end && c.end <= tags.len() && c.start >= end);
        end = c.end;
    }
    let scheme = match scheme % 4 {
        0 => None,
        1 => Some(LabelScheme::Bio),
        2 => Some(LabelScheme::Iob1),
        _ => Some(LabelScheme::Bioes),
    };
    let Ok(map) = LabelMap::new(&labels, scheme) else {
        return;
    };
    assert_eq!(map.len(), labels.len());
    let len = text.len();
    let words: Vec<LabelledWord> = words
        .iter()
        .map(|&(start, width, class, score)| {
            let start = start as usize % (len + 2);
            LabelledWord {
                span: Span::new(start, start + width as usize % 64),
                class: class as usize,
                score: score as f32 / 255.0,
            }
        })
        .collect();
    let mentions = decode_words(&text, &map, &words);
    let mut last_end = 0;
    for m in &mentions {
        let (s, e) = (m.span.start, m.span.end);
        assert!(s < e && e <= len, "span {s}..{e} in {len} bytes");
        assert!(s >= last_end, "mentions overlap or are out of order");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        assert!(!text[s..e].trim().is_empty());
        assert!(m.score.is_some_and(f32::is_finite));
        let typed = (0..map.len()).filter_map(|i| map.tag(i)).any(|(_, ty)| {
            map.entity_type(ty) == Some(&m.label)
        });
        assert!(typed, "label {:?} is not in the map", m.label);
        last_end = e;
    }
});
