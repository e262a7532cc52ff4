//! The model registry, `models.toml`: which models saidwho knows by name,
//! where their files come from, and the sha256 of each file.
//!
//! # Format
//!
//! ```toml
//! [[model]]
//! name     = "conll03-distilbert-cased"  # the name users pass (required, unique)
//! backend  = "candle"                    # "candle" (default) or "rust-bert"
//! scheme   = "bio"                       # "bio" (IOB2), "iob1", "bioes"/"bilou" or "auto" (default)
//! labels   = ["O", "B-PER", "I-PER"]     # optional: id2label must equal this list
//! dir      = "conll03-distilbert-cased"  # directory name in the search path (default: name)
//! hf_repo  = "org/name"                  # optional: Hugging Face repo holding the files
//! revision = "0123abc…"                  # optional: the commit or tag of hf_repo
//! description = "…"                      # optional, free text
//! [model.files]                          # file name → sha256 (lowercase hex), checked on load
//! "config.json" = "2d5c…"
//! ```
//!
//! # Resolution
//!
//! [`Registry::resolve`] takes either a directory (used as is, nothing
//! verified) or a name. A name is looked up in the registry — the built-in one
//! compiled from the crate's `models.toml`, plus any user file merged over it
//! — and a directory `dir` is searched in each directory of the search path
//! (`SAIDWHO_MODELS`, colon-separated). saidwho never downloads: a model not
//! found is an [`Error::ModelNotFound`] that says where it looked and how to
//! get the files.

use super::backends::BackendKind;
use super::labels::LabelScheme;
use super::options::LoadOptions;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The registry compiled into the crate.
const BUILTIN: &str = include_str!("../../models.toml");

/// Environment variable holding the model search path.
pub const MODELS_ENV: &str = "SAIDWHO_MODELS";

/// One `[[model]]` of the registry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// The model's name.
    pub name: String,
    /// Backend that runs it.
    #[serde(default)]
    pub backend: BackendKind,
    /// Label scheme, `"auto"` when absent.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Expected `id2label`, when given.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Directory name searched in the search path (default: `name`).
    #[serde(default)]
    pub dir: Option<String>,
    /// Hugging Face repo id the files come from.
    #[serde(default)]
    pub hf_repo: Option<String>,
    /// Revision (commit or tag) of `hf_repo`.
    #[serde(default)]
    pub revision: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// File name → sha256 in lowercase hex.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

impl ModelEntry {
    /// The label scheme set for the model, `None` for automatic detection.
    pub fn label_scheme(&self) -> Result<Option<LabelScheme>> {
        match self.scheme.as_deref() {
            None | Some("auto") => Ok(None),
            Some(s) => s.parse().map(Some),
        }
    }

    /// Directory name of the model in the search path.
    pub fn dir_name(&self) -> &str {
        self.dir.as_deref().unwrap_or(&self.name)
    }

    /// Where the files come from, for error messages.
    fn origin(&self) -> String {
        let files = if self.files.is_empty() {
            "config.json, tokenizer.json (or vocab.txt with tokenizer_config.json), \
             model.safetensors"
                .to_string()
        } else {
            self.files.keys().cloned().collect::<Vec<_>>().join(", ")
        };
        match &self.hf_repo {
            Some(repo) => format!(
                "fetch {files} from the Hugging Face repo {repo} (revision {}) into a \
                 directory `{}`",
                self.revision.as_deref().unwrap_or("main"),
                self.dir_name()
            ),
            None => format!(
                "put a directory `{}` holding {files} in one of those directories",
                self.dir_name()
            ),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    model: Vec<ModelEntry>,
}

/// The models saidwho knows by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registry {
    entries: Vec<ModelEntry>,
}

/// A model directory, with its registry entry when it was found by name.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedModel {
    /// The model directory.
    pub dir: PathBuf,
    /// The registry entry (checksums, scheme), `None` for a directory given
    /// explicitly or found by a name the registry lacks.
    pub entry: Option<ModelEntry>,
}

impl Registry {
    /// The registry compiled from the crate's `models.toml`.
    pub fn builtin() -> Result<Self> {
        Registry::parse(BUILTIN, Path::new("models.toml (built in)"))
    }

