//! Name forms: what part of a mention is the name, and which name forms may
//! refer to the same thing.
//!
//! Why: NER spans carry noise for merging — possessives (`Medvedev’s`),
//! titles (`President Volodymyr Zelensky`, `Russian Security Council Deputy
//! Chairman Dmitry Medvedev`), articles (`the Russian Defense Ministry`) —
//! and the same organisation appears as `Russia's Ministry of Defense`, `the
//! Russian Defense Ministry` and `MoD`. Comparing *normalised word sets*
//! and acronyms handles these without a gazetteer.

use crate::document::{Label, Span};
use crate::text::words::{norm_word, strip_possessive, titles, words};

/// Grammatical gender, for pronoun agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Gender {
    /// he/him/his
    Male,
    /// she/her/hers
    Female,
}

crate::lang::word_list! {
    /// Common first names of men, for pronoun agreement (`Donald` → he).
    fn male_first_names = "en/male_first_names.txt";

    /// Common first names of women, for pronoun agreement (`Hillary` → she).
    fn female_first_names = "en/female_first_names.txt";

    /// Last words of publication names whose article is part of the title
    /// (`The New York Times`, `The Wall Street Journal`, `The Economist`).
    fn publication_last_words = "en/publication_last_words.txt";
}

/// The name form of an organisation mention at `span`, with a capitalised
/// `The` right before it when the name is a publication's: the model takes
/// `The` into `The Wall Street Journal` mid-sentence but leaves it out where
/// it opens a sentence (`The New York Times reported …`), and both are one
/// title.
pub(crate) fn with_title_article(text: &str, span: Span, label: &Label) -> String {
    let name = span.text(text);
    if *label != Label::Org {
        return name.to_string();
    }
    let before = text.get(..span.start).unwrap_or("");
    let article = before.strip_suffix("The ").filter(|rest| {
        rest.chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    });
    let publication = words(name)
        .last()
        .is_some_and(|(_, w)| publication_last_words().contains(&norm_word(w).as_str()));
    match article {
        Some(_) if publication && !name.starts_with("The ") => format!("The {name}"),
        _ => name.to_string(),
    }
}

/// True when every word of `s` is a title or honorific (`Sen.`, `Mr.`,
/// `President`): such a mention names nobody.
pub(crate) fn is_only_titles(s: &str) -> bool {
    let ws = words(s);
    !ws.is_empty()
        && ws
            .iter()
            .all(|(_, w)| titles().contains(&norm_word(w).as_str()))
}

/// Gender told by an honorific or a common first name, if any.
pub(crate) fn gender_of(words: &[&str]) -> Option<Gender> {
    for w in words {
        let n = norm_word(w);
        match n.as_str() {
            "mr" | "sir" | "king" | "prince" | "lord" => return Some(Gender::Male),
            "mrs" | "ms" | "miss" | "queen" | "princess" | "lady" | "dame" => {
                return Some(Gender::Female)
            }
            _ => {}
        }
        if male_first_names().contains(&n.as_str()) {
            return Some(Gender::Male);
        }
        if female_first_names().contains(&n.as_str()) {
            return Some(Gender::Female);
        }
    }
    None
}

crate::lang::word_list! {
    /// Function words dropped from an organisation name before alias matching.
    fn org_stopwords = "en/org_stopwords.txt";
}

/// Content words of an organisation name, for alias matching: lowercased,
/// articles and a leading possessive modifier (`Russia's Ministry`) dropped,
/// demonyms folded onto their country (`Russian` → `russia`).
pub(crate) fn org_key(name: &str) -> Vec<String> {
    let ws = words(name);
    let mut out: Vec<String> = Vec::new();
    for (i, (_, w)) in ws.iter().enumerate() {
        let possessive = i + 1 < ws.len() && (w.ends_with("'s") || w.ends_with("’s"));
        let n = norm_word(strip_possessive(w));
        if org_stopwords().contains(&n.as_str()) || n.is_empty() {
            continue;
        }
        if possessive {
            continue; // "Russia's Ministry of Defense" → ministry defense
        }
        let n = match n.as_str() {
            "defence" => "defense".to_string(),
            "russian" => "russia".to_string(),
            "ukrainian" => "ukraine".to_string(),
            "american" => "america".to_string(),
            "british" => "britain".to_string(),
            "chinese" => "china".to_string(),
            _ => n,
        };
        out.push(n);
    }
    out
}

/// Acronym letters of a name (`Ministry of Defense` → `mod`, `New York Times`
/// → `nyt`), lowercased.
pub(crate) fn acronyms(name: &str) -> [String; 2] {
    let mut ws = words(name);
    let n = ws.len();
    let mut i = 0;
    ws.retain(|(_, w)| {
        i += 1;
        i == n || !(w.ends_with("'s") || w.ends_with("’s"))
    });
    let all: String = ws
        .iter()
        .filter_map(|(_, w)| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    let content: String = ws
        .iter()
        .filter(|(_, w)| !org_stopwords().contains(&norm_word(w).as_str()))
        .filter_map(|(_, w)| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    [all, content]
}

/// True when `s` looks like an acronym (`MoD`, `NATO`, `U.S.`): one word,
/// mostly capitals.
pub(crate) fn is_acronym(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || letters.len() > 8 || s.contains(' ') {
        return false;
    }
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    upper * 2 > letters.len() && letters[0].is_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_keys_and_acronyms() {
        assert_eq!(
            org_key("Russia's Ministry of Defense"),
            ["ministry", "defense"]
        );
        assert_eq!(
            org_key("Russian Defense Ministry"),
            ["russia", "defense", "ministry"]
        );
        assert_eq!(acronyms("Ministry of Defense")[0], "mod");
        assert!(is_acronym("MoD") && is_acronym("NATO") && !is_acronym("Moscow"));
    }

    #[test]
    fn genders() {
        assert_eq!(gender_of(&["Hillary", "Clinton"]), Some(Gender::Female));
        assert_eq!(gender_of(&["Mr.", "Smith"]), Some(Gender::Male));
        assert_eq!(gender_of(&["Smith"]), None);
    }
}
