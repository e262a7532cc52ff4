//! The transformer recogniser: tokenizer → windows → backend → words →
//! mentions.
//!
//! * **Windows.** Each sentence is tokenized on its own (so offsets are
//!   relative to the sentence and only shifted by its start) and is a model
//!   window of its own — the context a model trained on sentences saw
//!   ([`NerOptions::pack_sentences`] packs several into one window instead).
//!   A sentence longer than [`NerOptions::window_tokens`] is cut into
//!   overlapping segments; each token keeps the prediction of the segment
//!   where it lies farthest from a cut. The windows of every text of a
//!   [`recognize_batch`](Recognizer::recognize_batch) call are sorted by
//!   length and batched together, so short texts share forward passes,
//!   padding is minimal and time is linear in text length.
//! * **Words.** Labels are assigned to whole words (the tokenizer's
//!   pre-tokenizer words, which split punctuation: `Zelensky’s` is three
//!   words), from their sub-word scores as [`Aggregation`] says, like
//!   `aggregation_strategy` in Hugging Face's pipeline. Mentions therefore
//!   always start and end at word boundaries. One exception to the
//!   tokenizer's words: the period of an abbreviation joins its word
//!   (`Mr.`, `J.`, `U.S.`), as in the CoNLL-2003 data such models learn
//!   from — the model never learnt a label for a lone `.` after `Mr`, and
//!   guesses `I-PER` for it (`Mr. Trump` would come out as `. Trump`).
//! * **Scores.** A mention's score is the mean, over its words, of the
//!   probability of each word's chosen label.

use super::backend::{Backend, Logits, Precision, RustBertOptions};
use super::candle::CandleBackend;
use super::config::ModelConfig;
use super::decode::{decode_words, without_overlaps, LabelledWord};
use super::labels::{LabelMap, LabelScheme};
use super::registry::{search_path_from_env, sha256_hex, BackendKind, Registry, ResolvedModel};
use super::{Recognizer, TextAndSentences};
use crate::document::{Mention, Sentence, Span};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// How a word's label is chosen from its sub-words' scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aggregation {
    /// The label of the first sub-word (how the reference model was trained
    /// and evaluated).
    #[default]
    First,
    /// The best label of the sub-words' mean probabilities.
    Average,
    /// The label of the single most confident sub-word.
    Max,
}

impl std::str::FromStr for Aggregation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "first" => Ok(Aggregation::First),
            "average" | "mean" => Ok(Aggregation::Average),
            "max" => Ok(Aggregation::Max),
            other => Err(Error::Backend(format!(
                "unknown aggregation `{other}`; expected first, average or max"
            ))),
        }
    }
}

