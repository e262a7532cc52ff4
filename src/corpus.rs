//! Reading documents from files, directories, standard input and JSON lines.
//!
//! Corpus tools all need the same thing: turn a list of command-line inputs
//! into `(id, text)` records, and when one record is bad (a missing file,
//! invalid UTF-8, a malformed JSON line) say exactly which one and go on with
//! the rest. [`Inputs`] does that as an iterator of `Result`s, so one bad
//! article never stops a corpus run.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One document to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDoc {
    /// The caller's identifier: the file path, or the `id` of a JSON line.
    pub id: String,
    /// The text.
    pub text: String,
    /// The file it came from (`-` for standard input).
    pub source: String,
    /// Its 1-based line in `source` (1 for a whole file).
    pub line: usize,
}

/// How input files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Each file is one document (a directory: each `*.txt` in it).
    #[default]
    Text,
    /// Each line of each file is a JSON object `{"id": "...", "text": "..."}`.
    JsonLines,
}

#[derive(Deserialize)]
struct JsonLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    text: String,
}

/// Parses one JSON line `{"id", "text"}`. A missing, null or empty `id`
/// becomes `source:line` (a document always has an id to name it by); a
/// numeric id is written as a string.
///
/// ```
/// use saidwho::corpus::parse_json_line;
/// let doc = parse_json_line(r#"{"id": 7, "text": "Hi."}"#, "in.jsonl", 3).unwrap();
/// assert_eq!((doc.id.as_str(), doc.text.as_str()), ("7", "Hi."));
/// let doc = parse_json_line(r#"{"id": "", "text": "Hi."}"#, "in.jsonl", 5).unwrap();
/// assert_eq!(doc.id, "in.jsonl:5");
/// assert!(parse_json_line("{oops", "in.jsonl", 4).unwrap_err().to_string().contains("in.jsonl:4"));
/// ```
pub fn parse_json_line(line: &str, source: &str, line_no: usize) -> Result<InputDoc> {
    let rec: JsonLine = serde_json::from_str(line).map_err(|e| Error::Input {
        source_name: source.to_string(),
        line: line_no,
        reason: format!("not a JSON object with a string field \"text\": {e}"),
    })?;
    let id = match rec.id {
        None | Some(serde_json::Value::Null) => format!("{source}:{line_no}"),
        // Found by the `jsonl` fuzz target: `"id": ""` gave a document
        // with no name.
        Some(serde_json::Value::String(s)) if s.is_empty() => format!("{source}:{line_no}"),
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    Ok(InputDoc {
        id,
        text: rec.text,
        source: source.to_string(),
        line: line_no,
    })
}

enum Pending {
    Path(PathBuf),
    Stdin,
}

/// Iterator over the documents of a list of inputs, each a file, a directory
/// or `-` (standard input), yielding an error for each bad record and going
/// on with the rest. A directory without `*.txt` files is an error
/// ([`Error::NoInputFiles`]), not silently nothing.
///
/// ```no_run
/// use saidwho::corpus::{InputFormat, Inputs};
/// for doc in Inputs::new(["articles/", "-"], InputFormat::Text) {
///     match doc {
///         Ok(doc) => println!("{}: {} bytes", doc.id, doc.text.len()),
///         Err(e) => eprintln!("skipped: {e}"),
///     }
/// }
/// ```
pub struct Inputs {
    format: InputFormat,
    pending: std::collections::VecDeque<Pending>,
    lines: Option<(String, usize, Box<dyn BufRead + Send>)>,
}

impl Inputs {
    /// Inputs from command-line style arguments.
    pub fn new<I, S>(inputs: I, format: InputFormat) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let pending = inputs
            .into_iter()
            .map(|s| match s.as_ref() {
                "-" => Pending::Stdin,
                p => Pending::Path(PathBuf::from(p)),
            })
            .collect();
        Inputs {
            format,
            pending,
            lines: None,
        }
    }

    fn open(&mut self, item: Pending) -> Option<Result<InputDoc>> {
        let (name, reader): (String, Box<dyn Read + Send>) = match item {
            Pending::Stdin => ("-".to_string(), Box::new(std::io::stdin())),
            Pending::Path(path) if path.is_dir() => {
                return match txt_files(&path) {
                    Ok(files) if files.is_empty() => Some(Err(Error::NoInputFiles { dir: path })),
                    Ok(files) => {
                        for f in files.into_iter().rev() {
                            self.pending.push_front(Pending::Path(f));
                        }
                        None
                    }
                    Err(e) => Some(Err(e)),
                };
            }
            Pending::Path(path) => match std::fs::File::open(&path) {
                Ok(f) => (path.display().to_string(), Box::new(f)),
                Err(source) => return Some(Err(Error::Io { path, source })),
            },
        };
        match self.format {
            InputFormat::JsonLines => {
                self.lines = Some((name, 0, Box::new(BufReader::new(reader))));
                None
            }
            InputFormat::Text => Some(read_text(name, reader)),
        }
    }

    fn next_line(&mut self) -> Option<Result<InputDoc>> {
        let (name, line_no, reader) = self.lines.as_mut()?;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            *line_no += 1;
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    self.lines = None;
                    return None;
                }
                Ok(_) => {
                    let line = match std::str::from_utf8(&buf) {
                        Ok(l) => l.trim_ascii(),
                        Err(e) => {
                            return Some(Err(Error::Input {
                                source_name: name.clone(),
                                line: *line_no,
                                reason: format!("invalid UTF-8: {e}"),
                            }))
                        }
                    };
                    if line.is_empty() {
                        continue;
                    }
                    return Some(parse_json_line(line, name, *line_no));
                }
                Err(e) => {
                    let err = Error::Input {
                        source_name: name.clone(),
                        line: *line_no,
                        reason: format!("read error: {e}"),
                    };
                    self.lines = None;
                    return Some(Err(err));
                }
            }
        }
    }
}

