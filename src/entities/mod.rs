//! Stage 3: entities — merging mentions that refer to the same thing.
//!
//! Why rules, and these rules: a news article introduces a person once in
//! full ("Russian Security Council Deputy Chairman Dmitry Medvedev") and then
//! by surname, pronoun or role; an organisation once by name and then by an
//! alias ("the Russian Defense Ministry", "MoD") or a nominal ("the
//! ministry"). Within one article surname and alias collisions are rare, so
//! greedy left-to-right clustering on normalised name forms is accurate,
//! deterministic and linear — what a quote stage needs to say *which*
//! Medvedev spoke. The name forms are in `names`, pronouns and nominals in
//! `refs`.

mod names;
mod refs;

use crate::document::{Entity, Label, Mention, MentionKind, Sentence, Span};
use crate::text::tally;
use crate::text::words::{name_span, norm_word, words};
use names::{acronyms, gender_of, is_acronym, is_only_titles, org_key, with_title_article, Gender};
use std::cell::Cell;
use std::collections::HashMap;

/// Groups mentions into entities.
pub trait Resolver: Send + Sync {
    /// Entities of `text` built from its name `mentions` (sorted by start).
    /// Implementations may add pronoun and nominal mentions they resolve.
    fn resolve(&self, text: &str, sentences: &[Sentence], mentions: Vec<Mention>) -> Vec<Entity>;
}

/// The default resolver: name-form clustering, then pronoun and nominal
/// resolution (see the module docs).
///
/// ```
/// use saidwho::entities::{Resolver, RuleResolver};
/// use saidwho::{Label, Mention, MentionKind, Span};
/// let text = "Dmitry Medvedev spoke. Medvedev’s post said he would win.";
/// let m = |s: usize, e: usize| Mention {
///     span: Span::new(s, e), label: Label::Per, score: Some(1.0), kind: MentionKind::Name,
/// };
/// let ents = RuleResolver::default().resolve(text, &[], vec![m(0, 15), m(23, 34)]);
/// assert_eq!(ents.len(), 1);
/// assert_eq!(ents[0].name, "Dmitry Medvedev");
/// assert_eq!(ents[0].mentions.len(), 3); // + "he"
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleResolver {}

/// An entity being built.
#[derive(Debug)]
pub(crate) struct Cluster {
    pub label: Label,
    pub name: String,
    /// Lowercased name words of every name form seen.
    pub words: Vec<String>,
    pub org_key: Vec<String>,
    pub gender: Option<Gender>,
    pub mentions: Vec<Mention>,
}

impl RuleResolver {
    /// [`Resolver::resolve`], with the number of elementary steps it took:
    /// one per mention for each pass over them (checking, sorting, titles,
    /// clustering, sorting each entity's mentions), one per candidate
    /// cluster compared and per name word checked against a cluster, one
    /// per byte and token of the pronoun pass and per recent mention it
    /// examines.
    ///
    /// A measure of work that, unlike a timing, is the same on every
    /// machine and run (`tests/quotes_robust.rs` holds it to linear
    /// growth); a diagnostic, which may change whenever the rules do.
    ///
    /// ```
    /// use saidwho::entities::RuleResolver;
    /// use saidwho::{Label, Mention, MentionKind, Span};
    /// let text = "Dmitry Medvedev spoke. He left.";
    /// let m = Mention {
    ///     span: Span::new(0, 15), label: Label::Per, score: Some(1.0), kind: MentionKind::Name,
    /// };
    /// let (entities, steps) = RuleResolver::default().resolve_counted(text, &[], vec![m]);
    /// assert_eq!(entities[0].mentions.len(), 2); // + "He"
    /// assert!(steps > 0);
    /// ```
    pub fn resolve_counted(
        &self,
        text: &str,
        _sentences: &[Sentence],
        mentions: Vec<Mention>,
    ) -> (Vec<Entity>, u64) {
        let steps = Cell::new(0);
        let entities = self.resolve_with(text, mentions, &steps);
        (entities, steps.get())
    }

