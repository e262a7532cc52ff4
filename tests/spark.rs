//! The Spark example job (`examples/spark/saidwho_spark.py`) run for real on
//! `local[2]`: its results equal the single-process CLI's on the same
//! articles, compared as a set by id.
//!
//! Needs the model (`SAIDWHO_MODELS`), the Reuters corpus (`SAIDWHO_DATA`),
//! Java and a Python that imports pyspark (`SAIDWHO_SPARK_PYTHON`, which
//! `.ci/run` sets). Elsewhere a missing piece skips the test with its reason;
//! under `CI=true` it fails it.

mod common;

use common::binary;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Command;

/// How many Reuters articles the job runs: a few hundred, a few minutes.
const ARTICLES: usize = 240;

/// The first `n` non-empty lines of the Reuters corpus, written to `to`.
fn first_articles(corpus: &Path, n: usize, to: &Path) {
    let reader = BufReader::new(std::fs::File::open(corpus).unwrap());
    let mut out = std::fs::File::create(to).unwrap();
    let mut written = 0;
    for line in reader.lines() {
        let line = line.unwrap();
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{line}").unwrap();
        written += 1;
        if written == n {
            break;
        }
    }
    assert_eq!(written, n, "the corpus has fewer than {n} articles");
}

/// Result lines keyed by their `id`; a duplicate id fails the test.
fn by_id<'a>(lines: impl Iterator<Item = &'a str>) -> BTreeMap<String, serde_json::Value> {
    let mut map = BTreeMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:.200}"));
        let id = value["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id: {line:.200}"))
            .to_string();
        assert!(map.insert(id.clone(), value).is_none(), "id {id} twice");
    }
    map
}

#[test]
fn the_spark_job_equals_the_cli() {
    let Some(models) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let models = models.parent().unwrap().to_path_buf();
    let Some(corpus) = common::data_dir("news/reuters21578.jsonl") else {
        return;
    };
    let Some(python) = common::spark_python() else {
        return;
    };
    let job = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/spark/saidwho_spark.py");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("reuters.jsonl");
    first_articles(&corpus, ARTICLES, &input);
    // int8 keeps the test to a few minutes of CI; both runs use the same model.
    let extract_args = ["--precision", "int8"];

    // The plain CLI, one process over all the articles.
    let started = std::time::Instant::now();
    let cli = Command::new(binary())
        .args(["extract", "--jsonl", "--threads", "1"])
        .args(extract_args)
        .arg(&input)
        .env("SAIDWHO_MODELS", &models)
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli_seconds = started.elapsed().as_secs_f64();
    let cli_out = String::from_utf8(cli.stdout).unwrap();
    let expected = by_id(cli_out.lines());
    assert_eq!(expected.len(), ARTICLES);

    // The Spark job on local[2]: two partitions, one saidwho process each.
    let output = dir.path().join("spark-out");
    let started = std::time::Instant::now();
    let spark = Command::new(&python)
        .arg(&job)
        .args(["--master", "local[2]", "--partitions", "2"])
        .arg("--saidwho")
        .arg(binary())
        .args(["--extract-args", &extract_args.join(" ")])
        .arg(&input)
        .arg(&output)
        .env("SAIDWHO_MODELS", &models)
        .output()
        .unwrap();
    assert!(
        spark.status.success(),
        "spark job failed:\n{}",
        String::from_utf8_lossy(&spark.stderr)
    );
    let spark_seconds = started.elapsed().as_secs_f64();
    assert!(output.join("_SUCCESS").exists(), "no _SUCCESS marker");
    let mut parts: Vec<_> = std::fs::read_dir(&output)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("part-"))
        })
        .collect();
    parts.sort();
    assert_eq!(parts.len(), 2, "one part file per partition: {parts:?}");
    let text: String = parts
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let got = by_id(text.lines());

    let missing: Vec<_> = expected.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ids missing from Spark: {missing:?}; extra: {extra:?}"
    );
    for (id, want) in &expected {
        assert_eq!(
            &got[id], want,
            "article {id} differs between Spark and the CLI"
        );
    }
    // The quotes are really there: Reuters has reported speech in most articles.
    let quotes: usize = got
        .values()
        .map(|v| v["quotes"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(
        quotes > ARTICLES / 2,
        "only {quotes} quotes in {ARTICLES} articles"
    );
    eprintln!(
        "{ARTICLES} Reuters articles, int8: CLI (1 process, --threads 1) {cli_seconds:.1} s; \
         Spark local[2] (2 processes) {spark_seconds:.1} s, JVM start included"
    );
}
