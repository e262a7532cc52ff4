//! `saidwho` — the command-line face of the library.
//!
//! This binary only parses arguments, reads inputs and writes outputs; every
//! decision is made by the `saidwho` library.
//!
//! ```text
//! cargo run --release --example saidwho -- sentences examples/articles/
//! cargo run --release --example saidwho -- sentences --jsonl corpus.jsonl --offsets bytes
//! ```

use clap::{Args, Parser, Subcommand, ValueEnum};
use saidwho::corpus::{InputFormat, Inputs};
use saidwho::output::{DocumentJson, Offsets};
use saidwho::Pipeline;
use std::io::Write;
use std::process::ExitCode;

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
    let cli = Cli::parse();
    match cli.command {
        Command::Sentences(args) => sentences(&args),
    }
}

/// Writes one JSON line per document; reports bad inputs on stderr and goes on.
fn sentences(args: &InputArgs) -> ExitCode {
    let pipeline = Pipeline::new();
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