    /// The resolution (see the module docs), counting its steps in `steps`.
    fn resolve_with(
        &self,
        text: &str,
        mut mentions: Vec<Mention>,
        steps: &Cell<u64>,
    ) -> Vec<Entity> {
        tally(steps, 3 * mentions.len());
        mentions.retain(|m| text.get(m.span.start..m.span.end).is_some() && !m.span.is_empty());
        mentions.sort_by_key(|m| (m.span.start, m.span.end));
        let mut clusters: Vec<Cluster> = Vec::new();
        // lowercase name word → clusters containing it (for PER surnames).
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let titles_only: Vec<bool> = (0..mentions.len())
            .map(|i| title_alone(text, &mentions, i))
            .collect();
        for (m, title_alone) in mentions.into_iter().zip(titles_only) {
            tally(steps, 1);
            if title_alone {
                continue;
            }
            let ns = name_span(text, m.span, &m.label);
            let name = with_title_article(text, ns, &m.label);
            let ws: Vec<String> = words(&name).iter().map(|(_, w)| norm_word(w)).collect();
            let honor: Vec<&str> = words(m.span.text(text)).iter().map(|(_, w)| *w).collect();
            let gender = gender_of(&honor).or_else(|| gender_of(&[prev_word(text, m.span.start)]));
            let found = match m.label {
                Label::Per => find_person(&clusters, &by_word, &ws, gender, steps),
                _ => find_other(&clusters, &by_key, &m.label, &name, steps),
            };
            let id = match found {
                Some(id) => id,
                None => {
                    clusters.push(Cluster {
                        label: m.label.clone(),
                        name: String::new(),
                        words: Vec::new(),
                        org_key: Vec::new(),
                        gender: None,
                        mentions: Vec::new(),
                    });
                    clusters.len() - 1
                }
            };
            let c = &mut clusters[id];
            if name.chars().count() > c.name.chars().count() {
                c.name = name.clone();
                c.org_key = org_key(&name);
            }
            if c.gender.is_none() {
                c.gender = gender;
            }
            tally(steps, ws.len().saturating_mul(c.words.len()));
            for w in ws {
                if !c.words.contains(&w) {
                    by_word.entry(w.clone()).or_default().push(id);
                    c.words.push(w);
                }
            }
            by_key.insert(format!("{}|{}", m.label.as_str(), name.to_lowercase()), id);
            c.mentions.push(Mention {
                kind: MentionKind::Name,
                ..m
            });
        }
        refs::resolve_refs(text, &mut clusters, steps);
        clusters
            .into_iter()
            .enumerate()
            .map(|(id, mut c)| {
                tally(steps, 1 + c.mentions.len());
                c.mentions.sort_by_key(|m| (m.span.start, m.span.end));
                Entity {
                    id,
                    label: c.label,
                    name: c.name,
                    mentions: c.mentions,
                }
            })
            .collect()
    }
}

impl Resolver for RuleResolver {
    fn resolve(&self, text: &str, sentences: &[Sentence], mentions: Vec<Mention>) -> Vec<Entity> {
        self.resolve_counted(text, sentences, mentions).0
    }
}

fn prev_word(text: &str, at: usize) -> &str {
    let before = text.get(..at).unwrap_or("").trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &before[start..]
}

/// How many of the clusters that share a person's surname the person is
/// compared with, the most recent first: an article names a handful of
/// namesakes, and a list of thousands stays linear.
const MAX_NAMESAKE_SCAN: usize = 200;

/// The most recent person cluster whose name words are compatible with `ws`:
/// same surname, no clashing first name, and no clashing gender (`Mr.
/// Clinton` is not `Hillary Clinton`, `Mr. Trump` not `Ivana Trump`),
/// looking at the [`MAX_NAMESAKE_SCAN`] clusters that took the surname among
/// their words most recently.
fn find_person(
    clusters: &[Cluster],
    by_word: &HashMap<String, Vec<usize>>,
    ws: &[String],
    gender: Option<Gender>,
    steps: &Cell<u64>,
) -> Option<usize> {
    let last = ws.last()?;
    let cands = by_word.get(last)?;
    let recent = cands.iter().rev().take(MAX_NAMESAKE_SCAN);
    recent.copied().find(|&id| {
        let c = &clusters[id];
        tally(steps, ws.len().saturating_mul(c.words.len()));
        tally(steps, 1);
        c.label == Label::Per
            && (gender.is_none() || c.gender.is_none() || c.gender == gender)
            && (ws.len() == 1
                || c.words.len() == 1
                || ws.iter().all(|w| c.words.contains(w))
                || c.words.iter().all(|w| ws.contains(w)))
    })
}

/// How many recent clusters an alias is compared with.
const MAX_ALIAS_SCAN: usize = 200;

