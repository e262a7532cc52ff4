//! Word lists: the hand-written vocabularies of the rule stages, kept as
//! data, one text file per list and one folder per language
//! (`src/lang/en/titles.txt`, `src/lang/en/weekdays.txt`, …).
//!
//! Why files: a list is data that people review and extend (a title, a
//! speech verb, a time zone). A file with its purpose in a header comment
//! reads and diffs better than a Rust array, and the tests below check every
//! file alike: no duplicate entries, no word in two lists meant to be
//! disjoint, sorted lists sorted.
//!
//! # The file format
//!
//! One entry per line; surrounding white space is trimmed, blank lines are
//! ignored, and a line whose first visible character is `#` is a comment (so
//! no entry starts with `#`). Each file opens with a comment saying what the
//! list is for, how it is matched (case, dots) and what it deliberately
//! leaves out.
//!
//! # Adding a list
//!
//! 1. Write `src/lang/en/<concept>.txt`, one file per concept, named for it.
//! 2. Declare its accessor with [`word_list!`] next to the code that reads
//!    it, with the doc comment that says why the list exists:
//!
//!    ```ignore
//!    crate::lang::word_list! {
//!        /// Days that make a time adjunct (`on Tuesday`).
//!        pub(crate) fn weekdays = "en/weekdays.txt";
//!        /// Nouns that end a time adjunct (`Monday night`).
//!        fn time_nouns = "en/time_nouns.txt";
//!    }
//!    ```
//!
//!    The file is compiled into the binary (`include_str!`: a missing file
//!    is a build error) and parsed once, on first use; `weekdays()` returns
//!    `&'static [&'static str]`.
//!    `sorted fn` sorts the entries at load, for a list searched with
//!    `binary_search`; list such a file in `SORTED` in the tests below too,
//!    so that the file itself stays in the order it is searched.
//!    `fn name = "en/a.txt" + "en/b.txt"` reads several files as one list:
//!    a list that extends another keeps only its own words.
//! 3. If the list must share no word with another one, add the pair to
//!    `DISJOINT` in the tests below. The tests read every file of every
//!    language folder: a header comment, no duplicate entries, no entry with
//!    white space, the same file names in every folder.
//!
//! # Adding a language
//!
//! Every rule is English today and reads `en/`. A language is a sibling
//! folder (`src/lang/de/`) holding a file for each file of `en/`, under the
//! same name, and the accessors then choose the folder by a language option
//! of the pipeline (not there yet: with one language there is nothing to
//! choose). Not every English word is in a file: the cue lexicon's verb
//! tables (lemma, irregular forms, flags) stay Rust tables in
//! `text/cues.rs`, and a few closed sets stand in the code as `matches!`
//! patterns (pronouns in `quotes/units.rs`, `the`/`this`/`that` in
//! `entities/refs.rs`); a port looks for those too.