/// Settings of a [`TransformerRecognizer`].
#[derive(Debug, Clone, PartialEq)]
pub struct NerOptions {
    /// Longest window fed to the model, special tokens included; capped at
    /// the model's maximum (512 for BERT). Default 256. A sentence longer
    /// than a window is cut into overlapping segments of this length (see
    /// [`stride`](NerOptions::stride)); with
    /// [`pack_sentences`](NerOptions::pack_sentences) it is also the size
    /// sentences are packed into.
    pub window_tokens: usize,
    /// Tokens shared by consecutive segments of a sentence longer than a
    /// window (capped at half a window). Default 64.
    pub stride: usize,
    /// Most tokens (padding included) per forward pass. Default 1024: on
    /// the 2-core AVX2 machine it ran as fast as 2048 and 4096 with 70 MB
    /// less peak memory (`examples/corpus_bench.rs --batch-tokens`).
    pub batch_tokens: usize,
    /// Pack several sentences into one window. Default **false**: each
    /// sentence is a window of its own, the context models trained on
    /// single sentences (CoNLL) learnt from. Packing cost the CoNLL model
    /// several points of F1 on whole documents (`docs/ner-accuracy.md`) and
    /// gains no speed once windows of many texts share forward passes
    /// ([`Recognizer::recognize_batch`]).
    pub pack_sentences: bool,
    /// Word-level aggregation of sub-word scores. Default [`Aggregation::First`].
    pub aggregation: Aggregation,
    /// Label scheme; `None` takes the registry's or detects it from the labels.
    pub scheme: Option<LabelScheme>,
    /// Verify the sha256 of registered files on load. Default true.
    pub verify_checksums: bool,
    /// A user registry file merged over the built-in one.
    pub registry: Option<PathBuf>,
    /// Model search path; `None` reads `SAIDWHO_MODELS`.
    pub search_path: Option<Vec<PathBuf>>,
    /// The backend that runs the model; `None` takes the registry entry's
    /// (`backend = …` in `models.toml`), candle for a plain directory.
    /// [`BackendKind::RustBert`] needs the cargo feature `rust-bert`.
    pub backend: Option<BackendKind>,
    /// Settings of the rust-bert backend (threads, replicas).
    pub rust_bert: RustBertOptions,
    /// Arithmetic of the linear layers. Default [`Precision::F32`];
    /// [`Precision::Int8`] is faster, slightly less accurate, and needs the
    /// candle backend.
    pub precision: Precision,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            window_tokens: 256,
            stride: 64,
            batch_tokens: 1024,
            pack_sentences: false,
            aggregation: Aggregation::First,
            scheme: None,
            verify_checksums: true,
            registry: None,
            search_path: None,
            backend: None,
            rust_bert: RustBertOptions::default(),
            precision: Precision::F32,
        }
    }
}

/// The label a model gives one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordPrediction {
    /// Class id (index into [`LabelMap::names`]).
    pub class: usize,
    /// Probability of that class, `0.0..=1.0`.
    pub score: f32,
}

/// Token ids, byte offsets and logits of one text encoded as one sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLogits {
    /// Token ids, special tokens included.
    pub ids: Vec<u32>,
    /// Byte range of each token in the text (`(0, 0)` for special tokens).
    pub offsets: Vec<(usize, usize)>,
    /// One row of logits per token.
    pub logits: Logits,
}

/// A named-entity recogniser running a transformer token classifier.
///
/// Built once, then shared: it is `Send + Sync` and
/// [`recognize`](Recognizer::recognize) takes `&self`.
pub struct TransformerRecognizer {
    tokenizer: Tokenizer,
    backend: Box<dyn Backend>,
    labels: LabelMap,
    options: NerOptions,
    prefix: Vec<u32>,
    suffix: Vec<u32>,
    /// Content tokens per window.
    cap: usize,
    outside: usize,
}

impl std::fmt::Debug for TransformerRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerRecognizer")
            .field("labels", &self.labels)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// One tokenized sequence: a sentence (or pre-split word list).
struct Seq {
    ids: Vec<u32>,
    words: Vec<Option<u32>>,
    offsets: Vec<(usize, usize)>,
}

/// Tokens `start..end` of sequence `seq`.
#[derive(Clone, Copy)]
struct Segment {
    seq: usize,
    start: usize,
    end: usize,
}

/// A word: its tokens `first..=last` and its label.
struct Word {
    id: u32,
    first: usize,
    last: usize,
    pred: WordPrediction,
}

impl TransformerRecognizer {
    /// Names the behaviour of this recogniser's code: it changes whenever the
    /// same model and options would give different mentions (so caches such
    /// as [`CachedRecognizer`](super::CachedRecognizer) keys can include it).
    pub const REVISION: &'static str = "3-sentence-windows-compound-words";

    /// Loads a model by name (looked up in the registry and the search path)
    /// or from a directory; see [`Registry::resolve`](super::Registry::resolve).
    pub fn from_model(name_or_dir: &str, options: &NerOptions) -> Result<Self> {
        let mut registry = Registry::builtin()?;
        if let Some(path) = &options.registry {
            registry.merge(Registry::load(path)?);
        }
        let search = options
            .search_path
            .clone()
            .unwrap_or_else(search_path_from_env);
        let resolved = registry.resolve(name_or_dir, &search)?;
        Self::from_resolved(&resolved, options)
    }

