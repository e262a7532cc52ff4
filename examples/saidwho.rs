//! `saidwho` — the command-line face of the library.
//!
//! This binary only parses arguments, reads inputs and writes outputs; every
//! decision is made by the `saidwho` library.
//!
//! ```text
//! cargo run --release --example saidwho -- sentences examples/articles/
//! cargo run --release --example saidwho -- sentences --jsonl corpus.jsonl --offsets bytes
//! cargo run --release --example saidwho -- eval-conll dev.txt --model conll03-distilbert-cased
//! cargo run --release --example saidwho -- eval-quotes ../shared/data/polnear/dev.jsonl
//! cargo run --release --example saidwho -- models
//! ```
//!
//! Installed with `cargo install --locked --path . --example saidwho`, it is
//! the `saidwho` command.

use clap::builder::{PossibleValuesParser, RangedU64ValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use saidwho::corpus::{batches, map_ordered, BatchSize, InputDoc, InputFormat, Inputs};
use saidwho::ner::{
    Aggregation, BackendKind, NerOptions, Precision, TransformerRecognizer, EMBEDDED_MODEL,
    EMBEDDED_PRECISION,
};
use saidwho::output::{DocumentJson, Format, Offsets, Resume, SinkOptions};
use saidwho::quotes::{HybridOptions, RuleQuoteExtractor};
use saidwho::{Pipeline, PipelineConfig};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "saidwho",
    version,
    about = "Who said what: sentences, entities and quotes from news text"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Split documents into sentences; one JSON line per document.
    Sentences(InputArgs),
    /// Find entities and quotes (who said what) in documents.
    Extract(ExtractArgs),
    /// Evaluate a NER model on a CoNLL-2003 file: entity-level P/R/F1.
    EvalConll(EvalConllArgs),
    /// Score quote attribution against PolNeAR-format gold (JSON lines).
    EvalQuotes(EvalQuotesArgs),
    /// List the registry's models, where each was looked for and found, and
    /// whether its files' checksums hold (exit 1 when a found model's do not).
    Models(ModelsArgs),
}

#[derive(Args)]
struct ModelsArgs {
    /// A user models.toml merged over the built-in registry.
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// Only say whether each registered file is there; do not hash them.
    #[arg(long)]
    no_verify: bool,
}

/// Which NER model runs, and how: shared by every command that runs one.
#[derive(Args)]
struct ModelArgs {
    /// NER model: `saidwho-ner-small` (inside the binary), a name from the
    /// registry (searched in SAIDWHO_MODELS), or a directory.
    #[arg(long, default_value = saidwho::ner::EMBEDDED_MODEL)]
    model: String,
    /// A user models.toml merged over the built-in registry.
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// Skip the sha256 verification of registered model files.
    #[arg(long)]
    no_verify: bool,
    /// Engine: candle (pure Rust) or rust-bert (libtorch; needs the cargo
    /// feature `rust-bert`). Default: the registry's choice, candle for a
    /// model directory.
    #[arg(long, value_parser = named(&BackendKind::ALL, BackendKind::name))]
    backend: Option<BackendKind>,
    /// Arithmetic of the model's linear layers: f32 (as the reference) or
    /// int8 (faster, slightly less accurate). Default: int8 for the
    /// embedded model, f32 for others.
    #[arg(long, value_parser = named(&Precision::ALL, Precision::name))]
    precision: Option<Precision>,
    /// A word's label from its sub-words' labels: the first's, the best of
    /// their average scores, or the most confident one's.
    #[arg(long, default_value_t = Aggregation::First,
          value_parser = named(&Aggregation::ALL, Aggregation::name))]
    aggregation: Aggregation,
    /// Quotes from the rules alone: do not run the attribution span model
    /// (it runs with the embedded NER model, whose states it reads).
    #[arg(long)]
    no_span_model: bool,
    /// An attribution span model directory (`train/quote_spans.py`'s
    /// output) instead of the embedded one.
    #[arg(long, value_name = "DIR", conflicts_with = "no_span_model")]
    span_model: Option<PathBuf>,
    /// Least mean tag probability of a span-model content that no rule
    /// found (HybridOptions::min_content_score).
    #[arg(long, value_name = "P")]
    span_min_score: Option<f32>,
    /// What a span-model content no rule found needs near it: any of cue,
    /// source, entity (a speaker linked to an entity); `none` for nothing.
    /// Default: cue,source.
    #[arg(long, value_delimiter = ',', value_parser = ["cue", "source", "entity", "none"])]
    span_require: Option<Vec<String>>,
}

