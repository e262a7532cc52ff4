//! The pipeline: the stages wired together, built once, shared by threads.

use crate::document::{Document, Sentence};
use crate::entities::{Resolver, RuleResolver};
use crate::error::{Error, Result};
use crate::ner::Recognizer;
use crate::quotes::{QuoteExtractor, RuleQuoteExtractor};
use crate::text::{RuleSplitter, SentenceSplitter};
use std::sync::Arc;

/// Settings of a [`Pipeline`]; the defaults suit news articles.
///
/// ```
/// use saidwho::{Pipeline, PipelineConfig};
/// let pipeline = Pipeline::with_config(PipelineConfig { max_text_bytes: 1 << 20 });
/// assert!(pipeline.analyze(&"x".repeat(2 << 20)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Longest text [`Pipeline::analyze`] accepts, in bytes; longer texts get
    /// [`Error::TextTooLarge`] instead of unbounded work. Default: 64 MiB.
    pub max_text_bytes: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_text_bytes: 64 << 20,
        }
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
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("config", &self.config)
            .field("recognizer", &self.recognizer.is_some())
            .field("resolver", &self.resolver.is_some())
            .field("quotes", &self.quotes.is_some())
            .finish()
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline::new()
    }
}

impl Pipeline {
    /// A pipeline with the default stages (rule resolver, rule quote
    /// extractor) and no NER model.
    pub fn new() -> Self {
        Pipeline::with_config(PipelineConfig::default())
    }

    /// A pipeline with the default stages, no NER model, and `config`.
    pub fn with_config(config: PipelineConfig) -> Self {
        Pipeline {
            config,
            splitter: Arc::new(RuleSplitter::default()),
            recognizer: None,
            resolver: Some(Arc::new(RuleResolver::default())),
            quotes: Some(Arc::new(RuleQuoteExtractor::default())),
        }
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
        let sentences = self.sentences(text)?;
        let mentions = match &self.recognizer {
            Some(r) => r.recognize(text, &sentences)?,
            None => Vec::new(),
        };
        let entities = match &self.resolver {
            Some(r) => r.resolve(text, &sentences, mentions),
            None => Vec::new(),
        };
        let quotes = match &self.quotes {
            Some(q) => q.extract(text, &sentences, &entities),
            None => Vec::new(),
        };
        Ok(Document {
            text: text.to_string(),
            sentences,
            entities,
            quotes,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_is_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pipeline>();
    }

    #[test]
    fn empty_text_gives_empty_document() {
        let doc = Pipeline::new().analyze("").unwrap();
        assert!(doc.sentences.is_empty() && doc.entities.is_empty() && doc.quotes.is_empty());
    }
}
