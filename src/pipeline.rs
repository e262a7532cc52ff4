//! The pipeline: the stages wired together, built once, shared by threads.

use crate::document::Mention;
use crate::document::{Document, Sentence};
use crate::entities::{Resolver, RuleResolver};
use crate::error::{Error, Result};
use crate::ner::{Encoding, Recognizer, TextAndSentences};
use crate::quotes::{Proposal, QuoteExtractor, RuleQuoteExtractor, SpanModel};
use crate::text::{RuleSplitter, SentenceSplitter};
use std::ops::AddAssign;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Settings of a [`Pipeline`]; the defaults suit news articles.
///
/// ```
/// use saidwho::{Pipeline, PipelineConfig};
/// let pipeline = Pipeline::with_config(PipelineConfig::default().with_max_text_bytes(1 << 20));
/// assert!(pipeline.analyze(&"x".repeat(2 << 20)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Longest text [`Pipeline::analyze`] accepts, in bytes; longer texts get
    /// [`Error::TextTooLarge`] instead of unbounded work. Default: 64 MiB.
    pub max_text_bytes: usize,
}

impl PipelineConfig {
    /// Sets [`max_text_bytes`](PipelineConfig::max_text_bytes).
    pub fn with_max_text_bytes(mut self, bytes: usize) -> Self {
        self.max_text_bytes = bytes;
        self
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_text_bytes: 64 << 20,
        }
    }
}

/// Wall-clock time spent in each stage of one [`Pipeline::analyze_timed`]
/// call (or, summed with `+=`, of many).
///
/// ```
/// use saidwho::StageTimings;
/// use std::time::Duration;
/// let mut sum = StageTimings::default();
/// sum += StageTimings { ner: Duration::from_millis(3), ..StageTimings::default() };
/// assert_eq!(sum.total(), Duration::from_millis(3));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StageTimings {
    /// Sentence splitting.
    pub sentences: Duration,
    /// Named-entity recognition (zero without a recogniser).
    pub ner: Duration,
    /// Mention clustering into entities.
    pub entities: Duration,
    /// Quote detection and attribution.
    pub quotes: Duration,
}

impl StageTimings {
    /// The sum of all stages.
    pub fn total(&self) -> Duration {
        self.sentences + self.ner + self.entities + self.quotes
    }
}

impl AddAssign for StageTimings {
    fn add_assign(&mut self, other: StageTimings) {
        self.sentences += other.sentences;
        self.ner += other.ner;
        self.entities += other.entities;
        self.quotes += other.quotes;
    }
}

/// Text in, [`Document`] out.
///
/// Built once (loading a model is the expensive part) and then shared:
/// `Pipeline` is `Send + Sync`, and [`analyze`](Pipeline::analyze) takes
/// `&self`.
///
/// ```
/// use saidwho::Pipeline;
/// let doc = Pipeline::new().analyze("It rained. Then it stopped.").unwrap();
/// assert_eq!(doc.sentences.len(), 2);
/// ```
#[derive(Clone)]
pub struct Pipeline {
    config: PipelineConfig,
    splitter: Arc<dyn SentenceSplitter>,
    recognizer: Option<Arc<dyn Recognizer>>,
    resolver: Option<Arc<dyn Resolver>>,
    quotes: Option<Arc<dyn QuoteExtractor>>,
    spans: Option<Arc<SpanModel>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("config", &self.config)
            .field("recognizer", &self.recognizer.is_some())
            .field("resolver", &self.resolver.is_some())
            .field("quotes", &self.quotes.is_some())
            .field("spans", &self.spans.as_ref().map(|s| s.encoder()))
            .finish()
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline::new()
    }
}

impl Pipeline {
    /// A pipeline with the default stages: the embedded NER model
    /// ([`EMBEDDED_MODEL`](crate::ner::EMBEDDED_MODEL), loaded on the first
    /// text and shared by every pipeline of the process), the rule resolver,
    /// and the rule quote extractor with the embedded attribution span
    /// model ([`SpanModel`], which reads the NER model's states). Without
    /// the cargo feature `embedded-model` it has neither model, as
    /// [`without_ner`](Pipeline::without_ner).
    pub fn new() -> Self {
        Pipeline::with_config(PipelineConfig::default())
    }

    /// [`new`](Pipeline::new) with `config`.
    pub fn with_config(config: PipelineConfig) -> Self {
        let pipeline = Pipeline::without_ner().with_settings(config);
        if crate::ner::is_embedded() {
            pipeline.with_recognizer(crate::ner::embedded::Lazy)
        } else {
            pipeline
        }
    }

