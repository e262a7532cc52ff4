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
//! All lists are sorted static slices searched with `binary_search`, and a
//! unit test keeps them sorted. The two abbreviation lists, consulted at
//! nearly every period, are also turned once into sorted integer keys so
//! that a look-up compares integers rather than strings.
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

/// Titles and prefixes: never sentence-final before a capitalised word.
static TITLES: &[&str] = &[
    "Messrs", "Mmes", "Mt", "Rt", "adm", "amb", "asst", "atty", "brig", "capt", "cdr", "cf",
    "cmdr", "col", "comdr", "cpl", "det", "dr", "drs", "e.g", "ens", "fr", "gen", "gov", "govs",
    "hon", "i.e", "insp", "lt", "maj", "mlle", "mme", "mr", "mrs", "ms", "msgr", "pres", "prof",
    "profs", "pvt", "rep", "reps", "rev", "sen", "sens", "sgt", "spc", "supt", "v", "viz", "vs",
];

/// Other abbreviations: sentence-final only before a sentence starter.
static AMBIGUOUS: &[&str] = &[
    "Ala", "Alta", "Apr", "Ariz", "Ark", "Art", "Aug", "Calif", "Colo", "Conn", "Dec", "Del",
    "Dist", "Feb", "Fla", "Fri", "Ga", "Ill", "Ind", "Jan", "Jul", "Jun", "Kan", "Kans", "Ky",
    "La", "Mar", "Mass", "Md", "Mich", "Minn", "Miss", "Mo", "Mon", "Mont", "Neb", "Nebr", "Nev",
    "No", "Nos", "Nov", "Nr", "N°", "Nº", "Oct", "Okla", "Ont", "Ore", "Oreg", "Pa", "Penn", "Que",
    "Sask", "Sat", "Sep", "Sept", "Tenn", "Tex", "Thu", "Thur", "Thurs", "Tue", "Tues", "Va", "Vt",
    "Wash", "Wed", "Wis", "Wisc", "Wyo", "al", "approx", "assn", "assoc", "ave", "blvd", "bros",
    "ca", "ch", "chap", "cir", "co", "corp", "cos", "ct", "dept", "div", "ed", "eds", "esq", "est",
    "etc", "fig", "figs", "ft", "govt", "hr", "hrs", "hwy", "ibid", "inc", "inst", "intl", "jr",
    "lb", "lbs", "ln", "ltd", "mfg", "mi", "natl", "oz", "p", "para", "pkwy", "plc", "pp", "pt",
    "pts", "rd", "sec", "sq", "sr", "st", "ste", "univ", "vol", "vols", "wk", "yr", "yrs",
];

/// Capitalised words that typically open an English sentence. After an
/// ambiguous abbreviation, one of these means the abbreviation ended the
/// sentence. Deliberately excludes words that are also common first names
/// ("Will", "May", "Mark").
static STARTERS: &[&str] = &[
    "A",
    "About",
    "According",
    "After",
    "Again",
    "All",
    "Also",
    "Although",
    "Among",
    "An",
    "And",
    "Another",
    "Any",
    "Are",
    "As",
    "At",
    "Because",
    "Before",
    "Being",
    "Both",
    "But",
    "By",
    "Can",
    "Could",
    "Despite",
    "Did",
    "Do",
    "Does",
    "During",
    "Each",
    "Earlier",
    "Either",
    "Even",
    "Every",
    "Few",
    "For",
    "From",
    "Further",
    "Furthermore",
    "Had",
    "Has",
    "Have",
    "He",
    "Her",
    "Here",
    "His",
    "How",
    "However",
    "Hundreds",
    "I",
    "If",
    "In",
    "Indeed",
    "Instead",
    "Is",
    "It",
    "Its",
    "Just",
    "Last",
    "Later",
    "Many",
    "Meanwhile",
    "Millions",
    "More",
    "Moreover",
    "Most",
    "Much",
    "My",
    "Neither",
    "Never",
    "Nevertheless",
    "No",
    "None",
    "Nor",
    "Not",
    "Nothing",
    "Now",
    "Of",
    "On",
    "Once",
    "One",
    "Only",
    "Or",
    "Other",
    "Our",
    "Over",
    "Perhaps",
    "Several",
    "She",
    "Should",
    "Since",
    "So",
    "Some",
    "Still",
    "Such",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "Though",
    "Thousands",
    "Three",
    "Thus",
    "To",
    "Two",
    "Under",
    "Unlike",
    "Until",
    "Was",
    "We",
    "Were",
    "What",
    "When",
    "Where",
    "Whether",
    "Which",
    "While",
    "Who",
    "Why",
    "With",
    "Without",
    "Would",
    "Yes",
    "Yet",
    "You",
    "Your",
];