    /// Loads the model in directory `dir` (`config.json`, `tokenizer.json`,
    /// `model.safetensors`), without checksums.
    pub fn from_dir(dir: impl AsRef<Path>, options: &NerOptions) -> Result<Self> {
        Self::from_resolved(
            &ResolvedModel {
                dir: dir.as_ref().to_path_buf(),
                entry: None,
            },
            options,
        )
    }

    /// Loads a resolved model, verifying its registered checksums unless
    /// [`NerOptions::verify_checksums`] is off.
    pub fn from_resolved(model: &ResolvedModel, options: &NerOptions) -> Result<Self> {
        let entry = model.entry.as_ref();
        let kind = options
            .backend
            .or(entry.map(|e| e.backend))
            .unwrap_or(BackendKind::Candle);
        if kind == BackendKind::RustBert && !cfg!(feature = "rust-bert") {
            return Err(Error::Backend(format!(
                "{} needs the rust-bert backend, which this build of saidwho lacks; rebuild \
                 with `--features rust-bert` (libtorch 2.4.0, see docs/rust-bert.md) or use \
                 the candle backend",
                entry.map_or_else(
                    || "the model".to_string(),
                    |e| format!("model `{}`", e.name)
                )
            )));
        }
        let read = |file: &str, what: &str| -> Result<(PathBuf, Vec<u8>)> {
            let path = model.dir.join(file);
            let bytes = std::fs::read(&path).map_err(|e| Error::ModelFile {
                path: path.clone(),
                reason: format!("cannot read it ({e}); expected {what}"),
            })?;
            if let Some(sum) = entry
                .filter(|_| options.verify_checksums)
                .and_then(|e| e.files.get(file))
            {
                let got = sha256_hex(&bytes);
                if &got != sum {
                    return Err(Error::ModelFile {
                        path,
                        reason: format!(
                            "sha256 is {got} but the registry expects {sum}; the file is \
                             corrupt or another version: fetch it again, or turn off checksum \
                             verification"
                        ),
                    });
                }
            }
            Ok((path, bytes))
        };
        if let Some(e) = entry {
            for file in e.files.keys() {
                if !model.dir.join(file).is_file() {
                    return Err(Error::ModelFile {
                        path: model.dir.join(file),
                        reason: format!("missing; model `{}` lists it in the registry", e.name),
                    });
                }
            }
        }
        let (cpath, cbytes) = read("config.json", "the model's Hugging Face config.json")?;
        let config = ModelConfig::parse(&String::from_utf8_lossy(&cbytes), &cpath)?;
        if let Some(expected) = entry.and_then(|e| e.labels.as_ref()) {
            if *expected != config.labels {
                return Err(Error::LabelMap(format!(
                    "{} has id2label {:?} but the registry expects {:?}",
                    cpath.display(),
                    config.labels,
                    expected
                )));
            }
        }
        let scheme = match options.scheme {
            Some(s) => Some(s),
            None => entry.map(|e| e.label_scheme()).transpose()?.flatten(),
        };
        let labels = LabelMap::new(&config.labels, scheme)?;
        let (tpath, tbytes) = read("tokenizer.json", "a Hugging Face tokenizers file")?;
        let tokenizer = Tokenizer::from_bytes(&tbytes).map_err(|e| Error::ModelFile {
            path: tpath.clone(),
            reason: format!("not a valid tokenizer ({e}); expected a tokenizers tokenizer.json"),
        })?;
        let tvocab = tokenizer.get_vocab_size(true);
        if tvocab > config.vocab_size {
            return Err(Error::ModelFile {
                path: tpath,
                reason: format!(
                    "{tvocab} tokens but the model has a vocabulary of {}; the tokenizer \
                     belongs to another model",
                    config.vocab_size
                ),
            });
        }
        let (wpath, wbytes) = read("model.safetensors", "the weights in safetensors format")?;
        if kind == BackendKind::RustBert && options.precision != Precision::F32 {
            return Err(Error::Backend(format!(
                "precision {:?} needs the candle backend; rust-bert runs in f32",
                options.precision
            )));
        }
        #[cfg(feature = "rust-bert")]
        if kind == BackendKind::RustBert {
            let backend = super::rustbert::RustBertBackend::from_safetensors(
                config,
                &wbytes,
                &wpath,
                &options.rust_bert,
            )?;
            return Self::new(tokenizer, Box::new(backend), labels, options.clone());
        }
        let backend = CandleBackend::from_safetensors(config, wbytes, &wpath, options.precision)?;
        Self::new(tokenizer, Box::new(backend), labels, options.clone())
    }