    /// Reads a registry file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Registry::parse(&text, path)
    }

    /// Parses registry text; `origin` names it in error messages.
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let bad = |reason: String| Error::Registry {
            path: origin.to_path_buf(),
            reason,
        };
        let file: RegistryFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut names = std::collections::HashSet::new();
        for m in &file.model {
            if m.name.trim().is_empty() {
                return Err(bad("a [[model]] has an empty name".into()));
            }
            if !names.insert(m.name.as_str()) {
                return Err(bad(format!("model `{}` is listed twice", m.name)));
            }
            m.label_scheme()
                .map_err(|e| bad(format!("model `{}`: {e}", m.name)))?;
            let plain =
                |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "." && s != "..";
            if !plain(m.dir_name()) {
                return Err(bad(format!(
                    "model `{}`: dir `{}` must be a plain directory name",
                    m.name,
                    m.dir_name()
                )));
            }
            for (file, sum) in &m.files {
                if !plain(file) {
                    return Err(bad(format!(
                        "model `{}`: file `{file}` must be a plain file name",
                        m.name
                    )));
                }
                if sum.len() != 64 || !sum.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(bad(format!(
                        "model `{}`: sha256 of `{file}` must be 64 lowercase hex digits, got `{sum}`",
                        m.name
                    )));
                }
            }
        }
        Ok(Registry {
            entries: file.model,
        })
    }

    /// Adds `other`'s models; a model of the same name replaces ours.
    pub fn merge(&mut self, other: Registry) {
        for m in other.entries {
            match self.entries.iter_mut().find(|e| e.name == m.name) {
                Some(e) => *e = m,
                None => self.entries.push(m),
            }
        }
    }

    /// The entry named `name`.
    pub fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// All entries.
    pub fn entries(&self) -> &[ModelEntry] {
        &self.entries
    }

    /// Finds the model `name_or_dir`: an existing directory as is, otherwise
    /// a name searched in `search_path` (see the module docs).
    pub fn resolve(&self, name_or_dir: &str, search_path: &[PathBuf]) -> Result<ResolvedModel> {
        let as_path = Path::new(name_or_dir);
        if as_path.is_dir() {
            return Ok(ResolvedModel {
                dir: as_path.to_path_buf(),
                entry: None,
            });
        }
        let entry = self.get(name_or_dir);
        let looks_like_path = name_or_dir.contains(['/', '\\']) || name_or_dir.starts_with('.');
        if entry.is_none() && looks_like_path {
            return Err(Error::ModelNotFound {
                name: name_or_dir.to_string(),
                hint: "no such directory; pass a directory holding config.json, \
                       tokenizer.json (or vocab.txt) and model.safetensors, or a model name"
                    .into(),
            });
        }
        let dir_name = entry.map_or(name_or_dir, ModelEntry::dir_name);
        for base in search_path {
            let dir = base.join(dir_name);
            if dir.is_dir() {
                return Ok(ResolvedModel {
                    dir,
                    entry: entry.cloned(),
                });
            }
        }
        let looked = if search_path.is_empty() {
            format!("the search path is empty ({MODELS_ENV} is not set)")
        } else if let Some(model_dir) = model_dirs_in(search_path).first() {
            format!(
                "{MODELS_ENV} should name the directory that holds model directories, but {} \
                 is itself a model directory (it holds config.json): set {MODELS_ENV}={}, or \
                 pass the directory itself as the model",
                model_dir.display(),
                model_dir
                    .parent()
                    .map_or_else(|| ".".into(), |p| p.display().to_string())
            )
        } else {
            format!(
                "looked for `{dir_name}` in {}",
                search_path
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let how = match entry {
            Some(e) => format!(
                "{}, and set {MODELS_ENV} to the directories holding it (colon-separated)",
                e.origin()
            ),
            None => format!(
                "it is not in the registry either (known: {}); pass a model directory, set \
                 {MODELS_ENV}, or register it in a models.toml",
                self.entries
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(Error::ModelNotFound {
            name: name_or_dir.to_string(),
            hint: format!("{looked}; {how}"),
        })
    }
}

/// The directories of `search_path` that are themselves model directories
/// (they hold a `config.json`): a search path should list the directories
/// that *hold* model directories, so these are almost surely a mistake.
pub fn model_dirs_in(search_path: &[PathBuf]) -> Vec<PathBuf> {
    search_path
        .iter()
        .filter(|d| d.join("config.json").is_file())
        .cloned()
        .collect()
}

/// The state of one registered file of a found model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileCheck {
    /// Its sha256 is the registered one.
    Ok,
    /// Its sha256 differs from the registered one.
    Mismatch {
        /// The file's sha256, lowercase hex.
        sha256: String,
    },
    /// The file is not in the model directory.
    Missing,
    /// The file is there but could not be read.
    Unreadable(String),
    /// The file is there; its checksum was not computed (verification off).
    NotVerified,
}

/// Where one registered model was looked for and found, and whether its
/// files are the registered ones ([`list_models`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelStatus {
    /// The registry entry.
    pub entry: ModelEntry,
    /// The directories searched for it, in order.
    pub searched: Vec<PathBuf>,
    /// The first of them that exists.
    pub found: Option<PathBuf>,
    /// Each registered file (name, state), when the model was found.
    pub files: Vec<(String, FileCheck)>,
}

impl ModelStatus {
    /// True unless the model was found with a file missing, unreadable or
    /// not the registered one.
    pub fn is_sound(&self) -> bool {
        self.files
            .iter()
            .all(|(_, c)| matches!(c, FileCheck::Ok | FileCheck::NotVerified))
    }
}

/// The registry's models and where they are: what `saidwho models` prints.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelList {
    /// The search path used.
    pub search_path: Vec<PathBuf>,
    /// True when the search path came from `SAIDWHO_MODELS`.
    pub from_env: bool,
    /// Search-path directories that are themselves model directories
    /// ([`model_dirs_in`]).
    pub misplaced: Vec<PathBuf>,
    /// Each registered model, in registry order (built-in first, then the
    /// user registry's new entries).
    pub models: Vec<ModelStatus>,
}

