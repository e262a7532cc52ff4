//! `corpus_bench` — the whole pipeline over a corpus: throughput, time per
//! stage, peak memory, and how time grows with article length.
//!
//! ```text
//! SAIDWHO_MODELS=../shared/models SAIDWHO_DATA=../shared/data \
//!     cargo run --release --example corpus_bench
//! cargo run --release --example corpus_bench -- --data corpus.jsonl --configs 1x1,2x1 --no-ner
//! ```
//!
//! Input: JSON lines with a `"text"` field (PolNeAR's `train.jsonl` by
//! default, found through `SAIDWHO_DATA`). Each configuration `WxI` runs the
//! corpus with `W` document workers sharing one pipeline and `I` threads
//! inside each tensor operation, so `1x1` is one core, and `2x1` / `1x2` are
//! the two ways to use two. candle sizes its thread pools once, from
//! `RAYON_NUM_THREADS`, so each configuration runs in a child process of its
//! own (which also gives each its own peak RSS). Tokens are
//! whitespace-separated words, as CoNLL counts them, so the figures compare
//! with `benches/hf_ner.py`. Peak RSS is the child's high-water mark
//! (Linux `VmHWM`), model included; RSS start and end are its resident set
//! (`VmRSS`) just before the first document, after the first batch of
//! documents (model pages and buffers touched), after each quarter of the
//! documents and after the last, so a leak over a long corpus shows as a
//! resident set that keeps growing quarter after quarter.
//!
//! The scaling part concatenates articles into texts of 10 KB, 100 KB and
//! 1 MB and times one `analyze` call on each: linear time means a flat
//! µs/KB column.