    /// Assembles a recogniser from its parts (for other backends).
    pub fn new(
        mut tokenizer: Tokenizer,
        backend: Box<dyn Backend>,
        labels: LabelMap,
        options: NerOptions,
    ) -> Result<Self> {
        if labels.len() != backend.num_labels() {
            return Err(Error::LabelMap(format!(
                "{} labels for a classifier with {} outputs",
                labels.len(),
                backend.num_labels()
            )));
        }
        // A tokenizer.json may carry truncation/padding settings (this one
        // truncates at 128): windows are sized here, so turn both off.
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let probe = tokenizer
            .encode("a", true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let mask = probe.get_special_tokens_mask();
        let first = mask.iter().position(|&m| m == 0);
        let last = mask.iter().rposition(|&m| m == 0);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(Error::Tokenizer(
                "the tokenizer encodes `a` as special tokens only".into(),
            ));
        };
        let prefix = probe.get_ids()[..first].to_vec();
        let suffix = probe.get_ids()[last + 1..].to_vec();
        let window = options.window_tokens.min(backend.max_len());
        let specials = prefix.len() + suffix.len();
        let cap = window
            .saturating_sub(specials)
            .max(8)
            .min(backend.max_len().saturating_sub(specials).max(1));
        let outside = (0..labels.len())
            .find(|&i| labels.tag(i).is_none())
            .unwrap_or(0);
        Ok(TransformerRecognizer {
            tokenizer,
            backend,
            labels,
            options,
            prefix,
            suffix,
            cap,
            outside,
        })
    }

    /// The model's classes.
    pub fn labels(&self) -> &LabelMap {
        &self.labels
    }

    /// The settings in use.
    pub fn options(&self) -> &NerOptions {
        &self.options
    }

    /// Number of tokens of `text` for the model, special tokens excluded.
    pub fn token_count(&self, text: &str) -> Result<usize> {
        Ok(self.encode(text)?.ids.len())
    }

    /// Most tokens of one sentence that fit in a model window (special
    /// tokens excluded); a longer sentence is cut into overlapping windows.
    pub fn window_capacity(&self) -> usize {
        self.cap
    }

