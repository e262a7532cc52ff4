//! Loading: from a model name or directory to a ready
//! [`TransformerRecognizer`].
//!
//! The registry and the search path resolve a name to a directory
//! ([`Registry::resolve`]); this module reads the directory's files
//! (verifying the sha256 the registry pins), checks that config, labels and
//! tokenizer agree, and hands the weights to the engine the options or the
//! registry choose ([`backends`](super::backends)). Nothing here knows an
//! engine by name.

use super::backends::{self, BackendKind};
use super::config::ModelConfig;
use super::embedded::{self, EMBEDDED_MODEL};
use super::labels::LabelMap;
use super::options::NerOptions;
use super::registry::{lower_hex, sha256_hex, ModelEntry, Registry, ResolvedModel};
use super::tokenizer::{read_tokenizer, ReadFile};
use super::transformer::TransformerRecognizer;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

impl TransformerRecognizer {
    /// Loads a model by name (looked up in the registry and the search path)
    /// or from a directory; see [`Registry::resolve`](super::Registry::resolve).
    /// [`EMBEDDED_MODEL`] names the model inside the crate
    /// ([`embedded`](Self::embedded)), unless a directory of that name exists.
    pub fn from_model(name_or_dir: &str, options: &NerOptions) -> Result<Self> {
        if name_or_dir == EMBEDDED_MODEL && !Path::new(name_or_dir).exists() {
            return Self::embedded(options);
        }
        let (registry, search) = Registry::from_options(&options.load)?;
        let resolved = registry.resolve(name_or_dir, &search)?;
        Self::from_resolved(&resolved, options)
    }