impl Registry {
    /// The built-in registry with the user registry of `options` (if any)
    /// merged over it, and the search path of `options` (or `SAIDWHO_MODELS`).
    pub fn from_options(options: &LoadOptions) -> Result<(Registry, Vec<PathBuf>)> {
        let mut registry = Registry::builtin()?;
        if let Some(path) = &options.registry {
            registry.merge(Registry::load(path)?);
        }
        let search = options
            .search_path
            .clone()
            .unwrap_or_else(search_path_from_env);
        Ok((registry, search))
    }

    /// Where each model is in `search_path` and, when `verify`, whether
    /// the sha256 of each of its registered files holds (reading every
    /// file: seconds for large weights).
    pub fn status(&self, search_path: &[PathBuf], verify: bool) -> Vec<ModelStatus> {
        self.entries
            .iter()
            .map(|entry| {
                let searched: Vec<PathBuf> = search_path
                    .iter()
                    .map(|base| base.join(entry.dir_name()))
                    .collect();
                let found = searched.iter().find(|d| d.is_dir()).cloned();
                let files = match &found {
                    None => Vec::new(),
                    Some(dir) => entry
                        .files
                        .iter()
                        .map(|(name, sum)| (name.clone(), check_file(&dir.join(name), sum, verify)))
                        .collect(),
                };
                ModelStatus {
                    entry: entry.clone(),
                    searched,
                    found,
                    files,
                }
            })
            .collect()
    }
}

/// The registry's models (built in, plus `options.registry`), where each
/// was looked for and found in the search path, and, when
/// `options.verify_checksums`, whether its files' sha256 hold.
pub fn list_models(options: &LoadOptions) -> Result<ModelList> {
    let (registry, search_path) = Registry::from_options(options)?;
    Ok(ModelList {
        from_env: options.search_path.is_none(),
        misplaced: model_dirs_in(&search_path),
        models: registry.status(&search_path, options.verify_checksums),
        search_path,
    })
}

/// The state of the file `path`, registered with sha256 `sum`.
fn check_file(path: &Path, sum: &str, verify: bool) -> FileCheck {
    use sha2::{Digest, Sha256};
    if !path.is_file() {
        return FileCheck::Missing;
    }
    if !verify {
        return FileCheck::NotVerified;
    }
    let mut hasher = Sha256::new();
    let hashed = std::fs::File::open(path).and_then(|mut f| std::io::copy(&mut f, &mut hasher));
    if let Err(e) = hashed {
        return FileCheck::Unreadable(e.to_string());
    }
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if got == sum {
        FileCheck::Ok
    } else {
        FileCheck::Mismatch { sha256: got }
    }
}

/// The search path from `SAIDWHO_MODELS` (empty when unset).
pub fn search_path_from_env() -> Vec<PathBuf> {
    std::env::var_os(MODELS_ENV)
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    lower_hex(&Sha256::digest(bytes))
}

