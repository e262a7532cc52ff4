//! The rust-bert engine: settings always, the engine itself with the cargo
//! feature `rust-bert` (`libtorch.rs`, see its docs and `docs/rust-bert.md`).

#[cfg(feature = "rust-bert")]
mod libtorch;

#[cfg(feature = "rust-bert")]
pub use libtorch::RustBertBackend;

use super::{Backend, EngineOptions, Precision};
use crate::error::{Error, Result};
use crate::ner::config::ModelConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Settings of the rust-bert (libtorch) backend, used when a model runs on it
/// (cargo feature `rust-bert`; ignored otherwise). See `docs/rust-bert.md`.
///
/// ```
/// use saidwho::ner::RustBertOptions;
///
/// let mut options = RustBertOptions::default();
/// options.threads = Some(1);
/// options.replicas = 2;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RustBertOptions {
    /// libtorch intra-op threads for each forward pass. libtorch's
    /// `set_num_threads` is **process-wide**: the last model loaded with
    /// `Some` wins. `None` keeps libtorch's default (the number of physical
    /// cores, or `OMP_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Model instances sharing one copy of the weights, each running one
    /// forward pass at a time (a `tch` tensor is not `Sync`). Default 1:
    /// concurrent calls take turns, each using all `threads`. With many
    /// cores, `replicas × threads ≈ cores` lets calls run side by side.
    pub replicas: usize,
}

impl Default for RustBertOptions {
    fn default() -> Self {
        RustBertOptions {
            threads: None,
            replicas: 1,
        }
    }
}

/// Fails when this build lacks the rust-bert engine; `what` names the model.
pub(super) fn ensure_built(what: &str) -> Result<()> {
    if cfg!(feature = "rust-bert") {
        Ok(())
    } else {
        Err(missing(what))
    }
}

fn missing(what: &str) -> Error {
    Error::Backend(format!(
        "{what} needs the rust-bert backend, which this build of saidwho lacks; rebuild \
         with `--features rust-bert` (libtorch 2.4.0, see docs/rust-bert.md) or use \
         the candle backend"
    ))
}

/// The rust-bert engine over `bytes`, a safetensors file named by `path`.
pub(super) fn load(
    config: ModelConfig,
    bytes: &[u8],
    path: &Path,
    options: &EngineOptions,
) -> Result<Box<dyn Backend>> {
    let precision = options.candle.precision;
    if precision != Precision::F32 {
        return Err(Error::Backend(format!(
            "precision {precision:?} needs the candle backend; rust-bert runs in f32"
        )));
    }
    #[cfg(feature = "rust-bert")]
    {
        Ok(Box::new(RustBertBackend::from_safetensors(
            config,
            bytes,
            path,
            &options.rust_bert,
        )?))
    }
    #[cfg(not(feature = "rust-bert"))]
    {
        let _ = (config, bytes, path);
        Err(missing("the model"))
    }
}