impl ModelArgs {
    /// The library's options for these flags.
    fn options(&self) -> NerOptions {
        NerOptions::default()
            .with_aggregation(self.aggregation)
            .with_registry(self.registry.clone())
            .with_verify_checksums(!self.no_verify)
            .with_backend(self.backend)
            .with_precision(self.precision.unwrap_or(if self.model == EMBEDDED_MODEL {
                EMBEDDED_PRECISION
            } else {
                Precision::F32
            }))
    }
}

/// A flag's value parser over a library enum's names (listed in `--help`),
/// parsed by its `FromStr`.
fn named<T>(all: &'static [T], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + std::str::FromStr + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.iter().map(|&v| name(v))).try_map(|name| name.parse::<T>())
}

/// `--threads`: at least one.
fn threads_parser() -> impl TypedValueParser<Value = usize> {
    RangedU64ValueParser::<usize>::new().range(1..)
}

#[derive(Args)]
struct EvalConllArgs {
    /// CoNLL file: `TOKEN ... TAG` lines (IOB1 or IOB2), blank line between sentences.
    file: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    /// Print only the per-sentence figure (each sentence labelled on its own).
    #[arg(long, conflicts_with = "breakdown")]
    sentences_only: bool,
    /// Score the settings between per-sentence and whole-document labelling
    /// one by one (docs/ner-accuracy.md): seven runs over the file.
    #[arg(long)]
    breakdown: bool,
}

#[derive(Args)]
struct EvalQuotesArgs {
    /// Gold file: one article a line, `{"doc", "text", "quotes": […]}`.
    file: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    /// Run without a NER model: speakers from the text alone, no entities.
    #[arg(long, conflicts_with = "model")]
    no_ner: bool,
    /// Keep the model's mentions in DIR and reuse them on the next run, so
    /// re-scoring after a change to the entity or quote rules skips the model.
    #[arg(long, value_name = "DIR", conflicts_with = "no_ner")]
    mention_cache: Option<PathBuf>,
    /// Documents processed in parallel, at least 1 (default: all cores);
    /// each forward pass then uses cores / threads threads
    /// (RAYON_NUM_THREADS overrides).
    #[arg(long, value_parser = threads_parser())]
    threads: Option<usize>,
    /// Write each missed or wrongly attributed gold quote to FILE (JSON lines).
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
}

#[derive(Args)]
struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format; each is written as the documents come, one at a time.
    ///
    /// jsonl: one JSON document per line, each line complete and flushed.
    ///
    /// json: one pretty-printed JSON array, an object per document.
    ///
    /// text: one line per quote, `ID<TAB>KIND<TAB>SPEAKER → "CONTENT"`: KIND
    /// is direct, indirect or mixed; SPEAKER is the speaker's entity name,
    /// else the speaker's words, else ? (unknown); CONTENT is the quote's
    /// parts joined by ` … `, with " and \ escaped as \" and \\; tabs and
    /// line breaks in the fields become spaces; a document without quotes
    /// prints nothing.
    ///
    /// html: one self-contained page for all documents, a section per document.
    #[arg(long, default_value_t = Format::Jsonl,
          value_parser = named(&Format::ALL, Format::name))]
    format: Format,
    /// Documents processed in parallel, at least 1 (default: all cores);
    /// each forward pass then uses cores / threads threads
    /// (RAYON_NUM_THREADS overrides).
    #[arg(long, value_parser = threads_parser())]
    threads: Option<usize>,
    /// Skip (and report) documents longer than this many bytes.
    #[arg(long, default_value_t = PipelineConfig::default().max_text_bytes)]
    max_bytes: usize,
    #[command(flatten)]
    model: ModelArgs,
    /// Run without a NER model: quotes and speakers from the text alone, no entities.
    #[arg(long, conflicts_with = "model")]
    no_ner: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Append to the --output file, skipping the documents already complete
    /// in it (a killed run's cut-off last line is dropped and redone); needs
    /// --format jsonl and unique ids.
    #[arg(long, requires = "output")]
    resume: bool,
}

