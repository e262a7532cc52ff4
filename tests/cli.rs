//! End-to-end tests of the example binary `saidwho` (built by `cargo test`).

mod common;

use common::binary;

use saidwho::output::{DocumentJson, Offsets, SCHEMA_VERSION};
use saidwho::MentionKind;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sentences_of_the_shipped_article() {
    let out = run(&["sentences", "examples/articles/harbour-strike.txt"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], "examples/articles/harbour-strike.txt");
    let sentences = docs[0]["sentences"].as_array().unwrap();
    assert!(sentences.len() > 10);
    assert_eq!(
        sentences[0]["text"],
        "Dock workers in Port Alden walk out over automation plan"
    );
    let text = std::fs::read_to_string("examples/articles/harbour-strike.txt").unwrap();
    let chars: Vec<char> = text.chars().collect();
    for s in sentences {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[a..b].iter().collect::<String>(),
            s["text"].as_str().unwrap()
        );
    }
}

#[test]
fn offsets_chars_and_bytes_from_stdin_jsonl() {
    let input = "{\"id\": \"r\", \"text\": \"«Да». Нет.\"}\n";
    let chars = json_lines(&run(&["sentences", "--jsonl", "-"], input.as_bytes()));
    let bytes = json_lines(&run(
        &["sentences", "--jsonl", "--offsets", "bytes", "-"],
        input.as_bytes(),
    ));
    assert_eq!(chars[0]["id"], "r");
    assert_eq!(chars[0]["sentences"][1]["start"], 6);
    assert_eq!(bytes[0]["sentences"][1]["start"], 10);
    assert_eq!(bytes[0]["sentences"][1]["text"], "Нет.");
}

