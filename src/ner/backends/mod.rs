//! Engines: token ids in, per-token label scores out.
//!
//! Everything model-agnostic — finding and checking the files
//! ([`load`](super::load)), tokenizing, windows ([`windows`](super::windows)),
//! word labels ([`words`](super::words)), decoding labels into mentions —
//! lives above the [`Backend`] trait, so an engine only turns id sequences
//! into logits. One file (or folder) per engine, each with its settings
//! beside it:
//!
//! - `candle/` — [`CandleBackend`], pure Rust, f32 or 8-bit
//!   ([`CandleOptions`]). The default.
//! - `rustbert/` — `RustBertBackend` on libtorch (cargo feature
//!   `rust-bert`; [`RustBertOptions`]).
//!
//! # Adding an engine
//!
//! Write `backends/<engine>.rs` with a type implementing [`Backend`] and
//! its options struct; then, in this file only: a [`BackendKind`] variant
//! (the name `models.toml` and `--backend` use), a field of
//! [`EngineOptions`] for its settings, and an arm of [`load`]. Nothing else
//! in the crate names an engine.

mod candle;
mod rustbert;

pub use candle::{CandleBackend, CandleOptions, CpuPaths, Precision};
#[cfg(feature = "rust-bert")]
pub use rustbert::RustBertBackend;
pub use rustbert::RustBertOptions;

use super::config::ModelConfig;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Per-token logits of one sequence: a `tokens × labels` matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Logits {
    /// Number of labels (columns).
    pub num_labels: usize,
    /// `tokens * num_labels` scores.
    pub data: Vec<f32>,
}

impl Logits {
    /// Number of tokens (rows).
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.num_labels).unwrap_or(0)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scores of token `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        self.data
            .get(i * self.num_labels..(i + 1) * self.num_labels)
            .unwrap_or(&[])
    }
}

/// The encoder's last hidden state of each token of one sequence: a
/// `tokens × dim` matrix, row-major — what the classifier head reads, and
/// what other heads (the quote stage's span model) may read too.
#[derive(Debug, Clone, PartialEq)]
pub struct States {
    /// Width of a state (columns).
    pub dim: usize,
    /// `tokens * dim` values.
    pub data: Vec<f32>,
}

impl States {
    /// Number of tokens (rows).
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The state of token `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        self.data
            .get(i * self.dim..(i + 1) * self.dim)
            .unwrap_or(&[])
    }
}

/// Runs a token-classification model.
///
/// Implementations are built once and shared by threads.
pub trait Backend: Send + Sync {
    /// The logits of each sequence of `batch`. A sequence holds token ids with
    /// the special tokens already added, at most [`max_len`](Backend::max_len)
    /// of them; sequences may differ in length (the backend pads and masks).
    /// The result has one [`Logits`] per sequence, with one row per token.
    fn logits(&self, batch: &[&[u32]]) -> Result<Vec<Logits>>;

    /// Like [`logits`](Backend::logits), with each sequence's last hidden
    /// states beside its logits, from the same forward pass. An engine that
    /// cannot give them answers `None` (the default), and the heads that
    /// need them are then skipped.
    fn logits_and_states(&self, batch: &[&[u32]]) -> Result<Vec<(Logits, Option<States>)>> {
        Ok(self.logits(batch)?.into_iter().map(|l| (l, None)).collect())
    }

    /// Number of labels of the classifier head.
    fn num_labels(&self) -> usize;

    /// Longest sequence the model accepts, special tokens included.
    fn max_len(&self) -> usize;

    /// A short name of the engine, for logs and diagnostics (`"candle"`,
    /// `"rust-bert"`).
    fn name(&self) -> &str {
        "custom"
    }
}

/// Which engine runs a model: the `backend` of a `models.toml` entry, the
/// `--backend` of the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackendKind {
    /// Pure-Rust candle (built in). The default.
    #[default]
    Candle,
    /// rust-bert on libtorch (cargo feature `rust-bert`, see `docs/rust-bert.md`).
    RustBert,
}

impl BackendKind {
    /// Fails when this build of saidwho lacks the engine; `what` names the
    /// model that asked for it.
    pub(crate) fn ensure_built(self, what: &str) -> Result<()> {
        match self {
            BackendKind::Candle => Ok(()),
            BackendKind::RustBert => rustbert::ensure_built(what),
        }
    }
}

impl BackendKind {
    /// Every engine this version of saidwho knows (built into this binary
    /// or not), in the order of the variants.
    pub const ALL: [BackendKind; 2] = [BackendKind::Candle, BackendKind::RustBert];

    /// The engine's name: what [`FromStr`](std::str::FromStr) parses,
    /// [`Display`](std::fmt::Display) writes, `models.toml` and `--backend`
    /// take.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Candle => "candle",
            BackendKind::RustBert => "rust-bert",
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BackendKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        BackendKind::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| {
                Error::Backend(format!(
                    "unknown backend `{s}`; expected candle or rust-bert"
                ))
            })
    }
}

/// Which engine runs the model, and the settings of each engine.
///
/// Each engine reads its own field; the settings of the engines not in use
/// are ignored, except that the rust-bert engine refuses a candle
/// [`Precision`] other than f32 rather than silently running f32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct EngineOptions {
    /// The engine; `None` takes the registry entry's (`backend = …` in
    /// `models.toml`), candle for a plain directory.
    /// [`BackendKind::RustBert`] needs the cargo feature `rust-bert`.
    pub backend: Option<BackendKind>,
    /// Settings of the candle engine.
    pub candle: CandleOptions,
    /// Settings of the rust-bert engine (threads, replicas).
    pub rust_bert: RustBertOptions,
}

/// Builds the engine `kind` over the weights read from `weights` (a
/// safetensors stream, named by `path` in errors) of a model configured by
/// `config`. candle reads the stream a tensor at a time.
pub(crate) fn load(
    kind: BackendKind,
    config: ModelConfig,
    weights: &mut dyn std::io::Read,
    path: &Path,
    options: &EngineOptions,
) -> Result<Box<dyn Backend>> {
    match kind {
        BackendKind::Candle => Ok(Box::new(CandleBackend::from_reader(
            config,
            weights,
            path,
            &options.candle,
        )?)),
        BackendKind::RustBert => {
            let mut bytes = Vec::new();
            weights
                .read_to_end(&mut bytes)
                .map_err(|e| Error::ModelFile {
                    path: path.to_path_buf(),
                    reason: format!("cannot read it ({e})"),
                })?;
            rustbert::load(config, &bytes, path, options)
        }
    }
}
