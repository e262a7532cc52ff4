//! Word lists for the sentence splitter: abbreviations, sentence starters and
//! speech verbs.
//!
//! A period after a word is a sentence end unless the word is an
//! abbreviation — but "abbreviation" is not one class. *Titles* ("Mr.",
//! "Gen.", "Mt.") stand before a name and never end a sentence. Most other
//! abbreviations ("Inc.", "Co.", "Jan.", "Calif.", "U.S.", "Jr.") can end a
//! sentence, and then the next word decides: "… with Pitt, Briggs & Co. It
//! closed" is two sentences, "… Briggs & Co. Chief Executive …" is one. The
//! tell is the next word: sentences start with a small set of function words
//! ("It", "The", "How", "But"), while a name or a noun after an abbreviation
//! ("Government", "Michael's") continues the sentence. That is the heuristic
//! of the Pragmatic Segmenter as well, and it is what [`classify`] and
//! [`is_sentence_starter`] implement.
//!
//! The lists are files under `src/lang/en/` (see `crate::lang`), kept in
//! byte order, sorted at load and searched with `binary_search`. The two
//! abbreviation lists, consulted at nearly every period, are also turned
//! once into sorted integer keys so that a look-up compares integers rather
//! than strings.
//!
//! Case: an entry written in lower case matches in any case ("co" matches
//! "co", "Co" and "CO"); an entry with capitals matches only exactly, so the
//! state "Ill." and the month "Jan." do not swallow "ill." or "jan.".

use std::sync::OnceLock;

/// How a word before a period behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abbrev {
    /// Not an abbreviation: the period ends the sentence (if the next word
    /// does not say otherwise).
    No,
    /// A title or other prefix abbreviation ("Mr.", "Gen.", "vs."): never
    /// ends a sentence before a capitalised word or a number.
    Title,
    /// "a.m." / "p.m.": ends a sentence unless a day, month or time zone
    /// follows, or the sentence so far is only a time phrase ("At 5 a.m.").
    Time,
    /// Any other abbreviation (including initials and "U.S."): ends a
    /// sentence only when a sentence starter follows.
    Ambiguous,
}

crate::lang::word_list! {
    /// Titles and prefixes: never sentence-final before a capitalised word.
    sorted fn title_abbreviations = "en/title_abbreviations.txt";

    /// Other abbreviations: sentence-final only before a sentence starter.
    sorted fn ambiguous_abbreviations = "en/ambiguous_abbreviations.txt";

    /// Capitalised words that typically open an English sentence. After an
    /// ambiguous abbreviation, one of these means the abbreviation ended the
    /// sentence. Deliberately excludes words that are also common first names
    /// ("Will", "May", "Mark").
    sorted fn sentence_starters = "en/sentence_starters.txt";

    /// Days, months and time zones: after "a.m."/"p.m." they continue the
    /// sentence ("at 6 p.m. Friday", "at 9 a.m. EST").
    sorted fn time_followers = "en/time_followers.txt";

    /// Prepositions that open a bare time phrase ("At 5 a.m.", "By 6 p.m.").
    sorted fn time_prepositions = "en/time_prepositions.txt";

    /// Speech verbs that may follow a quotation and its speaker:
    /// `"Is it?" Smith asked.` A list of its own, not the cue lexicon of
    /// `text/cues.rs`: it matches fewer forms, in their case only, and six
    /// words the lexicon lacks (the file's header has the difference).
    sorted fn cue_verbs_after_quote = "en/cue_verbs_after_quote.txt";

    /// Names that contain an exclamation mark: "Yahoo! Finance" is no sentence
    /// end.
    sorted fn bang_names = "en/bang_names.txt";
}

/// Longest entry of [`title_abbreviations`] and [`ambiguous_abbreviations`],
/// in bytes (a test checks; [`key`] needs at most 7).
const MAX_LISTED_LEN: usize = 6;

/// A word list as sorted 64-bit keys (length in the top byte, bytes below),
/// built on first use. Comparing integers is much cheaper than `memcmp` on
/// short strings, and this look-up runs at nearly every period.
struct Keys {
    /// Entries with capitals: they match exactly.
    exact: Vec<u64>,
    /// Lower-case entries: they match in any case (keys ASCII-folded).
    folded: Vec<u64>,
}

/// The key of a word of at most 7 bytes, ASCII-folded to lower case when
/// `fold`.
fn key(bytes: &[u8], fold: bool) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    let mut k = (bytes.len() as u64) << 56;
    for (i, &b) in bytes.iter().enumerate() {
        let b = if fold { b.to_ascii_lowercase() } else { b };
        k |= u64::from(b) << (8 * i);
    }
    Some(k)
}

impl Keys {
    fn new(list: &[&str]) -> Keys {
        let mut exact = Vec::new();
        let mut folded = Vec::new();
        for entry in list {
            let bytes = entry.as_bytes();
            if bytes.iter().any(u8::is_ascii_uppercase) {
                exact.extend(key(bytes, false));
            } else {
                folded.extend(key(bytes, true));
            }
        }
        exact.sort_unstable();
        folded.sort_unstable();
        Keys { exact, folded }
    }