#[derive(Args)]
struct InputArgs {
    /// Files, directories (every *.txt in them) or `-` for standard input.
    #[arg(default_value = "-")]
    inputs: Vec<String>,
    /// Read JSON lines `{"id", "text"}` instead of one document per file.
    #[arg(long)]
    jsonl: bool,
    /// Offsets in the output: Unicode code points or UTF-8 bytes.
    #[arg(long, value_enum, default_value_t = OffsetsArg::Chars)]
    offsets: OffsetsArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum OffsetsArg {
    Chars,
    Bytes,
}

impl InputArgs {
    fn inputs(&self) -> Inputs {
        let format = if self.jsonl {
            InputFormat::JsonLines
        } else {
            InputFormat::Text
        };
        Inputs::new(&self.inputs, format)
    }

    fn offsets(&self) -> Offsets {
        match self.offsets {
            OffsetsArg::Chars => Offsets::Chars,
            OffsetsArg::Bytes => Offsets::Bytes,
        }
    }
}

fn main() -> ExitCode {
    // Freed tensors stay in the process for the next forward pass (see its docs).
    saidwho::ner::keep_freed_memory();
    let cli = Cli::parse();
    match &cli.command {
        Command::Extract(args) => share_cores(args.threads),
        Command::EvalQuotes(args) => share_cores(args.threads),
        _ => {}
    }
    match cli.command {
        Command::Sentences(args) => sentences(&args),
        Command::Extract(args) => extract(&args),
        Command::EvalConll(args) => eval_conll(&args),
        Command::EvalQuotes(args) => eval_quotes(&args),
        Command::Models(args) => models(&args),
    }
}

/// Prints the registry's models, where they were looked for and found, and
/// the state of their files.
fn models(args: &ModelsArgs) -> ExitCode {
    use saidwho::ner::{FileCheck, MODELS_ENV};
    let options = NerOptions::default()
        .with_registry(args.registry.clone())
        .with_verify_checksums(!args.no_verify);
    let list = match saidwho::ner::list_models(&options.load) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("saidwho: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let paths = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if list.search_path.is_empty() {
        println!("search path: empty ({MODELS_ENV} is not set)");
    } else {
        println!("search path ({MODELS_ENV}): {}", paths(&list.search_path));
    }
    for dir in &list.misplaced {
        println!(
            "warning: {} is itself a model directory; {MODELS_ENV} should name the directory \
             that holds model directories ({})",
            dir.display(),
            dir.parent()
                .map_or_else(|| ".".into(), |p| p.display().to_string())
        );
    }
    if saidwho::ner::is_embedded() {
        println!(
            "{} (candle): embedded in this binary, the default",
            saidwho::ner::EMBEDDED_MODEL
        );
    } else {
        println!(
            "{}: not in this build (cargo feature `embedded-model` off)",
            saidwho::ner::EMBEDDED_MODEL
        );
    }
    let mut sound = true;
    for model in &list.models {
        let entry = &model.entry;
        match &model.found {
            Some(dir) => println!(
                "{} ({}): found in {}",
                entry.name,
                entry.backend,
                dir.display()
            ),
            None if model.searched.is_empty() => {
                println!(
                    "{} ({}): not found (no search path)",
                    entry.name, entry.backend
                )
            }
            None => println!(
                "{} ({}): not found; looked for {}",
                entry.name,
                entry.backend,
                paths(&model.searched)
            ),
        }
        if model.found.is_none() {
            if let Some(repo) = &entry.hf_repo {
                println!("  files from the Hugging Face repo {repo}");
            }
        }
        for (file, check) in &model.files {
            let state = match check {
                FileCheck::Ok => "sha256 ok".to_string(),
                FileCheck::Mismatch { sha256 } => format!("sha256 MISMATCH (is {sha256})"),
                FileCheck::Missing => "MISSING".to_string(),
                FileCheck::Unreadable(e) => format!("UNREADABLE ({e})"),
                FileCheck::NotVerified => "present (not verified)".to_string(),
                _ => "unknown state".to_string(),
            };
            println!("  {file}: {state}");
        }
        sound &= model.is_sound();
    }
    if sound {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Scores a NER model on a CoNLL file, sentence by sentence and as whole
/// documents through the pipeline, and prints both tables.
fn eval_conll(args: &EvalConllArgs) -> ExitCode {
    use saidwho::eval::conll;
    let run = || -> saidwho::Result<()> {
        let options = args.model.options();
        if args.breakdown {
            let breakdown = conll::breakdown(&args.model.model, &options, &args.file)?;
            println!(
                "sentences longer than one window (cut and merged): {}",
                breakdown.long_sentences
            );
            for row in breakdown.rows {
                let o = row.report.overall;
                println!(
                    "{:<72} P {:>6.2}  R {:>6.2}  F1 {:>6.2}",
                    row.setting,
                    o.precision(),
                    o.recall(),
                    o.f1()
                );
            }
            return Ok(());
        }
        let ner = std::sync::Arc::new(TransformerRecognizer::from_model(
            &args.model.model,
            &options,
        )?);
        eprintln!("backend: {}", ner.backend_name());
        let docs = conll::read_conll_documents(&args.file)?;
        let sentences: Vec<conll::ConllSentence> = docs.iter().flatten().cloned().collect();
        let words: usize = sentences.iter().map(|s| s.words.len()).sum();
        let clock = Instant::now();
        let report = conll::evaluate_sentences(&ner, &sentences)?;
        let secs = clock.elapsed().as_secs_f64();
        println!("per sentence (each sentence labelled on its own, as pre-split words):");
        print!("{report}");
        eprintln!(
            "per sentence: {secs:.1} s, {:.0} words/s",
            words as f64 / secs
        );
        if args.sentences_only {
            return Ok(());
        }
        let pipeline = Pipeline::new().with_recognizer(ner.clone());
        let clock = Instant::now();
        let report = conll::evaluate_documents(&pipeline, &docs)?;
        let secs = clock.elapsed().as_secs_f64();
        println!(
            "\ndocuments ({} documents as text through the whole pipeline; name mentions):",
            docs.len()
        );
        print!("{report}");
        eprintln!("documents: {secs:.1} s, {:.0} words/s", words as f64 / secs);
        Ok(())
    };
    let started = Instant::now();
    match run() {
        Ok(()) => {
            eprintln!("evaluated in {:.1?}", started.elapsed());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("saidwho: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Scores the pipeline's quotes on a gold file and prints the report.
fn eval_quotes(args: &EvalQuotesArgs) -> ExitCode {
    let build = || -> saidwho::Result<Pipeline> {
        match &args.mention_cache {
            None => pipeline(PipelineConfig::default(), &args.model, args.no_ner),
            Some(dir) => {
                let options = args.model.options();
                let ner = TransformerRecognizer::from_model(&args.model.model, &options)?;
                let key = format!(
                    "{}:{:?}:{}",
                    args.model.model,
                    options,
                    TransformerRecognizer::REVISION
                );
                let cached = saidwho::ner::CachedRecognizer::new(ner, dir, &key)?;
                Ok(Pipeline::new().with_recognizer(cached))
            }
        }
    };
    let pipeline = match build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("saidwho: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let threads = args.threads.unwrap_or_else(default_threads);
    let mut errors = Vec::new();
    let scored = saidwho::eval::quotes::load_jsonl(&args.file).and_then(|docs| {
        saidwho::eval::quotes::evaluate_parallel(&docs, &pipeline, threads, |gold, doc| {
            if args.errors.is_some() {
                errors.extend(saidwho::eval::quotes::quote_errors(gold, doc));
            }
        })
    });
    if let (Some(path), Ok(_)) = (&args.errors, &scored) {
        let lines: String = errors
            .iter()
            .map(|e| serde_json::to_string(e).map(|l| l + "\n"))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        if let Err(e) = std::fs::write(path, lines) {
            eprintln!("saidwho: error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    match scored {
        Ok(report) => {
            println!("{report}");
            eprintln!(
                "saidwho: scored in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("saidwho: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the whole pipeline over every input on all cores, writing results in
/// input order as they complete.
fn extract(args: &ExtractArgs) -> ExitCode {
    let config = PipelineConfig::default().with_max_text_bytes(args.max_bytes);
    let pipeline = match pipeline(config, &args.model, args.no_ner) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("saidwho: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let threads = args.threads.unwrap_or_else(default_threads);
    let offsets = args.input.offsets();
    let started = Instant::now();
    let (writer, resume) = match output(args) {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("saidwho: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let skipped = resume.as_ref().map_or(0, Resume::done);
    let inputs: Box<dyn Iterator<Item = saidwho::Result<InputDoc>> + Send> = match resume {
        Some(resume) => Box::new(resume.pending(args.input.inputs())),
        None => Box::new(args.input.inputs()),
    };
    let progress = progress_bar();
    let mut out = std::io::BufWriter::new(writer);
    let mut sink = args
        .format
        .sink(&mut out, &SinkOptions::default().with_offsets(offsets));
    let (mut docs, mut quotes, mut entities, mut failed) = (0usize, 0usize, 0usize, 0usize);
    // A closed stdout (e.g. piped to `head`) stops the writing, not the run:
    // the summary still counts every document.
    let mut broken_pipe = sink.begin().is_err();
    // Documents go through the pipeline in batches, so that the model fills
    // each forward pass with sentences of many short documents.
    let batched = batches(inputs, BatchSize::default(), |input| {
        input.as_ref().map_or(0, |d| d.text.len())
    });
    map_ordered(
        batched,
        threads,
        |batch| {
            // A failed input takes an empty text's place, so results line up.
            let texts: Vec<&str> = batch
                .iter()
                .map(|input| input.as_ref().map_or("", |d| d.text.as_str()))
                .collect();
            let docs = pipeline.analyze_batch(&texts);
            batch
                .into_iter()
                .zip(docs)
                .map(|(input, doc)| match input {
                    Err(e) => Err(e.to_string()),
                    Ok(input) => match doc {
                        Ok(doc) => Ok((doc, input.id)),
                        Err(e) => Err(document_error(&input, e)),
                    },
                })
                .collect::<Vec<_>>()
        },
        |_, results| {
            for result in results {
                progress.inc(1);
                let (doc, id) = match result {
                    Ok(ok) => ok,
                    Err(e) => {
                        failed += 1;
                        progress.suspend(|| eprintln!("saidwho: error: {e}"));
                        continue;
                    }
                };
                docs += 1;
                quotes += doc.quotes.len();
                entities += doc.entities.len();
                if broken_pipe {
                    continue;
                }
                // Flushed per document: a reader downstream gets each document
                // whole as soon as it is done, and a closed pipe shows at once.
                broken_pipe = sink
                    .document(&id, &doc)
                    .and_then(|()| sink.flush())
                    .is_err();
            }
        },
    );
    progress.finish_and_clear();
    if !broken_pipe {
        broken_pipe = sink.finish().is_err();
    }
    let secs = started.elapsed().as_secs_f64();
    if args.resume {
        let were = if skipped == 1 { "was" } else { "were" };
        eprintln!(
            "saidwho: resumed: {} {were} already done",
            count(skipped, "article", "articles")
        );
    }
    eprintln!(
        "saidwho: {}, {}, {}, {} in {secs:.2} s ({:.1} articles/s, {})",
        count(docs, "article", "articles"),
        count(quotes, "quote", "quotes"),
        count(entities, "entity", "entities"),
        count(failed, "error", "errors"),
        docs as f64 / secs.max(1e-9),
        count(threads, "thread", "threads"),
    );
    if failed > 0 || broken_pipe {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `n` and the noun in the singular or plural form `n` needs.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A document's failure, named by its file (and line and id for JSON
/// lines), in the command line's terms.
fn document_error(input: &InputDoc, error: saidwho::Error) -> String {
    let name = if input.id == input.source {
        input.source.clone()
    } else {
        format!("{}:{} (id `{}`)", input.source, input.line, input.id)
    };
    match error {
        saidwho::Error::TextTooLarge { len, max } => format!(
            "{name}: text of {len} bytes is over the --max-bytes limit of {max} bytes; \
             split it, or raise --max-bytes"
        ),
        other => format!("{name}: {other}"),
    }
}

/// Where `extract` writes: standard output, a new `--output` file, or the
/// `--output` file of an earlier run with what it already holds (`--resume`).
fn output(args: &ExtractArgs) -> Result<(Box<dyn Write>, Option<Resume>), String> {
    let Some(path) = &args.output else {
        return Ok((Box::new(std::io::stdout().lock()), None));
    };
    if args.resume {
        if args.format != Format::Jsonl {
            return Err(format!(
                "--resume needs --format jsonl (one complete line per document), not {}",
                args.format
            ));
        }
        let (resume, file) = Resume::open(path).map_err(|e| e.to_string())?;
        return Ok((Box::new(file), Some(resume)));
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((Box::new(file), None))
}

/// The default pipeline with `config`, and the NER model unless `no_ner`.
fn pipeline(config: PipelineConfig, model: &ModelArgs, no_ner: bool) -> saidwho::Result<Pipeline> {
    let mut pipeline = Pipeline::without_ner().with_settings(config);
    if model.no_span_model {
        pipeline = pipeline.with_no_span_model();
    }
    if let Some(dir) = &model.span_model {
        pipeline = pipeline.with_span_model(saidwho::quotes::SpanModel::from_dir(dir)?);
    }
    if model.span_min_score.is_some() || model.span_require.is_some() {
        let mut hybrid = HybridOptions::default();
        if let Some(p) = model.span_min_score {
            hybrid = hybrid.with_min_content_score(p);
        }
        if let Some(need) = &model.span_require {
            let has = |w: &str| need.iter().any(|n| n == w);
            hybrid = hybrid
                .with_require_cue(has("cue"))
                .with_require_source(has("source"))
                .with_require_entity(has("entity"));
        }
        pipeline = pipeline.with_quote_extractor(RuleQuoteExtractor::default().with_hybrid(hybrid));
    }
    if no_ner {
        return Ok(pipeline);
    }
    let ner = TransformerRecognizer::from_model(&model.model, &model.options())?;
    // Loading freed several times the model's size on this thread's heap.
    saidwho::ner::trim_freed_memory();
    Ok(pipeline.with_recognizer(ner))
}

/// Splits the cores between the documents in flight (`workers`, default
/// all cores) and the threads inside each tensor operation, before any
/// thread exists: candle and the 8-bit kernels size their rayon pool once,
/// from `RAYON_NUM_THREADS`. With a worker per core each forward pass runs
/// on one thread — the faster split on the workplace machine
/// (docs/performance.md: 2x1 against 1x2). A `RAYON_NUM_THREADS` the user set wins.
fn share_cores(workers: Option<usize>) {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let workers = workers.unwrap_or_else(default_threads).max(1);
        let intra = (default_threads() / workers).max(1);
        std::env::set_var("RAYON_NUM_THREADS", intra.to_string());
    }
}

/// All cores.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos} articles  {per_sec}  {elapsed_precise}  {msg}",
        )
        .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Writes one JSON line per document; reports bad inputs on stderr and goes on.
fn sentences(args: &InputArgs) -> ExitCode {
    let pipeline = Pipeline::without_ner();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for input in args.inputs() {
        let result = input.and_then(|doc| {
            let document = pipeline.segment(&doc.text)?;
            let json = DocumentJson::new(&doc.id, &document, args.offsets()).sentences_only();
            Ok(serde_json::to_string(&json).expect("JSON of plain data"))
        });
        match result {
            Ok(line) => {
                if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                    return ExitCode::FAILURE; // stdout closed (e.g. piped to `head`)
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("saidwho: error: {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("saidwho: {failed} input(s) failed");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