/// An organisation/place cluster for `name`: same form, an acronym of it, or
/// the same content words (one set inside the other, two words at least).
fn find_other(
    clusters: &[Cluster],
    by_key: &HashMap<String, usize>,
    label: &Label,
    name: &str,
    steps: &Cell<u64>,
) -> Option<usize> {
    if let Some(&id) = by_key.get(&format!("{}|{}", label.as_str(), name.to_lowercase())) {
        return Some(id);
    }
    if *label == Label::Per {
        return None;
    }
    let key = org_key(name);
    let acro = is_acronym(name).then(|| norm_word(name));
    // The most recent clusters only: keeps the pass linear on huge inputs.
    clusters
        .iter()
        .enumerate()
        .rev()
        .take(MAX_ALIAS_SCAN)
        .find_map(|(id, c)| {
            tally(steps, 1);
            if c.label != *label {
                return None;
            }
            if let Some(a) = &acro {
                if acronyms(&c.name).iter().any(|x| x == a) {
                    return Some(id);
                }
            }
            if is_acronym(&c.name) {
                let a = norm_word(&c.name);
                if acronyms(name).contains(&a) {
                    return Some(id);
                }
            }
            let (small, big) = if key.len() <= c.org_key.len() {
                (&key, &c.org_key)
            } else {
                (&c.org_key, &key)
            };
            (small.len() >= 2 && small.iter().all(|w| big.contains(w))).then_some(id)
        })
}

/// The span a mention's entity name covers inside it: the mention without a
/// possessive, leading articles and — for persons — leading titles.
///
/// ```
/// use saidwho::entities::name_part;
/// use saidwho::{Label, Mention, MentionKind, Span};
/// let t = "Russian Security Council Deputy Chairman Dmitry Medvedev’s post";
/// let m = Mention {
///     span: Span::new(0, 59), label: Label::Per, score: Some(1.0), kind: MentionKind::Name,
/// };
/// assert_eq!(name_part(t, &m).text(t), "Dmitry Medvedev");
/// ```
pub fn name_part(text: &str, mention: &Mention) -> Span {
    name_span(text, mention.span, &mention.label)
}

