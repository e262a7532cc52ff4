//! Evaluation against annotated corpora.
//!
//! Library code, so that the CLI, tests and benchmarks score the same way.

pub mod quotes;