impl Iterator for Inputs {
    type Item = Result<InputDoc>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.lines.is_some() {
                if let Some(item) = self.next_line() {
                    return Some(item);
                }
                continue;
            }
            let item = self.pending.pop_front()?;
            if let Some(result) = self.open(item) {
                return Some(result);
            }
        }
    }
}

fn read_text(name: String, mut reader: Box<dyn Read + Send>) -> Result<InputDoc> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return Err(Error::Input {
            source_name: name,
            line: 1,
            reason: format!("read error: {e}"),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(InputDoc {
            source: name.clone(),
            id: name,
            text,
            line: 1,
        }),
        Err(e) => {
            let prefix = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count();
            Err(Error::Input {
                source_name: name,
                line,
                reason: format!(
                    "invalid UTF-8 at byte {}; convert the file to UTF-8 (e.g. with iconv)",
                    prefix.len()
                ),
            })
        }
    }
}

/// The `*.txt` files of a directory, sorted by name.
fn txt_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "txt") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("saidwho-corpus-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn directory_files_in_order_and_bad_file_reported() {
        let dir = tmpdir("dir");
        std::fs::write(dir.join("b.txt"), "Second.").unwrap();
        std::fs::write(dir.join("a.txt"), "First.").unwrap();
        std::fs::write(dir.join("c.txt"), b"ok\nbad \xff byte").unwrap();
        std::fs::write(dir.join("skip.md"), "not text").unwrap();
        let missing = dir.join("missing.txt");
        let out: Vec<_> = Inputs::new(
            [dir.to_str().unwrap(), missing.to_str().unwrap()],
            InputFormat::Text,
        )
        .collect();
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_ref().unwrap().text, "First.");
        assert_eq!(out[1].as_ref().unwrap().text, "Second.");
        let err = out[2].as_ref().unwrap_err().to_string();
        assert!(err.contains("c.txt:2") && err.contains("UTF-8"), "{err}");
        assert!(matches!(out[3], Err(Error::Io { .. })));
    }

    #[test]
    fn a_directory_without_txt_files_is_an_error_naming_it() {
        let dir = tmpdir("empty");
        std::fs::write(dir.join("notes.md"), "not text").unwrap();
        let out: Vec<_> = Inputs::new([dir.to_str().unwrap()], InputFormat::Text).collect();
        assert_eq!(out.len(), 1);
        assert!(
            matches!(&out[0], Err(Error::NoInputFiles { dir: d }) if *d == dir),
            "{out:?}"
        );
    }

    #[test]
    fn json_lines_keep_going_after_a_bad_line() {
        let dir = tmpdir("jsonl");
        let f = dir.join("in.jsonl");
        std::fs::write(
            &f,
            "{\"id\":\"a\",\"text\":\"A.\"}\n\nnot json\n{\"text\":\"C.\"}\n",
        )
        .unwrap();
        let out: Vec<_> = Inputs::new([f.to_str().unwrap()], InputFormat::JsonLines).collect();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_ref().unwrap().id, "a");
        assert!(out[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("in.jsonl:3"));
        let c = out[2].as_ref().unwrap();
        assert!(c.id.ends_with("in.jsonl:4") && c.text == "C.");
    }
}

/// How many documents go into one [`Pipeline::analyze_batch`](crate::Pipeline::analyze_batch)
/// call when a corpus is streamed through [`batches`].
///
/// A batch closes when it holds `docs` documents or at least `bytes` bytes
/// of text, whichever comes first (a single larger document is a batch of
/// its own). The defaults come from `corpus_bench` on the 2-core workplace
/// machine: 64 KiB is some 650 one-sentence documents — enough sentences of
/// each length to fill forward passes (256 documents ran 13 % slower) — or
/// about six articles, small enough that the last batch of a corpus does
/// not keep one core waiting (256 KiB ran 20 % slower on 84 articles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize {
    /// Most documents per batch. Default 1024.
    pub docs: usize,
    /// Bytes of text after which a batch closes. Default 64 KiB.
    pub bytes: usize,
}