/// Whether mention `i` is a title tagged as a person of its own — `Sen.`
/// before `Bernie Sanders`, `Mr. President` — which is no name (the next
/// mention still gets its gender from the text). A single bare title word
/// that no name follows is kept: `King said` is Billie Jean King, `Prince`
/// a surname.
fn title_alone(text: &str, mentions: &[Mention], i: usize) -> bool {
    let m = &mentions[i];
    let t = m.span.text(text);
    if m.label != Label::Per || !is_only_titles(t) {
        return false;
    }
    let name_follows = mentions.get(i + 1).is_some_and(|n| {
        n.label == Label::Per
            && text
                .get(m.span.end..n.span.start)
                .is_some_and(|gap| gap.chars().all(char::is_whitespace))
    });
    name_follows || t.contains('.') || words(t).len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, needle: &str, nth: usize, label: Label) -> Mention {
        let start = text.match_indices(needle).nth(nth).unwrap().0;
        Mention {
            span: Span::new(start, start + needle.len()),
            label,
            score: Some(1.0),
            kind: MentionKind::Name,
        }
    }

    #[test]
    fn titles_and_surnames() {
        let t = "President Volodymyr Zelensky said. Later Zelensky’s aide left. Russian Security Council Deputy Chairman Dmitry Medvedev spoke; Medvedev laughed.";
        let ms = vec![
            m(t, "President Volodymyr Zelensky", 0, Label::Per),
            m(t, "Zelensky’s", 0, Label::Per),
            m(
                t,
                "Russian Security Council Deputy Chairman Dmitry Medvedev",
                0,
                Label::Per,
            ),
            m(t, "Medvedev", 1, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Volodymyr Zelensky", "Dmitry Medvedev"]);
        assert_eq!(
            e[0].mentions
                .iter()
                .filter(|m| m.kind == MentionKind::Name)
                .count(),
            2
        );
    }

    #[test]
    fn org_aliases() {
        let t = "Russia's Ministry of Defense stated. The Russian Defense Ministry said. MoD reports. The ministry confirmed.";
        let ms = vec![
            m(t, "Russia's Ministry of Defense", 0, Label::Org),
            m(t, "Russian Defense Ministry", 0, Label::Org),
            m(t, "MoD", 0, Label::Org),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].name, "Russia's Ministry of Defense");
        assert!(e[0]
            .mentions
            .iter()
            .any(|m| m.kind == MentionKind::Nominal && m.span.text(t) == "The ministry"));
    }

    #[test]
    fn distinct_first_names_stay_apart() {
        let t = "Bill Clinton met Hillary Clinton. She said Clinton won.";
        let ms = vec![
            m(t, "Bill Clinton", 0, Label::Per),
            m(t, "Hillary Clinton", 0, Label::Per),
            m(t, "Clinton", 2, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        assert_eq!(e.len(), 2);
        // "She" → Hillary (gender from the first name).
        assert!(e[1].mentions.iter().any(|m| m.span.text(t) == "She"));
    }

    #[test]
    fn honorific_gender_keeps_namesakes_apart() {
        let t = "Hillary Clinton spoke. Mr. Clinton's past is relevant, Mrs. Clinton said.";
        let ms = vec![
            m(t, "Hillary Clinton", 0, Label::Per),
            m(t, "Clinton", 1, Label::Per),
            m(t, "Clinton", 2, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        assert_eq!(e.len(), 2, "{e:?}");
        let hillary: Vec<&str> = e[0].mentions.iter().map(|m| m.span.text(t)).collect();
        assert_eq!(hillary, ["Hillary Clinton", "Clinton"]);
        assert_eq!(e[0].mentions[1].span.start, t.rfind("Clinton").unwrap());
        assert_eq!(e[1].name, "Clinton");
    }

    #[test]
    fn a_name_modifying_the_subject_is_not_a_speaker() {
        // "Trump aides said": the aides spoke, so "he" goes back to the
        // speaker before them.
        let t = "Chris Collins said the race was close. Trump aides said nothing. \
                 Victory is vital, he said.";
        let ms = vec![
            m(t, "Chris Collins", 0, Label::Per),
            m(t, "Trump", 0, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let he = e
            .iter()
            .find(|e| e.mentions.iter().any(|m| m.span.text(t) == "he"))
            .unwrap();
        assert_eq!(he.name, "Chris Collins");
    }

    #[test]
    fn relative_pronouns_join_their_antecedent() {
        let t = "Jeb Bush, who quit, spoke. The Pentagon, which denied it, left. \
                 Ted Cruz (R-Texas), who won, smiled. Bush which";
        let ms = vec![
            m(t, "Jeb Bush", 0, Label::Per),
            m(t, "Pentagon", 0, Label::Org),
            m(t, "Ted Cruz", 0, Label::Per),
            m(t, "Bush", 1, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let texts =
            |i: usize| -> Vec<&str> { e[i].mentions.iter().map(|m| m.span.text(t)).collect() };
        assert_eq!(texts(0), ["Jeb Bush", "who", "Bush"]); // no `which` for a person
        assert_eq!(texts(1), ["Pentagon", "which"]);
        assert_eq!(texts(2), ["Ted Cruz", "who"]);
    }

    #[test]
    fn a_title_alone_is_no_person() {
        let t = "Sen. Bernie Sanders (I-Vt.) repeated his tradition.";
        let ms = vec![
            m(t, "Sen.", 0, Label::Per),
            m(t, "Bernie Sanders", 0, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].name, "Bernie Sanders");
        assert!(names::is_only_titles("Mr. President") && !names::is_only_titles("Mr. Smith"));
        // A bare title word that no name follows may be a surname.
        let t = "\"I told Monica,\" King said. President Obama agreed. Mr. President left.";
        let ms = vec![
            m(t, "Monica", 0, Label::Per),
            m(t, "King", 0, Label::Per),
            m(t, "President", 0, Label::Per),
            m(t, "Obama", 0, Label::Per),
            m(t, "Mr. President", 0, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Monica", "King", "Obama"]);
    }

    #[test]
    fn a_publication_keeps_its_article() {
        let t = "The New York Times reported it. The Pentagon said so, as the Times wrote.";
        let ms = vec![
            m(t, "New York Times", 0, Label::Org),
            m(t, "Pentagon", 0, Label::Org),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["The New York Times", "Pentagon"]);
        // The mention itself keeps the model's span.
        assert_eq!(e[0].mentions[0].span.text(t), "New York Times");
    }

    #[test]
    fn pronoun_prefers_the_latest_speaker() {
        let t = "Dmitry Medvedev wrote a post. It praised Vladimir Putin. He continued the attack.";
        let ms = vec![
            m(t, "Dmitry Medvedev", 0, Label::Per),
            m(t, "Vladimir Putin", 0, Label::Per),
        ];
        let e = RuleResolver::default().resolve(t, &[], ms);
        let he = e
            .iter()
            .find(|e| e.mentions.iter().any(|m| m.span.text(t) == "He"))
            .unwrap();
        assert_eq!(he.name, "Dmitry Medvedev");
        // The model's names keep their score; the rules' pronoun has none.
        for m in &he.mentions {
            match m.kind {
                MentionKind::Name => assert_eq!(m.score, Some(1.0), "{m:?}"),
                _ => assert_eq!(m.score, None, "{m:?}"),
            }
        }
        assert!(he.mentions.iter().any(|m| m.kind == MentionKind::Pronoun));
    }

    #[test]
    fn empty_and_garbage() {
        assert!(RuleResolver::default().resolve("", &[], vec![]).is_empty());
        let bad = Mention {
            span: Span::new(5, 99),
            label: Label::Per,
            score: Some(1.0),
            kind: MentionKind::Name,
        };
        assert!(RuleResolver::default()
            .resolve("abc", &[], vec![bad])
            .is_empty());
    }
}