#[test]
fn bad_inputs_are_named_and_the_rest_still_runs() {
    let dir = std::env::temp_dir().join(format!("saidwho-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, b"fine line\n\xc3\x28 broken").unwrap();
    let jsonl = dir.join("in.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"a\",\"text\":\"One.\"}\n{broken\n{\"id\":\"c\",\"text\":\"Three.\"}\n",
    )
    .unwrap();
    let out = run(
        &[
            "sentences",
            bad.to_str().unwrap(),
            "no/such/file.txt",
            "examples/articles/harbour-strike.txt",
        ],
        b"",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.txt:2") && err.contains("UTF-8"), "{err}");
    assert!(err.contains("no/such/file.txt"), "{err}");
    assert_eq!(json_lines(&out).len(), 1);

    let out = run(&["sentences", "--jsonl", jsonl.to_str().unwrap()], b"");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in.jsonl:2"), "{err}");
    let ids: Vec<_> = json_lines(&out).iter().map(|d| d["id"].clone()).collect();
    assert_eq!(ids, ["a", "c"]);
}

#[test]
fn extract_formats_and_summary() {
    for format in ["jsonl", "json", "text", "html"] {
        let out = run(
            &[
                "extract",
                "--no-ner",
                "--format",
                format,
                "examples/articles/harbour-strike.txt",
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("saidwho: 1 article,") && err.contains("0 errors"),
            "{err}"
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        match format {
            "jsonl" => {
                let doc: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
                assert!(doc["entities"].is_array() && doc["quotes"].is_array());
            }
            "json" => {
                let docs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert!(docs[0]["sentences"].as_array().unwrap().len() > 10);
            }
            "html" => {
                assert!(stdout.starts_with("<!DOCTYPE html>") && stdout.contains("Port Alden"))
            }
            _ => {}
        }
    }
}

/// `extract --format jsonl` on the shipped article with `args` and
/// `SAIDWHO_MODELS` set to `models` (removed when `None`): its one document.
fn extract_harbour(args: &[&str], models: Option<&std::path::Path>) -> serde_json::Value {
    let mut cmd = Command::new(binary());
    cmd.arg("extract")
        .args(args)
        .args(["--format", "jsonl", "examples/articles/harbour-strike.txt"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    match models {
        Some(dir) => cmd.env("SAIDWHO_MODELS", dir),
        None => cmd.env_remove("SAIDWHO_MODELS"),
    };
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out).swap_remove(0)
}

/// The names of a JSON document's entities.
fn entity_names(doc: &serde_json::Value) -> Vec<&str> {
    doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

/// The README's first command on a machine with no model anywhere: the
/// model inside the binary answers.
#[cfg(feature = "embedded-model")]
#[test]
fn extract_works_with_no_model_installed() {
    let doc = extract_harbour(&[], None);
    let names = entity_names(&doc);
    assert!(names.contains(&"Maria Okafor"), "{names:?}");
    assert!(!doc["quotes"].as_array().unwrap().is_empty());
}

#[test]
fn extract_with_the_model_finds_who_said_what() {
    let Some(model) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let doc = &extract_harbour(
        &["--model", "conll03-distilbert-cased"],
        Some(model.parent().unwrap()),
    );
    let names = entity_names(doc);
    assert!(names.contains(&"Maria Okafor"), "{names:?}");
    let mut rule_made = 0;
    // Every name mention carries its own label and the model's score.
    for e in doc["entities"].as_array().unwrap() {
        for m in e["mentions"].as_array().unwrap() {
            if m["kind"] == "name" {
                assert!(
                    ["PER", "ORG", "LOC", "MISC"].contains(&m["label"].as_str().unwrap()),
                    "{m}"
                );
                let score = m["score"].as_f64().unwrap();
                assert!(score > 0.2 && score <= 1.0, "{m}");
            } else {
                // Pronouns and nominals are the rules' work: no score, not a made-up 1.0.
                rule_made += 1;
                assert!(m["score"].is_null(), "{m}");
            }
        }
    }
    assert!(
        rule_made > 0,
        "the article's pronouns (she, he) were not resolved"
    );
    // The first quote is Okafor's, split by its cue into two content spans.
    let q = &doc["quotes"][0];
    assert_eq!(q["kind"], "direct");
    assert_eq!(q["content"].as_array().unwrap().len(), 2);
    assert_eq!(q["cue"]["text"], "said");
    let entity = q["speaker"]["entity"]
        .as_u64()
        .expect("speaker linked to an entity") as usize;
    assert_eq!(doc["entities"][entity]["name"], "Maria Okafor");
}

/// A JSON-lines corpus of `n` documents (the shipped article, each with its
/// own id and a number so that every output line differs).
fn corpus(n: usize) -> String {
    let text = std::fs::read_to_string("examples/articles/harbour-strike.txt").unwrap();
    (0..n)
        .map(|i| {
            let doc =
                serde_json::json!({"id": format!("d{i}"), "text": format!("{text}\n\nItem {i}.")});
            format!("{doc}\n")
        })
        .collect()
}

#[test]
fn a_killed_extract_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, corpus(3000)).unwrap();
    let extract = |out: &std::path::Path, resume: bool| {
        let mut cmd = Command::new(binary());
        cmd.args(["extract", "--no-ner", "--threads", "1", "--jsonl"])
            .arg(&input)
            .arg("--output")
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if resume {
            cmd.arg("--resume");
        }
        cmd
    };
    // The uninterrupted run.
    let full_path = dir.path().join("full.jsonl");
    let status = extract(&full_path, false).status().unwrap();
    assert!(status.success());
    let full = std::fs::read(&full_path).unwrap();
    assert_eq!(full.iter().filter(|&&b| b == b'\n').count(), 3000);

    // A run killed (SIGKILL) once it has written some documents.
    let cut = dir.path().join("cut.jsonl");
    let mut child = extract(&cut, false).spawn().unwrap();
    let started = std::time::Instant::now();
    while std::fs::metadata(&cut).map_or(0, |m| m.len()) == 0 {
        assert!(started.elapsed().as_secs() < 120, "no output written");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut killed = std::fs::read(&cut).unwrap();
    assert!(
        killed.len() < full.len(),
        "the run ended before it was killed"
    );
    assert_eq!(
        &full[..killed.len()],
        &killed[..],
        "a killed run writes a prefix"
    );
    // Whatever the kill left, also cut the next document mid-line, as a kill
    // during a write would.
    let next_end = full[killed.len()..]
        .iter()
        .position(|&b| b == b'\n')
        .unwrap();
    killed.extend_from_slice(&full[killed.len()..killed.len() + next_end / 2]);
    std::fs::write(&cut, &killed).unwrap();

    let out = extract(&cut, true).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("already done"), "{stderr}");
    assert!(std::fs::read(&cut).unwrap() == full, "resumed file differs");

    // Resuming a complete file does nothing and keeps it.
    let out = extract(&cut, true).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("saidwho: 0 articles"));
    assert!(std::fs::read(&cut).unwrap() == full);
}

#[test]
fn resume_names_duplicate_ids_and_needs_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"One.\"}\n{\"id\":\"b\",\"text\":\"Two.\"}\n{\"id\":\"a\",\"text\":\"Three.\"}\n",
    )
    .unwrap();
    let out_path = dir.path().join("out.jsonl");
    let run_extract = |extra: &[&str]| {
        Command::new(binary())
            .args(["extract", "--no-ner", "--jsonl"])
            .arg(&input)
            .arg("--output")
            .arg(&out_path)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run_extract(&["--resume"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("in.jsonl:3") && stderr.contains("duplicate id `a`"),
        "{stderr}"
    );
    // The unique documents were still written, once each.
    let written = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(written.lines().count(), 2);

    let out = run_extract(&["--resume", "--format", "html"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format jsonl"));
}

/// Two small documents as JSON lines input.
const TWO_DOCS: &str = "{\"id\":\"a\",\"text\":\"\\\"We won,\\\" said Ann Lee. She left.\"}\n\
                        {\"id\":\"b\",\"text\":\"«Да». Нет.\"}\n";

#[test]
fn extract_json_is_one_array_whatever_the_number_of_documents() {
    let many = run(
        &["extract", "--no-ner", "--format", "json", "--jsonl", "-"],
        TWO_DOCS.as_bytes(),
    );
    assert!(
        many.status.success(),
        "{}",
        String::from_utf8_lossy(&many.stderr)
    );
    let docs: serde_json::Value = serde_json::from_slice(&many.stdout)
        .expect("--format json over two documents is one JSON value");
    let ids: Vec<&str> = docs
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    // One document is an array of one, not a bare object.
    let one = run(
        &["extract", "--no-ner", "--format", "json", "--jsonl", "-"],
        TWO_DOCS.lines().next().unwrap().as_bytes(),
    );
    let docs: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(docs.as_array().map(Vec::len), Some(1), "{docs}");
    // No document at all is an empty array.
    let none = run(
        &["extract", "--no-ner", "--format", "json", "--jsonl", "-"],
        b"",
    );
    let docs: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert_eq!(docs, serde_json::json!([]));
}

#[test]
fn every_json_document_names_its_schema_version_and_offsets() {
    for offsets in ["chars", "bytes"] {
        let base = ["--no-ner", "--jsonl", "--offsets", offsets];
        let jsonl = run(
            &[&["extract", "--format", "jsonl"], &base[..], &["-"]].concat(),
            TWO_DOCS.as_bytes(),
        );
        let json = run(
            &[&["extract", "--format", "json"], &base[..], &["-"]].concat(),
            TWO_DOCS.as_bytes(),
        );
        let sentences = run(
            &[&["sentences"], &base[1..], &["-"]].concat(),
            TWO_DOCS.as_bytes(),
        );
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let mut docs = json_lines(&jsonl);
        docs.extend(json.as_array().unwrap().iter().cloned());
        docs.extend(json_lines(&sentences));
        assert_eq!(docs.len(), 6);
        for doc in &docs {
            assert_eq!(doc["schema_version"], 1, "{doc}");
            assert_eq!(doc["offsets"], offsets, "{doc}");
        }
        // The offsets are what the document says: "Нет." starts at code point 6, byte 10.
        let start = if offsets == "chars" { 6 } else { 10 };
        for b in docs.iter().filter(|d| d["id"] == "b") {
            assert_eq!(b["sentences"][1]["text"], "Нет.", "{b}");
            assert_eq!(b["sentences"][1]["start"], start, "{b}");
        }
    }
}

/// Reads `--format FORMAT` output into the crate's own JSON types, writes
/// them again and checks the result is the same JSON; returns the documents.
fn read_back(format: &str, stdout: &[u8]) -> Vec<DocumentJson<'static>> {
    let stdout = std::str::from_utf8(stdout).unwrap();
    let texts: Vec<&str> = match format {
        "json" => vec![stdout],
        _ => stdout.lines().collect(),
    };
    let mut docs = Vec::new();
    for text in texts {
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        let typed: Vec<DocumentJson<'static>> = match format {
            "json" => serde_json::from_str(text).unwrap(),
            _ => vec![serde_json::from_str(text).unwrap()],
        };
        let again = match format {
            "json" => serde_json::to_string(&typed).unwrap(),
            _ => serde_json::to_string(&typed[0]).unwrap(),
        };
        let again: serde_json::Value = serde_json::from_str(&again).unwrap();
        assert_eq!(again, original, "{format}: the round trip changed the JSON");
        docs.extend(typed);
    }
    docs
}

#[test]
fn json_output_reads_back_into_the_crates_own_types() {
    for format in ["json", "jsonl"] {
        // Escaped quote marks and Cyrillic, without the model.
        let out = run(
            &["extract", "--no-ner", "--format", format, "--jsonl", "-"],
            TWO_DOCS.as_bytes(),
        );
        assert!(out.status.success());
        let docs = read_back(format, &out.stdout);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].schema_version, SCHEMA_VERSION);
        assert_eq!(docs[0].offsets, Offsets::Chars);
        assert_eq!(
            docs[0].quotes.as_ref().unwrap()[0].content[0].text,
            "We won,"
        );
    }
    // The shipped article (and the Kursk sample, when SAIDWHO_DATA has it)
    // through the model: entities, scores, speakers.
    let Some(_) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let mut inputs = vec!["examples/articles/harbour-strike.txt".to_string()];
    if let Some(data) = std::env::var_os("SAIDWHO_DATA") {
        let kursk = PathBuf::from(data).join("../samples/kursk-medvedev.txt");
        if kursk.exists() {
            inputs.push(kursk.display().to_string());
        }
    }
    for format in ["json", "jsonl"] {
        let mut args = vec!["extract", "--format", format, "--offsets", "bytes"];
        args.extend(inputs.iter().map(String::as_str));
        let out = run(&args, b"");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let docs = read_back(format, &out.stdout);
        assert_eq!(docs.len(), inputs.len());
        let doc = &docs[0];
        assert_eq!(doc.offsets, Offsets::Bytes);
        let entities = doc.entities.as_ref().unwrap();
        assert!(entities.iter().any(|e| e.name == "Maria Okafor"));
        let mentions = || entities.iter().flat_map(|e| &e.mentions);
        assert!(mentions().any(|m| m.kind == MentionKind::Name && m.score.is_some()));
        assert!(mentions().any(|m| m.kind == MentionKind::Pronoun && m.score.is_none()));
        // Byte offsets slice the article's text to each span's text.
        let text = std::fs::read_to_string(&inputs[0]).unwrap();
        for q in doc.quotes.as_ref().unwrap() {
            for c in &q.content {
                assert_eq!(&text[c.start..c.end], c.text);
            }
        }
    }
}

/// The stderr of `out` as text.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A clap usage error: exit code 2, the message naming `flag`.
fn assert_usage_error(out: &Output, flag: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(flag), "{err}");
}

#[test]
fn extract_takes_registry_and_no_verify() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    common::write_tiny_model(&models.join("tiny"), &common::Tiny::default());
    let registry = dir.path().join("models.toml");
    std::fs::write(
        &registry,
        format!(
            "[[model]]\nname = \"tiny-ner\"\ndir = \"tiny\"\n[model.files]\n\"config.json\" = \"{}\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let extract = |extra: &[&str]| {
        Command::new(binary())
            .args(["extract", "--model", "tiny-ner", "--registry"])
            .arg(&registry)
            .args(extra)
            .arg("examples/articles/harbour-strike.txt")
            .env("SAIDWHO_MODELS", &models)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    // The registered checksum is wrong: the error says so and names the way out.
    let out = extract(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("config.json") && err.contains("sha256") && err.contains("--no-verify"),
        "{err}"
    );
    let out = extract(&["--no-verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 1);
}

#[test]
fn value_flags_list_their_values_and_refuse_others() {
    for (command, flag, values) in [
        ("extract", "--precision", "f32, int8"),
        ("extract", "--aggregation", "first, average, max"),
        ("extract", "--backend", "candle, rust-bert"),
        ("eval-conll", "--precision", "f32, int8"),
        ("eval-conll", "--aggregation", "first, average, max"),
        ("eval-conll", "--backend", "candle, rust-bert"),
        ("eval-quotes", "--precision", "f32, int8"),
    ] {
        let help = run(&[command, "--help"], b"");
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        let listed = format!("[possible values: {values}]");
        let at = help
            .find(&format!("{flag} <"))
            .unwrap_or_else(|| panic!("{command} --help lacks {flag}: {help}"));
        let next = help[at + 2..]
            .find("\n  -")
            .map_or(help.len(), |n| at + 2 + n);
        assert!(
            help[at..next].contains(&listed),
            "{command} {flag}: {}",
            &help[at..next]
        );
        let out = run(&[command, flag, "bogus", "in.txt"], b"");
        assert_usage_error(&out, flag);
        assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
    }
}

#[test]
fn threads_must_be_at_least_one() {
    for command in ["extract", "eval-quotes"] {
        let out = run(&[command, "--no-ner", "--threads", "0", "in.txt"], b"");
        assert_usage_error(&out, "--threads");
    }
}

#[test]
fn max_bytes_error_names_the_file_and_the_flag() {
    let out = run(
        &[
            "extract",
            "--no-ner",
            "--max-bytes",
            "100",
            "examples/articles/harbour-strike.txt",
        ],
        b"",
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("examples/articles/harbour-strike.txt")
            && err.contains("--max-bytes")
            && !err.contains("PipelineConfig"),
        "{err}"
    );
}

#[test]
fn a_directory_without_txt_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), "Not an article.").unwrap();
    let name = dir.path().to_str().unwrap();
    for args in [&["extract", "--no-ner", name][..], &["sentences", name]] {
        let out = run(args, b"");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(name) && err.contains("*.txt"), "{err}");
    }
}