    /// The name of the backend running the model (`"candle"`, `"rust-bert"`).
    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    /// Encodes `text` as one sequence with special tokens and returns its
    /// logits (for parity checks against a reference implementation). Fails
    /// when the text is longer than the model's maximum.
    pub fn text_logits(&self, text: &str) -> Result<TextLogits> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let ids = enc.get_ids().to_vec();
        let mut logits = self.backend.logits(&[&ids])?;
        Ok(TextLogits {
            offsets: enc.get_offsets().to_vec(),
            logits: logits.pop().unwrap_or(Logits {
                num_labels: self.labels.len(),
                data: Vec::new(),
            }),
            ids,
        })
    }

    /// Labels pre-split words, each sentence encoded on its own (Hugging
    /// Face's `is_split_into_words`): one prediction per word. A word the
    /// tokenizer drops entirely (only control characters) is labelled `O`.
    pub fn predict_words<S: AsRef<str>>(
        &self,
        sentences: &[Vec<S>],
    ) -> Result<Vec<Vec<WordPrediction>>> {
        let inputs: Vec<Vec<&str>> = sentences
            .iter()
            .map(|s| s.iter().map(|w| w.as_ref()).collect())
            .collect();
        let seqs = inputs
            .iter()
            .map(|words| {
                if words.is_empty() {
                    return Ok(Seq {
                        ids: Vec::new(),
                        words: Vec::new(),
                        offsets: Vec::new(),
                    });
                }
                self.encode(words.clone())
            })
            .collect::<Result<Vec<_>>>()?;
        let probs = self.run(&seqs, false)?;
        Ok(seqs
            .iter()
            .zip(&probs)
            .zip(&inputs)
            .map(|((seq, p), words)| {
                let mut out = vec![
                    WordPrediction {
                        class: self.outside,
                        score: 1.0,
                    };
                    words.len()
                ];
                for w in self.words(seq, p) {
                    if let Some(slot) = out.get_mut(w.id as usize) {
                        *slot = w.pred;
                    }
                }
                out
            })
            .collect())
    }

    fn encode<'s>(&self, input: impl Into<tokenizers::EncodeInput<'s>>) -> Result<Seq> {
        let enc = self
            .tokenizer
            .encode(input, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(Seq {
            ids: enc.get_ids().to_vec(),
            words: enc.get_word_ids().to_vec(),
            offsets: enc.get_offsets().to_vec(),
        })
    }

    /// Runs the model over `seqs` (packing several into a window when
    /// `pack`), returning each sequence's per-token probabilities.
    fn run(&self, seqs: &[Seq], pack: bool) -> Result<Vec<Vec<f32>>> {
        let cap = self.cap;
        let step = cap - self.options.stride.min(cap / 2);
        let mut windows: Vec<Vec<Segment>> = Vec::new();
        let mut cur: Vec<Segment> = Vec::new();
        let mut cur_len = 0;
        for (i, s) in seqs.iter().enumerate() {
            let n = s.ids.len();
            if n == 0 {
                continue;
            }
            if !pack || cur_len + n > cap {
                if !cur.is_empty() {
                    windows.push(std::mem::take(&mut cur));
                }
                cur_len = 0;
            }
            if n > cap {
                let mut start = 0;
                loop {
                    let end = (start + cap).min(n);
                    windows.push(vec![Segment { seq: i, start, end }]);
                    if end == n {
                        break;
                    }
                    start += step;
                }
            } else {
                cur.push(Segment {
                    seq: i,
                    start: 0,
                    end: n,
                });
                cur_len += n;
            }
        }
        if !cur.is_empty() {
            windows.push(cur);
        }

        let nl = self.labels.len();
        let mut logits: Vec<Vec<f32>> = seqs.iter().map(|s| vec![0.0; s.ids.len() * nl]).collect();
        let mut best: Vec<Vec<usize>> = seqs.iter().map(|s| vec![0; s.ids.len()]).collect();
        let ids: Vec<Vec<u32>> = windows
            .iter()
            .map(|w| {
                let mut v = self.prefix.clone();
                for s in w {
                    v.extend_from_slice(&seqs[s.seq].ids[s.start..s.end]);
                }
                v.extend_from_slice(&self.suffix);
                v
            })
            .collect();
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&w| ids[w].len());
        let mut at = 0;
        while at < order.len() {
            let mut end = at + 1;
            let mut real = ids[order[at]].len();
            while end < order.len() {
                // A batch is padded to its longest window: it takes the next
                // window while it stays within `batch_tokens` and padding is
                // at most a tenth of its tokens (an article's short last
                // window padded to a full one made a two-window article
                // 1.7× slower in benches/ner.rs).
                let (len, count) = (ids[order[end]].len(), end - at + 1);
                if count * len > self.options.batch_tokens.max(1)
                    || count * len * 10 > (real + len) * 11
                {
                    break;
                }
                real += len;
                end += 1;
            }
            let batch: Vec<&[u32]> = order[at..end].iter().map(|&w| ids[w].as_slice()).collect();
            let out = self.backend.logits(&batch)?;
            if out.len() != batch.len() {
                return Err(Error::Backend(format!(
                    "{} results for a batch of {}",
                    out.len(),
                    batch.len()
                )));
            }
            for (&w, lg) in order[at..end].iter().zip(&out) {
                if lg.num_labels != nl || lg.len() != ids[w].len() {
                    return Err(Error::Backend(format!(
                        "logits of shape {}×{} for a window of {} tokens and {nl} labels",
                        lg.len(),
                        lg.num_labels,
                        ids[w].len()
                    )));
                }
                let mut row = self.prefix.len();
                for s in &windows[w] {
                    let n = seqs[s.seq].ids.len();
                    for t in s.start..s.end {
                        // Distance to the nearest cut (a sentence edge is no cut).
                        let left = if s.start == 0 {
                            usize::MAX
                        } else {
                            t - s.start
                        };
                        let right = if s.end == n {
                            usize::MAX
                        } else {
                            s.end - 1 - t
                        };
                        let c = left.min(right).saturating_add(1);
                        if c > best[s.seq][t] {
                            best[s.seq][t] = c;
                            logits[s.seq][t * nl..(t + 1) * nl].copy_from_slice(lg.row(row));
                        }
                        row += 1;
                    }
                }
            }
            at = end;
        }
        for l in &mut logits {
            for row in l.chunks_mut(nl) {
                softmax(row);
            }
        }
        Ok(logits)
    }

    /// Groups a sequence's tokens into words and labels each word.
    fn words(&self, seq: &Seq, probs: &[f32]) -> Vec<Word> {
        let nl = self.labels.len();
        let row = |t: usize| &probs[t * nl..(t + 1) * nl];
        let mut words: Vec<Word> = Vec::new();
        for (t, w) in seq.words.iter().enumerate() {
            let Some(w) = *w else { continue };
            match words.last_mut() {
                Some(last) if last.id == w && last.last + 1 == t => last.last = t,
                _ => words.push(Word {
                    id: w,
                    first: t,
                    last: t,
                    pred: WordPrediction {
                        class: self.outside,
                        score: 1.0,
                    },
                }),
            }
        }
        for w in &mut words {
            w.pred = match self.options.aggregation {
                Aggregation::First => argmax(row(w.first)),
                Aggregation::Average => {
                    let mut mean = vec![0f32; nl];
                    for t in w.first..=w.last {
                        for (m, p) in mean.iter_mut().zip(row(t)) {
                            *m += p;
                        }
                    }
                    let k = (w.last - w.first + 1) as f32;
                    mean.iter_mut().for_each(|m| *m /= k);
                    argmax(&mean)
                }
                Aggregation::Max => (w.first..=w.last)
                    .map(|t| argmax(row(t)))
                    .fold(None::<WordPrediction>, |best, p| match best {
                        Some(b) if b.score >= p.score => Some(b),
                        _ => Some(p),
                    })
                    .unwrap_or(WordPrediction {
                        class: self.outside,
                        score: 1.0,
                    }),
            };
        }
        words
    }
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    if sum > 0.0 && sum.is_finite() {
        row.iter_mut().for_each(|x| *x /= sum);
    }
}