    /// Loads the model in directory `dir` (`config.json`, `tokenizer.json` —
    /// or `vocab.txt` with `tokenizer_config.json`, see
    /// [`load_tokenizer`](super::load_tokenizer) — and `model.safetensors`),
    /// without checksums.
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
    /// [`LoadOptions::verify_checksums`](super::LoadOptions::verify_checksums) is off.
    pub fn from_resolved(model: &ResolvedModel, options: &NerOptions) -> Result<Self> {
        let entry = model.entry.as_ref();
        let kind = options
            .engine
            .backend
            .or(entry.map(|e| e.backend))
            .unwrap_or_default();
        kind.ensure_built(&entry.map_or_else(
            || "the model".to_string(),
            |e| format!("model `{}`", e.name),
        ))?;
        let checksum = |file: &str| {
            entry
                .filter(|_| options.load.verify_checksums)
                .and_then(|e| e.files.get(file))
                .map(String::as_str)
        };
        let read = |file: &str, what: &str| -> Result<(PathBuf, Vec<u8>)> {
            let path = model.dir.join(file);
            let bytes = std::fs::read(&path).map_err(|e| cannot_read(&path, e, what))?;
            if let Some(sum) = checksum(file) {
                let got = sha256_hex(&bytes);
                if got != sum {
                    return Err(checksum_error(path, &got, sum));
                }
            }
            Ok((path, bytes))
        };
        let weights = Weights::File {
            path: model.dir.join(WEIGHTS),
            sha256: checksum(WEIGHTS),
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
        Self::from_files(&model.dir, entry, kind, &read, weights, options)
    }

    /// The model saidwho carries inside the crate ([`EMBEDDED_MODEL`]:
    /// cargo feature `embedded-model`, on by default), loaded with
    /// `options`; needs no file and no environment variable. Without the
    /// feature: [`Error::ModelNotFound`].
    pub fn embedded(options: &NerOptions) -> Result<Self> {
        let kind = options.engine.backend.unwrap_or_default();
        kind.ensure_built(&format!("model `{EMBEDDED_MODEL}`"))?;
        let dir = Path::new(embedded::PLACE);
        let read = |file: &str, what: &str| -> Result<(PathBuf, Vec<u8>)> {
            let path = dir.join(file);
            match embedded::file(file) {
                Some(bytes) => Ok((path, bytes.to_vec())),
                None => Err(Error::ModelFile {
                    path,
                    reason: format!("not embedded in this build; expected {what}"),
                }),
            }
        };
        if !embedded::is_embedded() {
            return Err(Error::ModelNotFound {
                name: EMBEDDED_MODEL.into(),
                hint: "this build of saidwho was compiled without the cargo feature \
                       `embedded-model`; enable it, or pass a model name or directory"
                    .into(),
            });
        }
        let weights = Weights::Bytes {
            path: dir.join(WEIGHTS),
            bytes: embedded::file(WEIGHTS).unwrap_or_default(),
        };
        Ok(Self::from_files(dir, None, kind, &read, weights, options)?
            .with_encoder_name(EMBEDDED_MODEL))
    }

    /// Checks and loads a model's files: config and tokenizer read through
    /// `read` (`dir` names the files in messages and tells which tokenizer
    /// files exist), the weights streamed from `weights`.
    fn from_files(
        dir: &Path,
        entry: Option<&ModelEntry>,
        kind: BackendKind,
        read: &ReadFile<'_>,
        weights: Weights<'_>,
        options: &NerOptions,
    ) -> Result<Self> {
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
        // A label map saidwho cannot decode is a fault of config.json: name it.
        let labels = LabelMap::new(&config.labels, scheme).map_err(|e| match e {
            Error::LabelMap(why) => Error::LabelMap(format!("{}: id2label {why}", cpath.display())),
            e => e,
        })?;
        let (tokenizer, tpath) = read_tokenizer(dir, read)?;
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
        let backend = match weights {
            Weights::Bytes { path, bytes } => {
                backends::load(kind, config, &mut &bytes[..], &path, &options.engine)?
            }
            Weights::File { path, sha256 } => {
                let what = "the weights in safetensors format";
                let file = std::fs::File::open(&path).map_err(|e| cannot_read(&path, e, what))?;
                let mut stream = Hashing::new(std::io::BufReader::with_capacity(1 << 20, file));
                let backend = backends::load(kind, config, &mut stream, &path, &options.engine);
                // Every byte is hashed, the ones after the last tensor too;
                // a wrong checksum is reported before a parse error, as it
                // explains one.
                if let Some(sum) = sha256 {
                    std::io::copy(&mut stream, &mut std::io::sink())
                        .map_err(|e| cannot_read(&path, e, what))?;
                    let got = stream.hex();
                    if got != sum {
                        return Err(checksum_error(path, &got, sum));
                    }
                }
                backend?
            }
        };
        Self::new(tokenizer, backend, labels, options.clone())
    }
}

/// The weights file of a model directory.
const WEIGHTS: &str = "model.safetensors";

/// Where a model's weights come from.
enum Weights<'a> {
    /// Bytes in memory (the embedded model); `path` names them in errors.
    Bytes { path: PathBuf, bytes: &'a [u8] },
    /// A file read once, a tensor at a time, and hashed as it is read when
    /// the registry pins a checksum.
    File {
        path: PathBuf,
        sha256: Option<&'a str>,
    },
}

/// A reader that hashes (sha256) everything read through it.
struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: std::io::Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: sha2::Digest::new(),
        }
    }

    /// The hash of everything read so far, as lowercase hex.
    fn hex(&self) -> String {
        lower_hex(&sha2::Digest::finalize(self.hasher.clone()))
    }
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }
}

fn cannot_read(path: &Path, e: std::io::Error, what: &str) -> Error {
    Error::ModelFile {
        path: path.to_path_buf(),
        reason: format!("cannot read it ({e}); expected {what}"),
    }
}

fn checksum_error(path: PathBuf, got: &str, sum: &str) -> Error {
    Error::ModelFile {
        path,
        reason: format!(
            "sha256 is {got} but the registry expects {sum}; the file is corrupt or another \
             version: fetch it again, or turn off checksum verification (`--no-verify` on \
             the command line, `NerOptions::with_verify_checksums(false)` in Rust)"
        ),
    }
}
