//! The transformer recogniser: tokenizer → windows → backend → words →
//! mentions.
//!
//! * **Tokens.** Each sentence is tokenized on its own, so offsets are
//!   relative to the sentence and only shifted by its start.
//! * **Windows** (`windows.rs`). Each sentence is a model window of its
//!   own — the context a model trained on sentences saw
//!   ([`NerOptions::pack_sentences`] packs several into one window instead);
//!   a sentence longer than [`NerOptions::window_tokens`] is cut into
//!   overlapping segments. The windows of every text of a
//!   [`recognize_batch`](Recognizer::recognize_batch) call are sorted by
//!   length and batched together, so short texts share forward passes,
//!   padding is minimal and time is linear in text length.
//! * **Words** (`words.rs`). Labels are assigned to whole words from their
//!   sub-word scores as [`Aggregation`](super::Aggregation) says;
//!   abbreviation periods and hyphenated compounds join their word, as in
//!   the CoNLL-2003 data such models learn from.
//! * **Scores.** A mention's score is the mean, over its words, of the
//!   probability of each word's chosen label.

use super::backends::{Backend, Logits};
use super::decode::{decode_words, without_overlaps};
use super::labels::LabelMap;
use super::options::NerOptions;
use super::windows::{Seq, Windows};
use super::words::{labelled_words, words, WordPrediction};
use super::{EncodedToken, Encoding, Recognizer, TextAndSentences};
use crate::document::{Mention, Sentence, Span};
use crate::error::{Error, Result};
use tokenizers::Tokenizer;

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
    windows: Windows,
    /// The class of words outside any name.
    outside: usize,
    /// The model's name, carried into [`Encoding::encoder`].
    encoder: String,
}

impl std::fmt::Debug for TransformerRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerRecognizer")
            .field("labels", &self.labels)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl TransformerRecognizer {
    /// Names the behaviour of this recogniser's code: it changes whenever the
    /// same model and options would give different mentions (so caches such
    /// as [`CachedRecognizer`](super::CachedRecognizer) keys can include it).
    pub const REVISION: &'static str = "3-sentence-windows-compound-words";

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
        let windows = Windows::new(
            prefix,
            suffix,
            options.window_tokens,
            backend.max_len(),
            options.stride,
            options.batch_tokens,
        );
        let outside = (0..labels.len())
            .find(|&i| labels.tag(i).is_none())
            .unwrap_or(0);
        Ok(TransformerRecognizer {
            tokenizer,
            backend,
            labels,
            options,
            windows,
            outside,
            encoder: String::new(),
        })
    }

    /// Names the model, for the [`Encoding`]s this recogniser gives: a head
    /// trained on one encoder's states (the quote span model) runs only on
    /// that encoder's. Loading by name sets it for the embedded model.
    pub fn with_encoder_name(mut self, name: impl Into<String>) -> Self {
        self.encoder = name.into();
        self
    }

    /// The model's name as [`with_encoder_name`](Self::with_encoder_name)
    /// set it (empty when unnamed).
    pub fn encoder_name(&self) -> &str {
        &self.encoder
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
        self.windows.cap
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

    /// Each sequence's per-token probabilities (see [`Windows::run`]).
    fn run(&self, seqs: &[Seq], pack: bool) -> Result<Vec<Vec<f32>>> {
        self.windows
            .run(self.backend.as_ref(), self.labels.len(), seqs, pack)
    }

    /// The words of a sequence with their labels.
    fn words(&self, seq: &Seq, probs: &[f32]) -> Vec<super::words::Word> {
        words(
            seq,
            probs,
            self.labels.len(),
            self.options.aggregation,
            self.outside,
        )
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
        Ok(self
            .recognize_inner(texts, false)?
            .into_iter()
            .map(|(m, _)| m)
            .collect())
    }

    fn recognize_batch_encoded(
        &self,
        texts: &[TextAndSentences<'_>],
    ) -> Result<Vec<(Vec<Mention>, Option<Encoding>)>> {
        self.recognize_inner(texts, true)
    }
}

impl TransformerRecognizer {
    /// The mentions of each text and, with `want_states`, its [`Encoding`].
    fn recognize_inner(
        &self,
        texts: &[TextAndSentences<'_>],
        want_states: bool,
    ) -> Result<Vec<(Vec<Mention>, Option<Encoding>)>> {
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
        let out = self.windows.run_with(
            self.backend.as_ref(),
            self.labels.len(),
            &seqs,
            self.options.pack_sentences,
            want_states,
        )?;
        let mut mentions: Vec<Vec<Mention>> = vec![Vec::new(); texts.len()];
        for ((seq, p), &(i, base)) in seqs.iter().zip(&out.probs).zip(&owners) {
            let text = texts[i].0;
            let words = labelled_words(text, base, seq, &self.words(seq, p));
            mentions[i].extend(decode_words(text, &self.labels, &words));
        }
        let mut encodings: Vec<Option<Encoding>> = vec![None; texts.len()];
        if want_states {
            // Texts with no token at all (empty) still get an empty encoding.
            let dim = out.states.as_ref().map_or(0, |(d, _)| *d);
            if out.states.is_some() || seqs.iter().all(|s| s.ids.is_empty()) {
                // Sized once: a growing buffer would double and leave holes.
                let mut tokens = vec![0usize; texts.len()];
                for (seq, &(i, _)) in seqs.iter().zip(&owners) {
                    tokens[i] += seq.ids.len();
                }
                for (e, n) in encodings.iter_mut().zip(tokens) {
                    *e = Some(Encoding {
                        encoder: self.encoder.clone(),
                        dim,
                        tokens: Vec::with_capacity(n),
                        states: Vec::with_capacity(n * dim),
                    });
                }
            }
            // Each sentence's states are moved on and freed one by one, so
            // that they are held once, not twice.
            if let Some((dim, states)) = out.states {
                // Words numbered across each text, sentences within it.
                let mut word_base = vec![0usize; texts.len()];
                let mut sentence = vec![0usize; texts.len()];
                for ((seq, st), &(i, base)) in seqs.iter().zip(states).zip(&owners) {
                    let Some(enc) = encodings[i].as_mut() else {
                        continue;
                    };
                    let mut top = 0;
                    for (t, (&(a, b), w)) in seq.offsets.iter().zip(&seq.words).enumerate() {
                        let w = w.map_or(top, |w| w as usize);
                        top = top.max(w + 1);
                        enc.tokens.push(EncodedToken {
                            span: Span::new(base + a, base + b),
                            word: word_base[i] + w,
                            sentence: sentence[i],
                        });
                        enc.states
                            .extend_from_slice(st.get(t * dim..(t + 1) * dim).unwrap_or(&[]));
                    }
                    word_base[i] += top;
                    sentence[i] += 1;
                }
            }
        }
        Ok(mentions
            .into_iter()
            .map(without_overlaps)
            .zip(encodings)
            .collect())
    }
}
