//! Words as the rule stages see them: normalised (`Sen.` → `sen`), without
//! a possessive, split with their offsets; the name part of a mention
//! (titles and articles dropped) and the pronoun of a contraction (`He’s`).
//!
//! Why in the text stage: the entity stage clusters mentions on these word
//! forms and the quote stage cuts speaker spans with them; both must agree
//! on what a word and a name are, and the data flow is one-way (text → ner →
//! entities → quotes), so the shared helpers live in the earliest stage.

use crate::document::{Label, Span};

crate::lang::word_list! {
    /// Title and role words kept out of person names (lowercase, no dots),
    /// the [`honorifics`] among them.
    pub(crate) fn titles = "en/titles.txt" + "en/honorifics.txt";

    /// Honorifics and short titles that belong in a *speaker span* right before a
    /// name (`President Volodymyr Zelensky`), lowercase without dots.
    pub(crate) fn honorifics = "en/honorifics.txt";
}

/// Lowercased word without dots (`Sen.` → `sen`).
pub(crate) fn norm_word(w: &str) -> String {
    w.chars()
        .filter(|&c| c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Strips a trailing possessive (`’s`, `'s`, or a bare `’`/`'` after s).
pub(crate) fn strip_possessive(s: &str) -> &str {
    for suf in ["’s", "'s", "’S", "'S", "’", "'"] {
        if let Some(x) = s.strip_suffix(suf) {
            return x;
        }
    }
    s
}

/// Words of `s` with their byte offsets (relative to `s`), split on white
/// space, possessives stripped from the last word.
pub(crate) fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain([(s.len(), ' ')]) {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                let mark = |c: char| matches!(c, ',' | '"' | '“' | '”');
                let lead = s[st..i].len() - s[st..i].trim_start_matches(mark).len();
                // The offset is the trimmed word's own, so that offset plus
                // length stays on the word (and on a char boundary).
                let w = s[st + lead..i].trim_end_matches(mark);
                if !w.is_empty() {
                    out.push((st + lead, w));
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(last) = out.last_mut() {
        last.1 = strip_possessive(last.1);
    }
    out
}

/// The name part of a mention: possessive, leading lowercase articles and —
/// for persons — leading titles removed. Returns the name span.
pub(crate) fn name_span(text: &str, span: Span, label: &Label) -> Span {
    let s = span.text(text);
    let ws = words(s);
    if ws.is_empty() {
        return span;
    }
    let mut first = 0;
    while first + 1 < ws.len() && matches!(ws[first].1, "the" | "a" | "an") {
        first += 1;
    }
    if *label == Label::Per {
        // Keep the words after the last title word (at least one word).
        let mut k = first;
        for (j, (_, w)) in ws.iter().enumerate().skip(first) {
            if j + 1 < ws.len() && titles().contains(&norm_word(w).as_str()) {
                k = j + 1;
            }
        }
        first = k;
    }
    let (st, _) = ws[first];
    let (lst, lw) = ws[ws.len() - 1];
    Span::new(span.start + st, span.start + lst + lw.len())
}

/// The pronoun of a contracted word (`He’s` → `He`, `she'd` → `she`), else
/// the whole word.
pub(crate) fn pronoun_stem(text: &str, span: Span) -> Span {
    let w = span.text(text);
    for suffix in ["’s", "'s", "’d", "'d", "’ll", "'ll"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if matches!(stem.to_lowercase().as_str(), "he" | "she" | "it") {
                return Span::new(span.start, span.start + stem.len());
            }
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_offsets_point_at_the_trimmed_word() {
        let s = "“Zoë” said";
        let ws = words(s);
        assert_eq!(ws[0], ("“".len(), "Zoë"));
        let sp = name_span(s, Span::new(0, "“Zoë”".len()), &Label::Per);
        assert_eq!(sp.text(s), "Zoë");
    }

    #[test]
    fn titles_removed() {
        let t = "President Volodymyr Zelensky";
        assert_eq!(
            name_span(t, Span::new(0, t.len()), &Label::Per).text(t),
            "Volodymyr Zelensky"
        );
        let t = "Medvedev’s";
        assert_eq!(
            name_span(t, Span::new(0, t.len()), &Label::Per).text(t),
            "Medvedev"
        );
        let t = "the Russian Defense Ministry";
        assert_eq!(
            name_span(t, Span::new(0, t.len()), &Label::Org).text(t),
            "Russian Defense Ministry"
        );
    }

    #[test]
    fn a_long_title_is_no_part_of_the_name() {
        let t = "Russian Security Council Deputy Chairman Dmitry Medvedev’s post";
        let s = name_span(t, Span::new(0, 59), &Label::Per);
        assert_eq!(s.text(t), "Dmitry Medvedev");
    }

    #[test]
    fn pronoun_stems() {
        let t = "He’s she'd it'll Smith's";
        let stems: Vec<&str> = t
            .split(' ')
            .map(|w| {
                let start = w.as_ptr() as usize - t.as_ptr() as usize;
                pronoun_stem(t, Span::new(start, start + w.len())).text(t)
            })
            .collect();
        assert_eq!(stems, ["He", "she", "it", "Smith's"]);
    }
}