fn argmax(row: &[f32]) -> WordPrediction {
    let mut best = WordPrediction {
        class: 0,
        score: f32::NEG_INFINITY,
    };
    for (i, &p) in row.iter().enumerate() {
        if p > best.score {
            best = WordPrediction { class: i, score: p };
        }
    }
    if !best.score.is_finite() {
        best.score = 0.0;
    }
    best
}

impl Recognizer for TransformerRecognizer {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        let mut out = self.recognize_batch(&[(text, sentences)])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Tokenizes every sentence of every text, then runs the model once over
    /// all of them: windows of many texts share a forward pass, sorted by
    /// length so that a batch holds windows of nearly one length.
    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        // (text index, byte offset of the sequence in its text) per sequence.
        let mut owners: Vec<(usize, usize)> = Vec::new();
        let mut seqs = Vec::new();
        for (i, &(text, sentences)) in texts.iter().enumerate() {
            let whole = [Sentence {
                span: Span::new(0, text.len()),
            }];
            let sentences = if sentences.is_empty() {
                &whole[..]
            } else {
                sentences
            };
            for s in sentences {
                let Some(sub) = text.get(s.span.start..s.span.end) else {
                    return Err(Error::Tokenizer(format!(
                        "sentence {} does not lie on character boundaries of the {}-byte \
                         text; pass the sentences of this text",
                        s.span,
                        text.len()
                    )));
                };
                owners.push((i, s.span.start));
                seqs.push(self.encode(sub)?);
            }
        }
        let probs = self.run(&seqs, self.options.pack_sentences)?;
        let mut mentions: Vec<Vec<Mention>> = vec![Vec::new(); texts.len()];
        for ((seq, p), &(i, base)) in seqs.iter().zip(&probs).zip(&owners) {
            let text = texts[i].0;
            let words: Vec<LabelledWord> = self
                .words(seq, p)
                .iter()
                .filter_map(|w| {
                    let pieces = &seq.offsets[w.first..=w.last];
                    let start = pieces.iter().map(|o| o.0).min()?;
                    let end = pieces.iter().map(|o| o.1).max()?;
                    Some(LabelledWord {
                        span: Span::new(base + start, base + end),
                        class: w.pred.class,
                        score: w.pred.score,
                    })
                })
                .collect();
            let words = join_compounds(text, join_abbreviation_periods(text, words));
            mentions[i].extend(decode_words(text, &self.labels, &words));
        }
        Ok(mentions.into_iter().map(without_overlaps).collect())
    }
}

