//! One error type for the whole crate.
//!
//! Each variant says what went wrong *and* what to do about it, because the
//! person reading the message is usually setting up a model directory or
//! feeding a corpus, not reading our source.

use std::path::PathBuf;

/// Everything that can go wrong in saidwho.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// An input directory holds no `*.txt` file, so it gives no document.
    #[error(
        "{dir}: no *.txt file in this directory; an input directory is read as the *.txt \
         files directly in it: name the files, or convert them to *.txt"
    )]
    NoInputFiles {
        /// The directory.
        dir: PathBuf,
    },

    /// A text is longer than the configured limit.
    #[error(
        "text of {len} bytes exceeds the limit of {max} bytes; split it, or raise \
         `PipelineConfig::max_text_bytes`"
    )]
    TextTooLarge {
        /// Length of the text in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },

    /// A model file is missing, unreadable or not what it should be.
    #[error("model file {path}: {reason}")]
    ModelFile {
        /// The offending file.
        path: PathBuf,
        /// What is wrong and what was expected.
        reason: String,
    },

    /// A model could not be found.
    #[error("model `{name}` not found; {hint}")]
    ModelNotFound {
        /// The name or directory that was asked for.
        name: String,
        /// Where saidwho looked and how to provide the model.
        hint: String,
    },

    /// The model's labels do not fit a scheme saidwho can decode.
    #[error("label map: {0}")]
    LabelMap(String),

    /// The model registry (`models.toml`) is malformed.
    #[error("model registry {path}: {reason}")]
    Registry {
        /// The registry file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The tokenizer failed on a text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),

    /// The inference backend failed.
    #[error("inference backend: {0}")]
    Backend(String),

    /// An input record (a JSON line, an evaluation file) is malformed.
    #[error("{source_name}:{line}: {reason}")]
    Input {
        /// File name or `-` for standard input.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// `Result` with saidwho's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