/// The entries of a list file: one per line, trimmed; blank lines and `#`
/// comment lines skipped.
pub(crate) fn parse(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Declares, for each `fn name = "en/file.txt";` it is given,
/// `fn name() -> &'static [&'static str]`: the entries of one or more list
/// files under `src/lang/` (`"en/a.txt" + "en/b.txt"`), parsed once on first
/// use. `sorted fn` sorts them at load, for a list searched with
/// `binary_search`. The module documentation of `crate::lang` shows its use.
macro_rules! word_list {
    () => {};
    (@fn [$($doc:tt)*] $vis:vis $name:ident [$($file:literal),+] |$list:ident| $finish:block) => {
        $($doc)*
        $vis fn $name() -> &'static [&'static str] {
            static LIST: ::std::sync::OnceLock<Vec<&'static str>> = ::std::sync::OnceLock::new();
            LIST.get_or_init(|| {
                let mut $list = Vec::new();
                $($list.extend($crate::lang::parse(include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/src/lang/",
                    $file
                ))));)+
                $finish
                $list
            })
        }
    };
    ($(#[$doc:meta])* $vis:vis sorted fn $name:ident = $file:literal $(+ $more:literal)*;
     $($rest:tt)*) => {
        $crate::lang::word_list!(@fn [$(#[$doc])*] $vis $name [$file $(, $more)*] |list| {
            list.sort_unstable();
        });
        $crate::lang::word_list!($($rest)*);
    };
    ($(#[$doc:meta])* $vis:vis fn $name:ident = $file:literal $(+ $more:literal)*;
     $($rest:tt)*) => {
        $crate::lang::word_list!(@fn [$(#[$doc])*] $vis $name [$file $(, $more)*] |_list| {});
        $crate::lang::word_list!($($rest)*);
    };
}
pub(crate) use word_list;

#[cfg(test)]
mod tests {
    use super::parse;
    use std::collections::{BTreeMap, HashSet};
    use std::path::Path;

    /// Lists searched with `binary_search` (`sorted fn`): their files are
    /// kept in byte order.
    const SORTED: &[&str] = &[
        "title_abbreviations",
        "ambiguous_abbreviations",
        "sentence_starters",
        "time_followers",
        "time_prepositions",
        "cue_verbs_after_quote",
        "bang_names",
    ];

    /// Pairs of lists that share no word. `true`: compared ignoring case
    /// (the lists are matched so).
    const DISJOINT: &[(&str, &str, bool)] = &[
        // Read as one list by the quote stage: each word in one file.
        ("between_speaker_and_cue", "skip_before_cue", false),
        // The splitter tries titles first: a word in both would never be
        // ambiguous.
        ("title_abbreviations", "ambiguous_abbreviations", true),
        // Male names are tried first: a name in both would never be female.
        ("male_first_names", "female_first_names", false),
        // A time adjunct is a day, then a time noun (`Monday night`).
        ("weekdays", "time_nouns", false),
        // Read as one list of titles (`titles`): each word in one file.
        ("titles", "honorifics", false),
    ];

    /// Every list file of every language: language → list name → entries.
    fn all_lists() -> BTreeMap<String, BTreeMap<String, Vec<&'static str>>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lang");
        let mut langs = BTreeMap::new();
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            let mut lists = BTreeMap::new();
            for file in std::fs::read_dir(&dir).unwrap() {
                let path = file.unwrap().path();
                assert_eq!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("txt"),
                    "{path:?}: list files end in .txt"
                );
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    text.starts_with('#'),
                    "{path:?}: a list opens with a comment saying what it is for"
                );
                let name = path.file_stem().unwrap().to_str().unwrap().to_string();
                lists.insert(name, parse(text.leak()).collect());
            }
            let lang = dir.file_name().unwrap().to_str().unwrap().to_string();
            langs.insert(lang, lists);
        }
        langs
    }

    #[test]
    fn parse_skips_comments_and_blanks() {
        let list: Vec<_> = parse("# header\n\n  one \n# two\nthree\n").collect();
        assert_eq!(list, ["one", "three"]);
    }

    #[test]
    fn every_file_parses_without_duplicates_in_every_language() {
        let langs = all_lists();
        let english: Vec<_> = langs["en"].keys().collect();
        for (lang, lists) in &langs {
            let names: Vec<_> = lists.keys().collect();
            assert_eq!(names, english, "{lang}/ and en/ hold other lists");
            for (name, list) in lists {
                assert!(!list.is_empty(), "{lang}/{name}.txt is empty");
                let mut seen = HashSet::new();
                for entry in list {
                    assert!(
                        !entry.contains(char::is_whitespace),
                        "{lang}/{name}.txt: {entry:?} is not one word"
                    );
                    assert!(seen.insert(entry), "{lang}/{name}.txt: {entry:?} twice");
                }
            }
        }
    }

    #[test]
    fn sorted_lists_are_sorted() {
        for (lang, lists) in all_lists() {
            for name in SORTED {
                let list = &lists[*name];
                for pair in list.windows(2) {
                    assert!(
                        pair[0] < pair[1],
                        "{lang}/{name}.txt: {:?} before {:?}",
                        pair[0],
                        pair[1]
                    );
                }
            }
        }
    }

    #[test]
    fn disjoint_lists_share_no_word() {
        for (lang, lists) in all_lists() {
            for &(a, b, fold) in DISJOINT {
                let key = |w: &str| {
                    if fold {
                        w.to_lowercase()
                    } else {
                        w.to_string()
                    }
                };
                let left: HashSet<String> = lists[a].iter().map(|w| key(w)).collect();
                for w in &lists[b] {
                    assert!(
                        !left.contains(&key(w)),
                        "{w:?} is in {lang}/{a}.txt and in {lang}/{b}.txt"
                    );
                }
            }
        }
    }
}
