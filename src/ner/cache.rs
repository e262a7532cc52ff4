//! A recogniser that remembers its answers on disk.
//!
//! Why: the model is by far the slowest stage (over 99 % of the pipeline's
//! time on news), while the later stages are what one tunes and re-runs.
//! Wrapping the recogniser in a [`CachedRecognizer`] makes the second run
//! over a corpus cost only the fast stages — how the quote rules are tuned
//! on PolNeAR train (`saidwho eval-quotes --mention-cache DIR`).
//!
//! Each entry is a JSON file named by the sha256 of a caller-chosen model key,
//! the sentence spans and the text, so a different model, splitter or text
//! never reads a stale entry. Entries are written to a temporary file and
//! renamed, so an interrupted run leaves no half-written entry.

use super::registry::sha256_hex;
use super::{Recognizer, TextAndSentences};
use crate::document::{Mention, Sentence};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Wraps a [`Recognizer`] with a directory of its past results.
///
/// ```
/// use saidwho::ner::{CachedRecognizer, Recognizer};
/// use saidwho::{Label, Mention, MentionKind, Sentence, Span};
///
/// struct Caps; // a stand-in recogniser: every capitalised word is a PER
/// impl Recognizer for Caps {
///     fn recognize(&self, text: &str, _: &[Sentence]) -> saidwho::Result<Vec<Mention>> {
///         Ok(text.match_indices(|c: char| c.is_uppercase()).map(|(i, _)| Mention {
///             span: Span::new(i, i + 1), label: Label::Per, score: Some(1.0), kind: MentionKind::Name,
///         }).collect())
///     }
/// }
/// let dir = std::env::temp_dir().join(format!("saidwho-doc-cache-{}", std::process::id()));
/// let cached = CachedRecognizer::new(Caps, &dir, "caps-v1")?;
/// let first = cached.recognize("Ann met Bo.", &[])?;
/// assert_eq!(cached.recognize("Ann met Bo.", &[])?, first); // read back from disk
/// assert_eq!(std::fs::read_dir(&dir)?.count(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CachedRecognizer<R> {
    inner: R,
    dir: PathBuf,
    model_key: String,
}

impl<R: Recognizer> CachedRecognizer<R> {
    /// Caches `inner`'s results in `dir` (created if missing). `model_key`
    /// names the model and its settings: entries made under another key are
    /// never read.
    pub fn new(inner: R, dir: impl AsRef<Path>, model_key: &str) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| Error::Io {
            path: dir.clone(),
            source: e,
        })?;
        Ok(CachedRecognizer {
            inner,
            dir,
            model_key: model_key.to_string(),
        })
    }

    /// The wrapped recogniser.
    pub fn inner(&self) -> &R {
        &self.inner
    }

    fn entry(&self, text: &str, sentences: &[Sentence]) -> PathBuf {
        let mut key = Vec::with_capacity(text.len() + 64);
        key.extend_from_slice(self.model_key.as_bytes());
        key.push(0);
        for s in sentences {
            key.extend_from_slice(format!("{}-{},", s.span.start, s.span.end).as_bytes());
        }
        key.push(0);
        key.extend_from_slice(text.as_bytes());
        self.dir.join(format!("{}.json", sha256_hex(&key)))
    }
}

impl<R: Recognizer> CachedRecognizer<R> {
    /// The cached mentions of entry `path`, if it holds a readable entry
    /// (one truncated by a crash, or edited, is recomputed).
    fn read(path: &Path) -> Option<Vec<Mention>> {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice::<Vec<Mention>>(&bytes).ok()
    }

    /// Stores `mentions` as entry `path`, atomically (write, then rename).
    fn write(path: &Path, mentions: &[Mention]) -> Result<()> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let json = serde_json::to_vec(mentions).map_err(|e| io(std::io::Error::other(e)))?;
        let tmp = path.with_extension(format!("tmp{:?}", std::thread::current().id()));
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

impl<R: Recognizer> Recognizer for CachedRecognizer<R> {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        let mut out = self.recognize_batch(&[(text, sentences)])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Texts found in the cache are read; the others go to the inner
    /// recogniser together, as one batch.
    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        let paths: Vec<PathBuf> = texts.iter().map(|(t, s)| self.entry(t, s)).collect();
        let mut out: Vec<Option<Vec<Mention>>> = paths.iter().map(|p| Self::read(p)).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let inputs: Vec<TextAndSentences<'_>> = missing.iter().map(|&i| texts[i]).collect();
            let found = self.inner.recognize_batch(&inputs)?;
            if found.len() != inputs.len() {
                return Err(Error::Backend(format!(
                    "{} mention lists for {} texts",
                    found.len(),
                    inputs.len()
                )));
            }
            for (&i, mentions) in missing.iter().zip(found) {
                Self::write(&paths[i], &mentions)?;
                out[i] = Some(mentions);
            }
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }
}