impl Default for BatchSize {
    fn default() -> Self {
        BatchSize {
            docs: 1024,
            bytes: 64 << 10,
        }
    }
}

/// Groups `items` into batches of at most `size.docs` items and about
/// `size.bytes` bytes, as `bytes_of` weighs them; order is kept.
///
/// ```
/// use saidwho::corpus::{batches, BatchSize};
/// let size = BatchSize { docs: 3, bytes: 10 };
/// let texts = ["a", "b", "c", "d", "0123456789ab", "e"];
/// let out: Vec<Vec<&str>> = batches(texts, size, |t| t.len()).collect();
/// assert_eq!(out, [vec!["a", "b", "c"], vec!["d", "0123456789ab"], vec!["e"]]);
/// ```
pub fn batches<I, F>(items: I, size: BatchSize, bytes_of: F) -> Batches<I::IntoIter, F>
where
    I: IntoIterator,
    F: FnMut(&I::Item) -> usize,
{
    Batches {
        items: items.into_iter(),
        size,
        bytes_of,
    }
}

/// The iterator of [`batches`].
#[derive(Debug)]
pub struct Batches<I, F> {
    items: I,
    size: BatchSize,
    bytes_of: F,
}

impl<I, F> Iterator for Batches<I, F>
where
    I: Iterator,
    F: FnMut(&I::Item) -> usize,
{
    type Item = Vec<I::Item>;

    fn next(&mut self) -> Option<Vec<I::Item>> {
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while batch.len() < self.size.docs.max(1) && bytes < self.size.bytes.max(1) {
            let Some(item) = self.items.next() else { break };
            bytes = bytes.saturating_add((self.bytes_of)(&item));
            batch.push(item);
        }
        (!batch.is_empty()).then_some(batch)
    }
}

/// Maps `work` over `items` on `threads` threads and hands the results to
/// `sink` **in input order**, as soon as each next one is ready.
///
/// At most `4 × threads` items are in flight at once, so a slow item holds
/// back memory use, not correctness; `sink` runs on the calling thread, so it
/// can write to stdout without locking. With `threads <= 1` everything runs
/// on the calling thread.
///
/// ```
/// use saidwho::corpus::map_ordered;
/// let mut out = Vec::new();
/// map_ordered(0..100u64, 4, |x| x * x, |i, y| out.push((i, y)));
/// assert_eq!(out, (0..100u64).map(|x| (x as usize, x * x)).collect::<Vec<_>>());
/// ```
pub fn map_ordered<I, T, R, W, S>(items: I, threads: usize, work: W, mut sink: S)
where
    I: IntoIterator<Item = T>,
    I::IntoIter: Send,
    T: Send,
    R: Send,
    W: Fn(T) -> R + Sync,
    S: FnMut(usize, R),
{
    use std::collections::BTreeMap;
    use std::sync::{mpsc, Condvar, Mutex};

    if threads <= 1 {
        for (i, item) in items.into_iter().enumerate() {
            sink(i, work(item));
        }
        return;
    }
    let window = 4 * threads;
    // (source, next index to hand out, next index the sink wants)
    let state = Mutex::new((items.into_iter().enumerate(), 0usize));
    let emitted = Mutex::new(0usize);
    let room = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (state, emitted, room, work) = (&state, &emitted, &room, &work);
            scope.spawn(move || loop {
                let (i, item) = {
                    let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
                    // Wait until the item we would take is inside the window.
                    let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                    while guard.1 >= *done + window {
                        done = room.wait(done).unwrap_or_else(|p| p.into_inner());
                    }
                    drop(done);
                    match guard.0.next() {
                        Some(next) => {
                            guard.1 += 1;
                            next
                        }
                        None => return,
                    }
                };
                if tx.send((i, work(item))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut next = 0usize;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&next) {
                sink(next, r);
                next += 1;
                *emitted.lock().unwrap_or_else(|p| p.into_inner()) = next;
                room.notify_all();
            }
        }
    });
}

#[cfg(test)]
mod map_tests {
    use super::map_ordered;

    #[test]
    fn order_is_kept_with_uneven_work() {
        let mut out = Vec::new();
        map_ordered(
            0..200u32,
            3,
            |x| {
                if x % 17 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(3));
                }
                x + 1
            },
            |i, y| out.push((i, y)),
        );
        assert_eq!(out.len(), 200);
        assert!(out.iter().all(|&(i, y)| y as usize == i + 1));
    }
}