#[test]
fn text_format_is_what_its_help_says() {
    let help = String::from_utf8(run(&["extract", "--help"], b"").stdout).unwrap();
    assert!(
        help.contains("ID<TAB>KIND<TAB>SPEAKER → \"CONTENT\"")
            && help.contains(" … ")
            && help.contains(r#"\" and \\"#),
        "{help}"
    );
    let input = serde_json::json!({
        "id": "d1",
        "text": "“They call it \"progress\",” said Ann Lee, “but a \\ is not a plan.” She left.",
    });
    let out = run(
        &["extract", "--no-ner", "--format", "text", "--jsonl", "-"],
        format!("{input}\n").as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "d1\tdirect\tAnn Lee → \"They call it \\\"progress\\\", … but a \\\\ is not a plan.\"\n"
    );
}

#[test]
fn models_lists_where_each_model_is_and_whether_its_checksums_hold() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    common::write_tiny_model(&models.join("tiny"), &common::Tiny::default());
    let config = std::fs::read(models.join("tiny/config.json")).unwrap();
    let registry = dir.path().join("models.toml");
    std::fs::write(
        &registry,
        format!(
            "[[model]]\nname = \"tiny-ner\"\ndir = \"tiny\"\n[model.files]\n\
             \"config.json\" = \"{}\"\n\"vocab.txt\" = \"{}\"\n\
             [[model]]\nname = \"absent\"\nhf_repo = \"org/absent\"\n",
            saidwho::ner::sha256_hex(&config),
            "0".repeat(64)
        ),
    )
    .unwrap();
    let list = |extra: &[&str], search: &std::path::Path| {
        Command::new(binary())
            .arg("models")
            .arg("--registry")
            .arg(&registry)
            .args(extra)
            .env("SAIDWHO_MODELS", search)
            .output()
            .unwrap()
    };
    let out = list(&[], &models);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let tiny = models.join("tiny");
    for line in [
        format!("search path (SAIDWHO_MODELS): {}", models.display()),
        format!("tiny-ner (candle): found in {}", tiny.display()),
        "  config.json: sha256 ok".into(),
        "  vocab.txt: MISSING".into(),
        format!(
            "absent (candle): not found; looked for {}",
            models.join("absent").display()
        ),
        "  files from the Hugging Face repo org/absent".into(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    assert!(text.contains("conll03-distilbert-cased (candle)"), "{text}");
    // Without hashing, the missing file still counts; the present one is
    // not verified.
    let out = list(&["--no-verify"], &models);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        text.contains("  config.json: present (not verified)"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));

    // SAIDWHO_MODELS naming the model directory itself: `models` warns, and
    // loading the model says what to set instead.
    let out = list(&[], &tiny);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "warning: {} is itself a model directory",
            tiny.display()
        )),
        "{text}"
    );
    let out = Command::new(binary())
        .args(["extract", "--model", "tiny-ner", "--registry"])
        .arg(&registry)
        .arg("examples/articles/harbour-strike.txt")
        .env("SAIDWHO_MODELS", &tiny)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("SAIDWHO_MODELS should name the directory that holds model directories")
            && err.contains(&format!("SAIDWHO_MODELS={}", models.display())),
        "{err}"
    );
}