    /// A pipeline with the default stages and no NER model: sentences and
    /// quotes from the text alone (the rules: the span model needs the NER
    /// model's states), speakers without entities. Nothing to load; add a
    /// model with [`with_recognizer`](Pipeline::with_recognizer).
    pub fn without_ner() -> Self {
        Pipeline {
            config: PipelineConfig::default(),
            splitter: Arc::new(RuleSplitter::default()),
            recognizer: None,
            resolver: Some(Arc::new(RuleResolver::default())),
            quotes: Some(Arc::new(RuleQuoteExtractor::default())),
            spans: embedded_span_model(),
        }
    }

    /// Sets the attribution span model. It runs when the recogniser gives
    /// states of the encoder it was trained on ([`SpanModel::encoder`]: the
    /// embedded span model reads the embedded NER model's), on texts of at
    /// most [`SPAN_MODEL_MAX_TEXT_BYTES`]; with any other recogniser, and
    /// on longer texts, quotes come from the rules alone.
    pub fn with_span_model(mut self, model: SpanModel) -> Self {
        self.spans = Some(Arc::new(model));
        self
    }

    /// Drops the attribution span model: quotes from the rules alone.
    pub fn with_no_span_model(mut self) -> Self {
        self.spans = None;
        self
    }

    /// Replaces the settings.
    pub fn with_settings(mut self, config: PipelineConfig) -> Self {
        self.config = config;
        self
    }

    /// Drops the NER model: no entities, speakers from the text alone.
    pub fn with_no_recognizer(mut self) -> Self {
        self.recognizer = None;
        self
    }

    /// A pipeline with the default stages and the NER model `name_or_dir`:
    /// a model directory, or a name from the model registry searched in
    /// `SAIDWHO_MODELS` (see [`crate::ner::Registry`]). Loads with
    /// [`NerOptions::default`](crate::ner::NerOptions); for other settings
    /// build a [`TransformerRecognizer`](crate::ner::TransformerRecognizer)
    /// and pass it to [`with_recognizer`](Pipeline::with_recognizer).
    pub fn from_model(name_or_dir: &str) -> Result<Self> {
        let ner = crate::ner::TransformerRecognizer::from_model(
            name_or_dir,
            &crate::ner::NerOptions::default(),
        )?;
        Ok(Pipeline::without_ner().with_recognizer(ner))
    }

    /// Replaces the sentence splitter.
    pub fn with_splitter(mut self, splitter: impl SentenceSplitter + 'static) -> Self {
        self.splitter = Arc::new(splitter);
        self
    }

    /// Sets the named-entity recogniser.
    pub fn with_recognizer(mut self, recognizer: impl Recognizer + 'static) -> Self {
        self.recognizer = Some(Arc::new(recognizer));
        self
    }