/// Days, months and time zones: after "a.m."/"p.m." they continue the
/// sentence ("at 6 p.m. Friday", "at 9 a.m. EST").
static TIME_FOLLOWERS: &[&str] = &[
    "Apr",
    "April",
    "Aug",
    "August",
    "BST",
    "CDT",
    "CEST",
    "CET",
    "CST",
    "CT",
    "Dec",
    "December",
    "EDT",
    "EST",
    "ET",
    "Feb",
    "February",
    "Fri",
    "Friday",
    "GMT",
    "Jan",
    "January",
    "Jul",
    "July",
    "Jun",
    "June",
    "MDT",
    "MSK",
    "MST",
    "MT",
    "Mar",
    "March",
    "May",
    "Mon",
    "Monday",
    "Nov",
    "November",
    "Oct",
    "October",
    "PDT",
    "PST",
    "PT",
    "Sat",
    "Saturday",
    "Sep",
    "Sept",
    "September",
    "Sun",
    "Sunday",
    "Thu",
    "Thursday",
    "Tue",
    "Tues",
    "Tuesday",
    "UTC",
    "Wed",
    "Wednesday",
];

/// Prepositions that open a bare time phrase ("At 5 a.m.", "By 6 p.m.").
static TIME_PREPOSITIONS: &[&str] = &[
    "About",
    "After",
    "Around",
    "At",
    "Before",
    "Beginning",
    "By",
    "From",
    "Shortly",
    "Since",
    "Starting",
    "Till",
    "Until",
];

/// Speech verbs that may follow a quotation and its speaker:
/// `"Is it?" Smith asked.`
static CUE_VERBS: &[&str] = &[
    "acknowledged",
    "added",
    "adds",
    "admitted",
    "agreed",
    "announced",
    "answered",
    "argued",
    "asked",
    "asks",
    "boasted",
    "claimed",
    "commented",
    "complained",
    "conceded",
    "concluded",
    "confirmed",
    "continued",
    "continues",
    "countered",
    "cried",
    "declared",
    "demanded",
    "denied",
    "emphasised",
    "emphasized",
    "exclaimed",
    "explained",
    "explains",
    "insisted",
    "insists",
    "joked",
    "laughed",
    "maintained",
    "mused",
    "noted",
    "notes",
    "objected",
    "observed",
    "pleaded",
    "predicted",
    "promised",
    "protested",
    "quipped",
    "recalled",
    "recalls",
    "remarked",
    "replied",
    "replies",
    "reported",
    "responded",
    "said",
    "says",
    "screamed",
    "shouted",
    "sighed",
    "snapped",
    "stated",
    "states",
    "stressed",
    "suggested",
    "tweeted",
    "warned",
    "warns",
    "whispered",
    "wondered",
    "writes",
    "wrote",
    "yelled",
];

/// Names that contain an exclamation mark: "Yahoo! Finance" is no sentence
/// end.
static BANG_NAMES: &[&str] = &["Jeopardy", "Yahoo"];

/// Longest entry of [`TITLES`] and [`AMBIGUOUS`], in bytes (a test checks;
/// [`key`] needs at most 7).
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
    KEYS.get_or_init(|| Keys::new(TITLES))
}

fn ambiguous_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::new(AMBIGUOUS))
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
    STARTERS.binary_search(&word).is_ok()
}

/// True for a day, month or time zone (continues a sentence after "p.m.").
pub(crate) fn is_time_follower(word: &str) -> bool {
    TIME_FOLLOWERS.binary_search(&word).is_ok()
}

/// True for a preposition that opens a bare time phrase ("At").
pub(crate) fn is_time_preposition(word: &str) -> bool {
    TIME_PREPOSITIONS.binary_search(&word).is_ok()
}

/// True for a speech verb ("said", "asked").
pub(crate) fn is_cue_verb(word: &str) -> bool {
    CUE_VERBS.binary_search(&word).is_ok()
}

/// True for a name spelled with an exclamation mark ("Yahoo").
pub(crate) fn is_bang_name(word: &str) -> bool {
    BANG_NAMES.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_unique() {
        for list in [
            TITLES,
            AMBIGUOUS,
            STARTERS,
            TIME_FOLLOWERS,
            TIME_PREPOSITIONS,
            CUE_VERBS,
            BANG_NAMES,
        ] {
            for pair in list.windows(2) {
                assert!(pair[0] < pair[1], "{:?} >= {:?}", pair[0], pair[1]);
            }
        }
    }

    #[test]
    fn max_listed_len_is_right() {
        let longest = TITLES.iter().chain(AMBIGUOUS).map(|w| w.len()).max();
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
