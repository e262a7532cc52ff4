//! The NER model inside the crate: `saidwho-ner-small`.
//!
//! A student of `conll03-distilbert-cased` (the teacher): two of its
//! layers, each feed-forward cut to its 768 most useful neurons, word
//! embeddings factorised to rank 64, distilled on CoNLL-2003 train and
//! unlabelled news, and stored at 8 bits per weight so that it fits in the
//! crate (`model.safetensors`, about 9 MiB). `train/distill.py` reproduces
//! the files of `model/` with one command; `train/README.md` gives its
//! scores and the other candidates tried.
//!
//! The files are compiled in with `include_bytes!` when the cargo feature
//! `embedded-model` is on (the default); a build without it has no
//! embedded model and loads models from directories only.

/// The embedded model's name: what [`TransformerRecognizer::from_model`]
/// and `--model` accept for it.
///
/// [`TransformerRecognizer::from_model`]: crate::ner::TransformerRecognizer::from_model
pub const EMBEDDED_MODEL: &str = "saidwho-ner-small";

/// The arithmetic the embedded model runs with in
/// [`Pipeline::new`](crate::Pipeline::new) and, unless `--precision` says
/// otherwise, on the command line: 8-bit, about twice as fast as f32 for
/// 0.07 points of CoNLL-2003 dev F1 (`train/README.md`).
/// [`TransformerRecognizer::embedded`](super::TransformerRecognizer::embedded)
/// takes the precision of the options it is given.
pub const EMBEDDED_PRECISION: super::Precision = super::Precision::Int8;

/// Where the embedded files say they come from in messages.
pub(crate) const PLACE: &str = "<embedded>/saidwho-ner-small";

/// Whether this build carries the embedded model (cargo feature
/// `embedded-model`).
pub const fn is_embedded() -> bool {
    cfg!(feature = "embedded-model")
}

#[cfg(feature = "embedded-model")]
const FILES: &[(&str, &[u8])] = &[
    ("config.json", include_bytes!("model/config.json")),
    ("tokenizer.json", include_bytes!("model/tokenizer.json")),
    (
        "model.safetensors",
        include_bytes!("model/model.safetensors"),
    ),
];

#[cfg(not(feature = "embedded-model"))]
const FILES: &[(&str, &[u8])] = &[];

/// The embedded file `name`, if this build has it.
pub(crate) fn file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// The embedded model as [`Pipeline::new`](crate::Pipeline::new) uses it:
/// loaded on the first text, once per process, then shared. A failure to
/// load (which the tests rule out for the files compiled in) is returned
/// by every call.
pub(crate) struct Lazy;

impl Lazy {
    fn get(&self) -> crate::Result<&'static super::TransformerRecognizer> {
        static LOADED: std::sync::OnceLock<
            std::result::Result<super::TransformerRecognizer, String>,
        > = std::sync::OnceLock::new();
        LOADED
            .get_or_init(|| {
                super::TransformerRecognizer::embedded(
                    &super::NerOptions::default().with_precision(EMBEDDED_PRECISION),
                )
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| crate::Error::Backend(format!("the embedded model did not load: {e}")))
    }
}

impl super::Recognizer for Lazy {
    fn recognize(
        &self,
        text: &str,
        sentences: &[crate::document::Sentence],
    ) -> crate::Result<Vec<crate::document::Mention>> {
        self.get()?.recognize(text, sentences)
    }

    fn recognize_batch(
        &self,
        texts: &[super::TextAndSentences<'_>],
    ) -> crate::Result<Vec<Vec<crate::document::Mention>>> {
        self.get()?.recognize_batch(texts)
    }

    fn recognize_batch_encoded(
        &self,
        texts: &[super::TextAndSentences<'_>],
    ) -> crate::Result<Vec<(Vec<crate::document::Mention>, Option<super::Encoding>)>> {
        self.get()?.recognize_batch_encoded(texts)
    }
}