    fn contains(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        let (Some(exact), Some(folded)) = (key(bytes, false), key(bytes, true)) else {
            return false;
        };
        self.exact.binary_search(&exact).is_ok() || self.folded.binary_search(&folded).is_ok()
    }
}

fn title_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::new(title_abbreviations()))
}

fn ambiguous_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::new(ambiguous_abbreviations()))
}

/// Classifies the word that stands right before a period (without the
/// period, without leading punctuation).
pub(crate) fn classify(word: &str) -> Abbrev {
    if word.is_empty() || word.len() > 16 {
        return Abbrev::No;
    }
    // Fast path for the common case, a plain word: no listed abbreviation
    // is longer than six bytes, and dotted ones contain a period.
    let dotted = word.contains('.');
    if word.len() > MAX_LISTED_LEN && !dotted {
        return Abbrev::No;
    }
    if title_keys().contains(word) {
        return Abbrev::Title;
    }
    if ambiguous_keys().contains(word) {
        return Abbrev::Ambiguous;
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // A single letter: an initial ("Jonas E. Smith") or "I".
        return if c.is_alphabetic() {
            Abbrev::Ambiguous
        } else {
            Abbrev::No
        };
    }
    if dotted && is_dotted_abbreviation(word) {
        if word.eq_ignore_ascii_case("a.m") || word.eq_ignore_ascii_case("p.m") {
            return Abbrev::Time;
        }
        return Abbrev::Ambiguous;
    }
    Abbrev::No
}

/// "U.S", "a.m", "Ph.D", "W.Va": letters in pieces of at most two, joined by
/// periods. URLs, e-mail addresses and numbers ("1026.253.553") are not.
fn is_dotted_abbreviation(word: &str) -> bool {
    word.split('.').all(|piece| {
        let n = piece.chars().count();
        (1..=2).contains(&n) && piece.chars().all(char::is_alphabetic)
    })
}

/// True for a capitalised word that usually opens a sentence ("The", "It").
pub(crate) fn is_sentence_starter(word: &str) -> bool {
    sentence_starters().binary_search(&word).is_ok()
}

/// True for a day, month or time zone (continues a sentence after "p.m.").
pub(crate) fn is_time_follower(word: &str) -> bool {
    time_followers().binary_search(&word).is_ok()
}

/// True for a preposition that opens a bare time phrase ("At").
pub(crate) fn is_time_preposition(word: &str) -> bool {
    time_prepositions().binary_search(&word).is_ok()
}

/// True for a speech verb ("said", "asked").
pub(crate) fn is_cue_verb(word: &str) -> bool {
    cue_verbs_after_quote().binary_search(&word).is_ok()
}

/// True for a name spelled with an exclamation mark ("Yahoo").
pub(crate) fn is_bang_name(word: &str) -> bool {
    bang_names().binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_unique() {
        for list in [
            title_abbreviations(),
            ambiguous_abbreviations(),
            sentence_starters(),
            time_followers(),
            time_prepositions(),
            cue_verbs_after_quote(),
            bang_names(),
        ] {
            for pair in list.windows(2) {
                assert!(pair[0] < pair[1], "{:?} >= {:?}", pair[0], pair[1]);
            }
        }
    }

    #[test]
    fn cue_verbs_after_quote_outside_the_cue_lexicon() {
        // The words cue_verbs_after_quote.txt says the lexicon lacks.
        let outside: Vec<&str> = cue_verbs_after_quote()
            .iter()
            .copied()
            .filter(|w| crate::text::cues::lookup(w).is_none())
            .collect();
        assert_eq!(
            outside,
            [
                "commented",
                "continues",
                "objected",
                "pleaded",
                "protested",
                "states"
            ]
        );
    }

    #[test]
    fn max_listed_len_is_right() {
        let longest = title_abbreviations()
            .iter()
            .chain(ambiguous_abbreviations())
            .map(|w| w.len())
            .max();
        assert_eq!(longest, Some(MAX_LISTED_LEN));
    }

    #[test]
    fn classification() {
        assert_eq!(classify("Mr"), Abbrev::Title);
        assert_eq!(classify("MR"), Abbrev::Title);
        assert_eq!(classify("Co"), Abbrev::Ambiguous);
        assert_eq!(classify("co"), Abbrev::Ambiguous);
        assert_eq!(classify("Jan"), Abbrev::Ambiguous);
        assert_eq!(classify("jan"), Abbrev::No);
        assert_eq!(classify("Ill"), Abbrev::Ambiguous);
        assert_eq!(classify("ill"), Abbrev::No);
        assert_eq!(classify("U.S"), Abbrev::Ambiguous);
        assert_eq!(classify("U.S.A"), Abbrev::Ambiguous);
        assert_eq!(classify("a.m"), Abbrev::Time);
        assert_eq!(classify("P.M"), Abbrev::Time);
        assert_eq!(classify("E"), Abbrev::Ambiguous);
        assert_eq!(classify("N°"), Abbrev::Ambiguous);
        assert_eq!(classify("Jane.Doe@example.com"), Abbrev::No);
        assert_eq!(classify("1026.253.553"), Abbrev::No);
        assert_eq!(classify("World"), Abbrev::No);
        assert_eq!(classify("7"), Abbrev::No);
    }
}