/// Joins the period of an abbreviation to the word before it (`Mr` `.` →
/// `Mr.`, `U` `.` `S` `.` → `U.S.`): the joined word keeps the label and score
/// of its first piece — how `first` aggregation labels a CoNLL word whose
/// sub-words are `Mr` and `.`. Only pieces that touch (no space between) are
/// joined, and only when the text before the period is an abbreviation
/// (see [`crate::text::keeps_period`]).
fn join_abbreviation_periods(text: &str, words: Vec<LabelledWord>) -> Vec<LabelledWord> {
    let mut out: Vec<LabelledWord> = Vec::with_capacity(words.len());
    for w in words {
        let is_period = text.get(w.span.start..w.span.end) == Some(".");
        if is_period {
            // The run of touching letter-or-dotted pieces before the period.
            // At most 8 pieces (`U` `.` `S` …): no listed abbreviation is
            // longer, and a bound keeps a 10 MB `a.a.a.…` linear.
            let mut first = out.len();
            let mut next_start = w.span.start; // where the piece after `first - 1` starts
            while first > 0 && out.len() - first < 8 {
                let p = &out[first - 1];
                let touches = p.span.end == next_start;
                let piece = text.get(p.span.start..p.span.end).unwrap_or("");
                if !touches
                    || piece.is_empty()
                    || !piece.chars().all(|c| c.is_alphabetic() || c == '.')
                {
                    break;
                }
                next_start = p.span.start;
                first -= 1;
            }
            if first < out.len() {
                let stem = text.get(out[first].span.start..w.span.start).unwrap_or("");
                if crate::text::keeps_period(stem) {
                    out[first].span.end = w.span.end;
                    out.truncate(first + 1);
                    continue;
                }
            }
        }
        out.push(w);
    }
    out
}