use clap::Parser;
use saidwho::corpus::{batches, map_ordered, parse_json_line, BatchSize};
use saidwho::ner::{NerOptions, TransformerRecognizer};
use saidwho::{Pipeline, StageTimings};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "corpus_bench", about = "Pipeline throughput on a JSONL corpus")]
struct Args {
    /// JSON lines with a "text" field; default $SAIDWHO_DATA/polnear/train.jsonl.
    #[arg(long)]
    data: Option<PathBuf>,
    /// NER model: `saidwho-ner-small` (inside the binary), a registry name
    /// (searched in SAIDWHO_MODELS) or a directory.
    #[arg(long, default_value = saidwho::ner::EMBEDDED_MODEL)]
    model: String,
    /// Run without NER (sentences, entities and quotes from text alone).
    #[arg(long, conflicts_with = "model")]
    no_ner: bool,
    /// Quotes from the rules alone: no attribution span model.
    #[arg(long)]
    no_span_model: bool,
    /// Configurations WORKERSxINTRA_OP_THREADS, comma-separated.
    #[arg(long, default_value = "1x1,2x1,1x2", value_delimiter = ',')]
    configs: Vec<String>,
    /// Use only the first N articles.
    #[arg(long)]
    limit: Option<usize>,
    /// Run the corpus N times over in one process (with the RSS column at
    /// each quarter: memory that levels off stays flat in the later passes).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Text sizes in bytes for the length-scaling table.
    #[arg(long, default_value = "10000,100000,1000000", value_delimiter = ',')]
    scaling: Vec<usize>,
    /// Skip the length-scaling table.
    #[arg(long)]
    no_scaling: bool,
    /// Most tokens per forward pass (NerOptions::batch_tokens).
    #[arg(long)]
    batch_tokens: Option<usize>,
    /// Model window in tokens (NerOptions::window_tokens).
    #[arg(long)]
    window_tokens: Option<usize>,
    /// Arithmetic of the linear layers: f32 (default) or int8 (NerOptions::precision).
    #[arg(long, default_value = "f32")]
    precision: saidwho::ner::Precision,
    /// Most documents per `Pipeline::analyze_batch` call (corpus::BatchSize;
    /// 1 = one `analyze` call per document).
    #[arg(long, default_value_t = saidwho::corpus::BatchSize::default().docs)]
    batch_docs: usize,
    /// Bytes of text after which a batch of documents closes.
    #[arg(long, default_value_t = saidwho::corpus::BatchSize::default().bytes)]
    batch_bytes: usize,
    /// One model window per sentence (true, the default) or sentences packed
    /// into windows (false) — NerOptions::pack_sentences.
    #[arg(long)]
    pack_sentences: Option<bool>,
    /// Keep glibc's default malloc thresholds (by default the bench calls
    /// `saidwho::ner::keep_freed_memory`, as the `saidwho` binary does).
    #[arg(long)]
    default_malloc: bool,
    /// Internal: run one configuration and print its table row.
    #[arg(long, hide = true)]
    child: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.default_malloc {
        saidwho::ner::keep_freed_memory();
    }
    let intra = match &args.child {
        Some(config) => match parse_config(config) {
            Ok((_, intra)) => intra,
            Err(e) => {
                eprintln!("corpus_bench: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => 1,
    };
    // Before any thread exists: candle reads it when it builds its pools.
    std::env::set_var("RAYON_NUM_THREADS", intra.to_string());
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("corpus_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let path = match &args.data {
        Some(p) => p.clone(),
        None => std::env::var_os("SAIDWHO_DATA")
            .map(|d| PathBuf::from(d).join("polnear/train.jsonl"))
            .ok_or("no corpus: pass --data FILE.jsonl or set SAIDWHO_DATA")?,
    };
    let raw = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut texts = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc =
            parse_json_line(line, &path.display().to_string(), i + 1).map_err(|e| e.to_string())?;
        texts.push(doc.text);
    }
    if let Some(limit) = args.limit {
        texts.truncate(limit);
    }
    let one = texts.len();
    texts = texts
        .into_iter()
        .cycle()
        .take(one * args.repeat as usize)
        .collect();
    drop(raw);
    let bytes: usize = texts.iter().map(String::len).sum();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();

    let load = Instant::now();
    let pipeline = build_pipeline(args)?;
    // Loading freed several times the model's size on this thread's heap.
    saidwho::ner::trim_freed_memory();
    let load = load.elapsed();
    if let Some(config) = &args.child {
        let (workers, _) = parse_config(config)?;
        let size = BatchSize {
            docs: args.batch_docs,
            bytes: args.batch_bytes,
        };
        return run_config(&pipeline, &texts, workers, size, config, bytes, words);
    }
    println!(
        "corpus: {} ({} articles, {:.1} MB, {} tokens); model: {} {} (loaded in {:.2} s); \
         {} cores of {}; kernels: {}",
        path.display(),
        texts.len(),
        bytes as f64 / 1e6,
        words,
        if args.no_ner { "none" } else { &args.model },
        args.precision,
        load.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model(),
        saidwho::ner::CpuPaths::detect(),
    );
    println!();
    println!(
        "| config | wall s | articles/s | tokens/s | MB/s | sentences % | ner % | entities % | quotes % | peak RSS MiB | RSS start MiB | RSS after batch 1 MiB | RSS at ¼ · ½ · ¾ MiB | RSS end MiB | quotes |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    for config in &args.configs {
        parse_config(config)?;
        let mut child = std::process::Command::new(&exe);
        child
            .args(std::env::args_os().skip(1))
            .args(["--child", config]);
        let out = child
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !out.status.success() {
            return Err(format!("configuration {config} failed ({})", out.status));
        }
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }

    if args.no_scaling || args.scaling.is_empty() {
        return Ok(());
    }
    println!();
    println!("length scaling (one analyze call, 1x1):");
    println!();
    println!("| text KB | tokens | seconds | µs/KB | µs/KB ÷ first row |");
    println!("|---|---|---|---|---|");
    let mut first = None;
    for &size in &args.scaling {
        let text = concatenate(&texts, size);
        let clock = Instant::now();
        pipeline
            .analyze(&text)
            .map_err(|e| format!("{size}-byte text: {e}"))?;
        let secs = clock.elapsed().as_secs_f64();
        let per_kb = secs * 1e6 / (text.len() as f64 / 1e3);
        let base = *first.get_or_insert(per_kb);
        println!(
            "| {:.0} | {} | {secs:.3} | {per_kb:.0} | {:.2} |",
            text.len() as f64 / 1e3,
            text.split_whitespace().count(),
            per_kb / base
        );
    }
    Ok(())
}

fn build_pipeline(args: &Args) -> Result<Pipeline, String> {
    if args.no_ner {
        return Ok(Pipeline::without_ner());
    }
    let mut options = NerOptions::default();
    if let Some(n) = args.batch_tokens {
        options.batch_tokens = n;
    }
    if let Some(n) = args.window_tokens {
        options.window_tokens = n;
    }
    options.engine.candle.precision = args.precision;
    if let Some(pack) = args.pack_sentences {
        options.pack_sentences = pack;
    }
    let ner =
        TransformerRecognizer::from_model(&args.model, &options).map_err(|e| e.to_string())?;
    let pipeline = Pipeline::without_ner().with_recognizer(ner);
    Ok(if args.no_span_model {
        pipeline.with_no_span_model()
    } else {
        pipeline
    })
}

/// Runs the corpus once with `workers` threads, `size` documents per
/// pipeline call, and prints the table row.
fn run_config(
    pipeline: &Pipeline,
    texts: &[String],
    workers: usize,
    size: BatchSize,
    config: &str,
    bytes: usize,
    words: usize,
) -> Result<(), String> {
    let mut stages = StageTimings::default();
    let mut quotes = 0usize;
    let mut failed = Vec::new();
    let rss_start = rss_mib("VmRSS:");
    let mut rss_warm = None;
    let mut rss_quarters = Vec::new();
    let mut done = 0usize;
    let clock = Instant::now();
    map_ordered(
        batches(texts.iter().enumerate(), size, |(_, t)| t.len()),
        workers,
        |batch| {
            let refs: Vec<&str> = batch.iter().map(|(_, t)| t.as_str()).collect();
            let (docs, times) = pipeline.analyze_batch_timed(&refs);
            (batch.first().map_or(0, |(i, _)| *i), docs, times)
        },
        |_, (first, docs, times)| {
            stages += times;
            if rss_warm.is_none() {
                rss_warm = Some(rss_mib("VmRSS:"));
            }
            for (k, doc) in docs.into_iter().enumerate() {
                match doc {
                    Ok(doc) => quotes += doc.quotes.len(),
                    Err(e) => failed.push(format!("article {}: {e}", first + k)),
                }
                done += 1;
                while rss_quarters.len() < 3 && done * 4 >= texts.len() * (rss_quarters.len() + 1) {
                    rss_quarters.push(mib(rss_mib("VmRSS:")));
                }
            }
        },
    );
    let wall = clock.elapsed().as_secs_f64();
    let rss_end = rss_mib("VmRSS:");
    if !failed.is_empty() {
        return Err(failed.join("; "));
    }
    let share = |d: Duration| 100.0 * d.as_secs_f64() / stages.total().as_secs_f64().max(1e-9);
    println!(
        "| {config} | {wall:.2} | {:.2} | {:.0} | {:.3} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} | {quotes} |",
        texts.len() as f64 / wall,
        words as f64 / wall,
        bytes as f64 / 1e6 / wall,
        share(stages.sentences),
        share(stages.ner),
        share(stages.entities),
        share(stages.quotes),
        mib(rss_mib("VmHWM:")),
        mib(rss_start),
        mib(rss_warm.flatten()),
        rss_quarters.join(" · "),
        mib(rss_end),
    );
    Ok(())
}

fn parse_config(config: &str) -> Result<(usize, usize), String> {
    let bad = || format!("bad config {config:?}: expected WORKERSxTHREADS such as 2x1");
    let (w, i) = config.split_once('x').ok_or_else(bad)?;
    let w: usize = w.trim().parse().map_err(|_| bad())?;
    let i: usize = i.trim().parse().map_err(|_| bad())?;
    if w == 0 || i == 0 {
        return Err(bad());
    }
    Ok((w, i))
}

/// Articles joined by blank lines until the text reaches `size` bytes.
fn concatenate(texts: &[String], size: usize) -> String {
    let mut out = String::with_capacity(size + 4096);
    for text in texts.iter().cycle() {
        if out.len() >= size || texts.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let room = size.saturating_sub(out.len());
        if text.len() <= room {
            out.push_str(text);
        } else {
            // Cut the last article at a char boundary so the text is `size` bytes.
            let mut cut = room;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&text[..cut]);
        }
    }
    out
}

fn mib(m: Option<f64>) -> String {
    m.map_or("n/a".to_string(), |m| format!("{m:.0}"))
}

/// A memory figure of this process from Linux `/proc/self/status`: `VmHWM:`
/// (peak resident set) or `VmRSS:` (resident now), in MiB.
fn rss_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The CPU's model name as `lscpu` gives it (`/proc/cpuinfo`), or "unknown".
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}
