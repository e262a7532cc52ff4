//! Resuming a killed run: see [`Resume`].

use crate::corpus::InputDoc;
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

/// Resuming a killed run: the documents an earlier run already wrote to a
/// JSON-lines output file.
///
/// A run over a large corpus writes one complete line per document
/// ([`Format::Jsonl`](super::Format::Jsonl)), flushed as it goes, in input
/// order. If the process is killed, the file holds the documents done so far
/// and perhaps one line cut short. [`Resume::open`] reads the ids of the
/// complete lines, cuts the partial line off, and hands back the file ready
/// to append to; [`Resume::pending`] then drops the inputs already done, so
/// the resumed run writes exactly what the killed one had left: the final
/// file equals an uninterrupted run's, byte for byte (`tests/cli.rs`).
///
/// ```
/// use saidwho::corpus::{InputFormat, Inputs};
/// use saidwho::output::Resume;
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("out.jsonl");
/// std::fs::write(&path, "{\"id\":\"a\"}\n{\"id\":\"b\",\"sen")?; // killed while writing b
/// let (resume, _file) = Resume::open(&path)?;
/// assert_eq!(resume.done(), 1);
/// assert_eq!(std::fs::read_to_string(&path)?, "{\"id\":\"a\"}\n");
/// # let input = dir.path().join("in.jsonl");
/// # std::fs::write(&input, "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n")?;
/// let inputs = Inputs::new([input.to_str().unwrap()], InputFormat::JsonLines);
/// let todo: Vec<_> = resume.pending(inputs).collect();
/// assert_eq!(todo.len(), 1);
/// assert_eq!(todo[0].as_ref().unwrap().id, "b");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Resume {
    done: HashSet<String>,
    dropped: u64,
}

impl Resume {
    /// Reads the output file at `path` (created if missing): the `id` of
    /// each complete line. A trailing line without its newline — the
    /// document being written when the run was killed — is cut off the file,
    /// to be done again. Returns the file opened for appending after the last
    /// complete line.
    ///
    /// A complete line that is not a JSON object with a string `id` is an
    /// [`Error::Input`] naming the file and line: the file is not an output
    /// of `extract --format jsonl`, and nothing is appended to it.
    pub fn open(path: &Path) -> Result<(Resume, File)> {
        let io = |e: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        let mut done = HashSet::new();
        let mut complete: u64 = 0;
        let mut total: u64 = 0;
        let mut reader = BufReader::new(&mut file);
        let mut buf = Vec::new();
        let mut line_no = 0;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(io)? as u64;
            if n == 0 {
                break;
            }
            total += n;
            if buf.last() != Some(&b'\n') {
                break; // a partial last line
            }
            line_no += 1;
            let bad = |reason: String| Error::Input {
                source_name: path.display().to_string(),
                line: line_no,
                reason,
            };
            let id = match serde_json::from_slice::<serde_json::Value>(&buf) {
                Ok(value) => match value.get("id") {
                    Some(serde_json::Value::String(id)) => id.clone(),
                    _ => {
                        return Err(bad(
                            "no string \"id\": not an output of `extract --format jsonl`; \
                             refusing to append to it"
                                .into(),
                        ))
                    }
                },
                Err(e) => {
                    return Err(bad(format!(
                        "not JSON ({e}): not an output of `extract --format jsonl`; refusing \
                         to append to it"
                    )))
                }
            };
            done.insert(id);
            complete = total;
        }
        drop(reader);
        file.set_len(complete).map_err(io)?;
        file.seek(SeekFrom::Start(complete)).map_err(io)?;
        Ok((
            Resume {
                done,
                dropped: total - complete,
            },
            file,
        ))
    }

    /// Number of documents already complete in the file.
    pub fn done(&self) -> usize {
        self.done.len()
    }

    /// Bytes of a partial last line cut off the file (0 when it ended
    /// cleanly).
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped
    }

    /// True when the document `id` is complete in the file.
    pub fn is_done(&self, id: &str) -> bool {
        self.done.contains(id)
    }

    /// The inputs still to do, in order: those whose id is not complete in
    /// the file. An id seen twice in the input is an [`Error::Input`] naming
    /// the line of the second one (and of the first): with duplicate ids,
    /// what is "done" is ambiguous, so it is reported, never skipped
    /// silently. Input errors pass through.
    pub fn pending<I>(self, inputs: I) -> impl Iterator<Item = Result<InputDoc>>
    where
        I: IntoIterator<Item = Result<InputDoc>>,
    {
        let mut seen: HashMap<String, (String, usize)> = HashMap::new();
        inputs.into_iter().filter_map(move |input| {
            let doc = match input {
                Ok(doc) => doc,
                Err(e) => return Some(Err(e)),
            };
            if let Some((source, line)) = seen.get(&doc.id) {
                return Some(Err(Error::Input {
                    source_name: doc.source,
                    line: doc.line,
                    reason: format!(
                        "duplicate id `{}` (first at {source}:{line}); ids must be unique to \
                         resume",
                        doc.id
                    ),
                }));
            }
            seen.insert(doc.id.clone(), (doc.source.clone(), doc.line));
            (!self.done.contains(&doc.id)).then_some(Ok(doc))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, line: usize) -> Result<InputDoc> {
        Ok(InputDoc {
            id: id.into(),
            text: "t".into(),
            source: "in.jsonl".into(),
            line,
        })
    }

    #[test]
    fn partial_lines_are_cut_and_complete_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",").unwrap();
        let (resume, _) = Resume::open(&path).unwrap();
        assert_eq!(resume.done(), 2);
        assert_eq!(resume.dropped_bytes(), 10);
        assert!(resume.is_done("b") && !resume.is_done("c"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
        );
    }

    #[test]
    fn a_missing_file_is_created_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.jsonl");
        let (resume, _) = Resume::open(&path).unwrap();
        assert_eq!((resume.done(), resume.dropped_bytes()), (0, 0));
        assert!(path.exists());
    }

    #[test]
    fn a_foreign_file_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "{\"id\":\"a\"}\nhello\n").unwrap();
        let err = Resume::open(&path).unwrap_err().to_string();
        assert!(err.contains("notes.txt:2"), "{err}");
        // Nothing was cut.
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"a\"}\nhello\n"
        );
    }

    #[test]
    fn done_inputs_are_skipped_and_duplicates_named() {
        let resume = Resume {
            done: ["a".to_string()].into(),
            dropped: 0,
        };
        let out: Vec<_> = resume
            .pending([doc("a", 1), doc("b", 2), doc("b", 3), doc("c", 4)])
            .collect();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_ref().unwrap().id, "b");
        let err = out[1].as_ref().unwrap_err().to_string();
        assert!(
            err.contains("in.jsonl:3") && err.contains("in.jsonl:2"),
            "{err}"
        );
        assert_eq!(out[2].as_ref().unwrap().id, "c");
    }
}