/// Bytes as lowercase hex, two digits each (how checksums are written).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_parses() {
        let r = Registry::builtin().unwrap();
        let m = r.get("conll03-distilbert-cased").unwrap();
        assert_eq!(m.backend, BackendKind::Candle);
        assert_eq!(m.label_scheme().unwrap(), Some(LabelScheme::Bio));
        assert_eq!(m.files.len(), 3);
        assert_eq!(m.labels.as_ref().unwrap().len(), 9);
    }

    #[test]
    fn rejects_bad_entries() {
        let p = Path::new("t.toml");
        for bad in [
            "[[model]]\nname = \"a\"\n[[model]]\nname = \"a\"\n",
            "[[model]]\nname = \"a\"\nscheme = \"xyz\"\n",
            "[[model]]\nname = \"a\"\n[model.files]\n\"x\" = \"abc\"\n",
            "[[model]]\nname = \"a\"\n[model.files]\n\"../x\" = \"\"\n",
            "[[model]]\nname = \"a\"\nbackend = \"onnx\"\n",
            "[[model]]\nname = \"a\"\ntypo = 1\n",
            "[[model]\n",
        ] {
            assert!(
                matches!(Registry::parse(bad, p), Err(Error::Registry { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn merge_overrides_and_resolve_reports_where_it_looked() {
        let mut r = Registry::builtin().unwrap();
        let user = Registry::parse(
            "[[model]]\nname = \"mine\"\ndir = \"m\"\nhf_repo = \"me/mine\"\n",
            Path::new("u"),
        )
        .unwrap();
        r.merge(user);
        assert!(r.get("mine").is_some() && r.get("conll03-distilbert-cased").is_some());
        let tmp = std::env::temp_dir().join(format!("saidwho-reg-{}", std::process::id()));
        let err = r.resolve("mine", std::slice::from_ref(&tmp)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("me/mine") && msg.contains(&tmp.display().to_string()),
            "{msg}"
        );
        std::fs::create_dir_all(tmp.join("m")).unwrap();
        let found = r.resolve("mine", std::slice::from_ref(&tmp)).unwrap();
        assert_eq!(found.dir, tmp.join("m"));
        assert_eq!(found.entry.unwrap().name, "mine");
        std::fs::remove_dir_all(&tmp).unwrap();
        assert!(matches!(
            r.resolve("./nope/nope", &[]),
            Err(Error::ModelNotFound { .. })
        ));
    }

    #[test]
    fn a_search_path_naming_a_model_directory_is_called_out() {
        let r = Registry::builtin().unwrap();
        let tmp =
            std::env::temp_dir().join(format!("saidwho-reg-misplaced-{}", std::process::id()));
        let model = tmp.join("conll03-distilbert-cased");
        std::fs::create_dir_all(&model).unwrap();
        std::fs::write(model.join("config.json"), "{}").unwrap();
        let msg = r
            .resolve("conll03-distilbert-cased", std::slice::from_ref(&model))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("should name the directory that holds model directories")
                && msg.contains(&format!("{} is itself a model directory", model.display()))
                && msg.contains(&format!("{MODELS_ENV}={}", tmp.display())),
            "{msg}"
        );
        // Its parent is the right search path.
        let found = r.resolve("conll03-distilbert-cased", std::slice::from_ref(&tmp));
        assert_eq!(found.unwrap().dir, model);
        // The listing: found with config.json corrupt, the others missing.
        let status = r.status(std::slice::from_ref(&tmp), true);
        let s = status
            .iter()
            .find(|s| s.entry.name == "conll03-distilbert-cased")
            .unwrap();
        assert_eq!(s.found.as_ref(), Some(&model));
        assert_eq!(s.searched, std::slice::from_ref(&model));
        let config = s.files.iter().find(|(f, _)| f == "config.json").unwrap();
        assert_eq!(
            config.1,
            FileCheck::Mismatch {
                sha256: sha256_hex(b"{}")
            }
        );
        let weights = s
            .files
            .iter()
            .find(|(f, _)| f == "model.safetensors")
            .unwrap();
        assert_eq!(weights.1, FileCheck::Missing);
        assert!(!s.is_sound());
        let unverified = r.status(std::slice::from_ref(&tmp), false);
        assert!(unverified[0]
            .files
            .contains(&("config.json".into(), FileCheck::NotVerified)));
        assert_eq!(
            model_dirs_in(&[tmp.clone(), model.clone()]),
            std::slice::from_ref(&model)
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