/// Joins the pieces of a hyphenated or apostrophised word
/// (`Charles-Michael`, `N'Djamena`, `al-Gama'a`, `U.S.-based`, `1996-12-06`)
/// into one word with the label and score of its first piece — one word as
/// CoNLL-2003 tokenizes it, so one label from its first sub-word, as such
/// models are trained. The tokenizer splits these words at the
/// punctuation, and the model never learnt labels for the later pieces: it
/// guesses, and a guessed `B-PER` on `Michael` cut `Charles-Michael Friedek`
/// in two. A connector joins only pieces it touches on both sides, and an
/// apostrophe does not join a clitic (`Medvedev’s`, `don’t`), which CoNLL
/// splits off.
fn join_compounds(text: &str, words: Vec<LabelledWord>) -> Vec<LabelledWord> {
    const CONNECTORS: [&str; 5] = ["-", "\u{2010}", "\u{2011}", "'", "\u{2019}"];
    const CLITICS: [&str; 7] = ["s", "t", "d", "m", "ll", "re", "ve"];
    let piece = |w: &LabelledWord| text.get(w.span.start..w.span.end).unwrap_or("");
    let mut out: Vec<LabelledWord> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let (Some(prev), Some(next)) = (out.last_mut(), words.get(i + 1)) {
            let connector = piece(&w);
            let after = piece(next);
            let joins = CONNECTORS.contains(&connector)
                && prev.span.end == w.span.start
                && w.span.end == next.span.start
                && piece(prev)
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '.')
                && after.chars().next().is_some_and(char::is_alphanumeric);
            let clitic = matches!(connector, "'" | "\u{2019}")
                && CLITICS.contains(&after.to_lowercase().as_str());
            if joins && !clitic {
                prev.span.end = next.span.end;
                i += 2;
                continue;
            }
        }
        out.push(w);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `text` split like a BERT pre-tokenizer (whitespace, then
    /// each punctuation character alone), word `i` labelled `i`.
    fn pieces(text: &str) -> Vec<LabelledWord> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            if c.is_alphanumeric() {
                start.get_or_insert(i);
                continue;
            }
            if let Some(s) = start.take() {
                out.push(Span::new(s, i));
            }
            if !c.is_whitespace() {
                out.push(Span::new(i, i + c.len_utf8()));
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(class, span)| LabelledWord {
                span,
                class,
                score: 1.0,
            })
            .collect()
    }

    fn joined(text: &str) -> Vec<(&str, usize)> {
        join_abbreviation_periods(text, pieces(text))
            .iter()
            .map(|w| (w.span.text(text), w.class))
            .collect()
    }

    #[test]
    fn abbreviation_periods_join_their_word() {
        assert_eq!(
            joined("Mr. Donald J. Trump of the U.S. said so."),
            [
                ("Mr.", 0),
                ("Donald", 2),
                ("J.", 3),
                ("Trump", 5),
                ("of", 6),
                ("the", 7),
                ("U.S.", 8),
                ("said", 12),
                ("so", 13),
                (".", 14),
            ]
        );
        // Not after a plain word, not across a space, not after a number.
        assert_eq!(
            joined("Smith . 3. x"),
            [("Smith", 0), (".", 1), ("3", 2), (".", 3), ("x", 4)]
        );
    }

    fn compounds(text: &str) -> Vec<(&str, usize)> {
        join_compounds(text, join_abbreviation_periods(text, pieces(text)))
            .iter()
            .map(|w| (w.span.text(text), w.class))
            .collect()
    }

    #[test]
    fn compound_words_join_their_first_piece() {
        assert_eq!(
            compounds("Charles-Michael Friedek of N'Djamena, U.S.-based al-Gama'a"),
            [
                ("Charles-Michael", 0),
                ("Friedek", 3),
                ("of", 4),
                ("N'Djamena", 5),
                (",", 8),
                ("U.S.-based", 9),
                ("al-Gama'a", 15),
            ]
        );
        // Clitics stay apart; a connector with a space, a dash run or a
        // dangling hyphen joins nothing.
        assert_eq!(
            compounds("Medvedev’s aide didn't go - nor -- pre- war"),
            [
                ("Medvedev", 0),
                ("’", 1),
                ("s", 2),
                ("aide", 3),
                ("didn", 4),
                ("'", 5),
                ("t", 6),
                ("go", 7),
                ("-", 8),
                ("nor", 9),
                ("-", 10),
                ("-", 11),
                ("pre", 12),
                ("-", 13),
                ("war", 14),
            ]
        );
    }

    #[test]
    fn long_dotted_runs_stay_linear_and_whole() {
        let text = "a.".repeat(200_000);
        let out = join_compounds(&text, join_abbreviation_periods(&text, pieces(&text)));
        // Every byte is still covered by exactly one word, in order.
        let mut at = 0;
        for w in &out {
            assert_eq!(w.span.start, at);
            at = w.span.end;
        }
        assert_eq!(at, text.len());
    }
}