    /// Sets the entity resolver.
    pub fn with_resolver(mut self, resolver: impl Resolver + 'static) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// Sets the quote extractor.
    pub fn with_quote_extractor(mut self, quotes: impl QuoteExtractor + 'static) -> Self {
        self.quotes = Some(Arc::new(quotes));
        self
    }

    /// The pipeline's settings.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Sentence spans of `text` (the first stage alone).
    pub fn sentences(&self, text: &str) -> Result<Vec<Sentence>> {
        self.check_size(text)?;
        Ok(self
            .splitter
            .split(text)
            .into_iter()
            .map(|span| Sentence { span })
            .collect())
    }

    /// A [`Document`] with sentences only (no NER, entities or quotes).
    pub fn segment(&self, text: &str) -> Result<Document> {
        Ok(Document {
            text: text.to_string(),
            sentences: self.sentences(text)?,
            entities: Vec::new(),
            quotes: Vec::new(),
        })
    }

    /// Runs every stage on `text`.
    pub fn analyze(&self, text: &str) -> Result<Document> {
        self.analyze_timed(text).map(|(doc, _)| doc)
    }

    /// Like [`analyze`](Pipeline::analyze), and also says how long each stage
    /// took — what the corpus benchmark reports per stage.
    ///
    /// ```
    /// use saidwho::Pipeline;
    /// let (doc, times) = Pipeline::new().analyze_timed("“Yes,” she said.").unwrap();
    /// assert_eq!(doc.quotes.len(), 1);
    /// assert!(times.total() >= times.quotes);
    /// ```
    pub fn analyze_timed(&self, text: &str) -> Result<(Document, StageTimings)> {
        let (mut docs, times) = self.analyze_batch_timed(&[text]);
        // One text in, one result out (`analyze_batch_timed` keeps the count).
        let doc = docs
            .pop()
            .unwrap_or_else(|| Err(Error::Backend("no result for the text".into())))?;
        Ok((doc, times))
    }

    /// Runs every stage on each of `texts`: one result per text, in order,
    /// each what [`analyze`](Pipeline::analyze) gives for that text alone.
    ///
    /// Faster than one call per text when there is a NER model: the model
    /// labels the sentences of all texts together, in batches of sentences
    /// of about one length, so short texts (headlines, tweets, single
    /// sentences) share forward passes instead of each paying for its own.
    /// Memory grows with the texts passed: stream a large corpus through in
    /// chunks (a few hundred short texts, or a few dozen articles, at a
    /// time), as `saidwho extract` does. A text that fails (too large, say)
    /// gets its own error; the others still run.
    ///
    /// ```
    /// use saidwho::Pipeline;
    /// let docs = Pipeline::new().analyze_batch(&["“Yes,” she said.", "", "It rained."]);
    /// assert_eq!(docs.len(), 3);
    /// assert_eq!(docs[0].as_ref().unwrap().quotes.len(), 1);
    /// assert_eq!(docs[2].as_ref().unwrap().sentences.len(), 1);
    /// ```
    pub fn analyze_batch(&self, texts: &[&str]) -> Vec<Result<Document>> {
        self.analyze_batch_timed(texts).0
    }

    /// Like [`analyze_batch`](Pipeline::analyze_batch), and also says how long
    /// each stage took over the whole batch.
    pub fn analyze_batch_timed(&self, texts: &[&str]) -> (Vec<Result<Document>>, StageTimings) {
        let mut times = StageTimings::default();
        let clock = Instant::now();
        let sentences: Vec<Result<Vec<Sentence>>> =
            texts.iter().map(|text| self.sentences(text)).collect();
        times.sentences = clock.elapsed();
        let clock = Instant::now();
        let mut span_time = Duration::ZERO;
        let mentions = self.mentions(texts, &sentences, &mut span_time);
        // The span model runs right after each group's forward pass (so
        // that the states it reads are freed at once): its time is the
        // quote stage's.
        times.ner = clock.elapsed().saturating_sub(span_time);
        times.quotes += span_time;
        let mut docs = Vec::with_capacity(texts.len());
        for ((text, sentences), mentions) in texts.iter().zip(sentences).zip(mentions) {
            let (sentences, (mentions, proposals)) = match (sentences, mentions) {
                (Ok(s), Ok(m)) => (s, m),
                (Err(e), _) | (_, Err(e)) => {
                    docs.push(Err(e));
                    continue;
                }
            };
            let clock = Instant::now();
            let entities = match &self.resolver {
                Some(r) => r.resolve(text, &sentences, mentions),
                None => Vec::new(),
            };
            times.entities += clock.elapsed();
            let clock = Instant::now();
            let quotes = match &self.quotes {
                Some(q) => q.extract_proposed(text, &sentences, &entities, &proposals),
                None => Vec::new(),
            };
            times.quotes += clock.elapsed();
            docs.push(Ok(Document {
                text: text.to_string(),
                sentences,
                entities,
                quotes,
            }));
        }
        (docs, times)
    }

    /// The well-formed name mentions of each text whose sentences were
    /// found, with the span model's proposals when there is one (empty
    /// otherwise), adding the span model's time to `span_time`: one batch
    /// through the recogniser, or — when the batch fails — text by text, so
    /// that an error belongs to the text that caused it.
    fn mentions(
        &self,
        texts: &[&str],
        sentences: &[Result<Vec<Sentence>>],
        span_time: &mut Duration,
    ) -> Vec<Result<(Vec<Mention>, Vec<Proposal>)>> {
        let Some(r) = &self.recognizer else {
            return texts.iter().map(|_| Ok((Vec::new(), Vec::new()))).collect();
        };
        // The texts whose sentences were found, with their indices.
        let found: Vec<(usize, TextAndSentences<'_>)> = texts
            .iter()
            .zip(sentences)
            .enumerate()
            .filter_map(|(i, (text, s))| Some((i, (*text, s.as_ref().ok()?.as_slice()))))
            .collect();
        let mut out: Vec<Result<(Vec<Mention>, Vec<Proposal>)>> =
            texts.iter().map(|_| Ok((Vec::new(), Vec::new()))).collect();
        let Some(model) = &self.spans else {
            self.recognize_group(r.as_ref(), &found, None, &mut out, span_time);
            return out;
        };
        // Encodings hold a few KiB per token: they are made for texts of at
        // most SPAN_MODEL_MAX_TEXT_BYTES, in groups of about
        // ENCODED_GROUP_BYTES (windows of the texts of a group still share
        // forward passes), so that their memory stays small whatever the
        // batch.
        let (small, large): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|(_, (text, _))| text.len() <= SPAN_MODEL_MAX_TEXT_BYTES);
        self.recognize_group(r.as_ref(), &large, None, &mut out, span_time);
        let mut group = Vec::new();
        let mut bytes = 0;
        for item in small {
            if !group.is_empty() && bytes + item.1 .0.len() > ENCODED_GROUP_BYTES {
                self.recognize_group(r.as_ref(), &group, Some(model), &mut out, span_time);
                group.clear();
                bytes = 0;
            }
            bytes += item.1 .0.len();
            group.push(item);
        }
        self.recognize_group(r.as_ref(), &group, Some(model), &mut out, span_time);
        out
    }

    /// Runs the recogniser over `group` (text index, input) and, with a
    /// span `model`, the model over each text's encoding (then freed),
    /// writing each result into `out`: one batch, or text by text when the
    /// batch fails.
    fn recognize_group(
        &self,
        r: &dyn Recognizer,
        group: &[(usize, TextAndSentences<'_>)],
        model: Option<&SpanModel>,
        out: &mut [Result<(Vec<Mention>, Vec<Proposal>)>],
        span_time: &mut Duration,
    ) {
        let encoded = model.is_some();
        if group.is_empty() {
            return;
        }
        let inputs: Vec<TextAndSentences<'_>> = group.iter().map(|&(_, x)| x).collect();
        let batch = if encoded {
            r.recognize_batch_encoded(&inputs)
        } else {
            r.recognize_batch(&inputs)
                .map(|found| found.into_iter().map(|m| (m, None)).collect())
        };
        match batch {
            Ok(found) if found.len() == inputs.len() => {
                for (&(i, (text, sentences)), (m, e)) in group.iter().zip(found) {
                    out[i] = propose(model, text, sentences, e, span_time)
                        .map(|p| (crate::ner::well_formed(text, m), p));
                }
            }
            _ => {
                for &(i, one) in group {
                    let text = one.0;
                    out[i] = if encoded {
                        r.recognize_batch_encoded(&[one]).and_then(|mut v| {
                            v.pop().ok_or_else(|| {
                                Error::Backend("the recogniser gave no result for a text".into())
                            })
                        })
                    } else {
                        r.recognize(text, one.1).map(|m| (m, None))
                    }
                    .and_then(|(m, e)| {
                        propose(model, text, one.1, e, span_time)
                            .map(|p| (crate::ner::well_formed(text, m), p))
                    });
                }
            }
        }
    }

    fn check_size(&self, text: &str) -> Result<()> {
        if text.len() > self.config.max_text_bytes {
            return Err(Error::TextTooLarge {
                len: text.len(),
                max: self.config.max_text_bytes,
            });
        }
        Ok(())
    }
}

/// The span model's proposals for `text` from its `encoding` (none without
/// a model, an encoding, or one of the model's encoder), timed.
fn propose(
    model: Option<&SpanModel>,
    text: &str,
    sentences: &[Sentence],
    encoding: Option<Encoding>,
    span_time: &mut Duration,
) -> Result<Vec<Proposal>> {
    match (model, encoding) {
        (Some(model), Some(enc)) if model.reads(&enc) => {
            let clock = Instant::now();
            let proposals = model.propose(text, sentences, &enc);
            *span_time += clock.elapsed();
            proposals
        }
        _ => Ok(Vec::new()),
    }
}

/// Longest text (bytes) the attribution span model runs on: an encoding
/// keeps the encoder's state of every token (3 KiB each for the embedded
/// model), so 256 KiB of text hold about 200 MB. Longer texts — a book chapter, not an article —
/// get their quotes from the rules alone.
pub const SPAN_MODEL_MAX_TEXT_BYTES: usize = 256 << 10;

/// The most text (bytes) whose encodings are made at once, unless one text
/// is longer: 8 KiB is some 2,000 tokens, about 6 MB of states, and still
/// two full forward passes to share between short texts. (Not
/// `corpus::batches`: it closes a batch after the text that crosses its
/// budget, which held twice the states on PolNeAR articles.)
const ENCODED_GROUP_BYTES: usize = 8 << 10;

/// The embedded span model, loaded once per process and shared; `None`
/// without the cargo feature `embedded-model`.
fn embedded_span_model() -> Option<Arc<SpanModel>> {
    static MODEL: std::sync::OnceLock<Option<Arc<SpanModel>>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            if crate::ner::is_embedded() {
                // The files compiled in load (tests/embedded.rs); a failure
                // would leave the rules alone, as without the feature.
                SpanModel::embedded().ok().map(Arc::new)
            } else {
                None
            }
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_is_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pipeline>();
    }

    /// A user's recogniser that breaks the contract (spans reversed, past
    /// the end, inside a multi-byte char, overlapping, NaN scores) cannot
    /// break the document.
    #[test]
    fn malformed_mentions_from_a_recognizer_are_dropped() {
        use crate::document::{Label, Mention, MentionKind, Span};
        struct Broken;
        impl Recognizer for Broken {
            fn recognize(&self, _: &str, _: &[Sentence]) -> Result<Vec<Mention>> {
                let m = |start, end| Mention {
                    span: Span { start, end },
                    label: Label::Per,
                    score: Some(f32::NAN),
                    kind: MentionKind::Name,
                };
                Ok(vec![
                    m(30, 34),
                    m(0, 4),
                    m(9, 3),
                    m(2, 99),
                    m(16, 18),
                    m(1, 3),
                    m(5, 5),
                ])
            }
        }
        let text = "Anna said: “Zoë ran.” Then she left.";
        let doc = Pipeline::new()
            .with_recognizer(Broken)
            .analyze(text)
            .unwrap();
        doc.validate().unwrap();
        let names: Vec<&str> = doc
            .entities
            .iter()
            .flat_map(|e| e.mentions.iter().map(|m| doc.slice(m.span)))
            .collect();
        assert!(names.contains(&"Anna"), "{names:?}");
        assert!(doc
            .entities
            .iter()
            .flat_map(|e| &e.mentions)
            .all(|m| m.score.is_none_or(f32::is_finite)));
    }

    /// A batch gives each text what `analyze` gives it alone; a text that
    /// fails (too large, or refused by the recogniser) fails alone.
    #[test]
    fn a_batch_gives_each_text_its_own_result() {
        use crate::document::{Label, Mention, MentionKind, Span};
        struct Picky;
        impl Recognizer for Picky {
            fn recognize(&self, text: &str, _: &[Sentence]) -> Result<Vec<Mention>> {
                if text.contains("FAIL") {
                    return Err(Error::Backend("refused".into()));
                }
                Ok(text
                    .find("Anna")
                    .map(|i| Mention {
                        span: Span::new(i, i + 4),
                        label: Label::Per,
                        score: Some(0.9),
                        kind: MentionKind::Name,
                    })
                    .into_iter()
                    .collect())
            }
        }
        let pipeline =
            Pipeline::with_config(PipelineConfig { max_text_bytes: 64 }).with_recognizer(Picky);
        let long = "x".repeat(100);
        let texts = [
            "“Yes,” Anna said.",
            "FAIL here.",
            "",
            long.as_str(),
            "Anna left. “No,” she said.",
        ];
        let batch = pipeline.analyze_batch(&texts);
        assert_eq!(batch.len(), texts.len());
        for (text, got) in texts.iter().zip(&batch) {
            match (pipeline.analyze(text), got) {
                (Ok(alone), Ok(together)) => assert_eq!(&alone, together),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{text:?}: alone {a:?}, in a batch {b:?}"),
            }
        }
        assert!(matches!(batch[1], Err(Error::Backend(_))));
        assert!(matches!(batch[3], Err(Error::TextTooLarge { .. })));
        assert_eq!(batch[4].as_ref().unwrap().quotes.len(), 1);
        assert!(pipeline.analyze_batch(&[]).is_empty());
    }

    #[test]
    fn empty_text_gives_empty_document() {
        let doc = Pipeline::new().analyze("").unwrap();
        assert!(doc.sentences.is_empty() && doc.entities.is_empty() && doc.quotes.is_empty());
    }
}
