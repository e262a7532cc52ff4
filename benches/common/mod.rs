//! Helpers shared by the benches (each bench is its own crate and includes
//! this file with `mod common;`).

#![allow(dead_code)] // not every bench uses every helper

use std::path::PathBuf;
use std::process::Command;

/// The first `child` that exists under one of the directories listed in the
/// environment variable `var` (a search path like `PATH`), e.g. the model in
/// `SAIDWHO_MODELS` or a corpus in `SAIDWHO_DATA`.
pub fn env_path(var: &str, child: &str) -> Option<PathBuf> {
    let value = std::env::var_os(var)?;
    std::env::split_paths(&value)
        .map(|p| p.join(child))
        .find(|p| p.exists())
}

/// The variable that tells a re-executed bench which thread count it runs.
const CHILD_THREADS: &str = "SAIDWHO_BENCH_THREADS";

/// Runs the bench once per thread count, each in a fresh child process of
/// this same executable, and returns `None` in the parent; in a child, returns
/// `Some(threads)`.
///
/// Why processes: candle's matrix products run on rayon's global pool, which
/// is sized from `RAYON_NUM_THREADS` once, when it is first used. Changing the
/// variable later inside one process asks for 2 threads from a 1-thread pool
/// (that is how an earlier version of `backends` measured "2 threads" at the
/// 1-thread rate). A child starts with the variable set, so the pool is right.
/// The children inherit stdout/stderr and criterion's arguments, so the
/// output reads like one run.
pub fn per_thread_count(counts: &[usize]) -> Option<usize> {
    if let Some(threads) = std::env::var(CHILD_THREADS)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return Some(threads);
    }
    let exe = std::env::current_exe().expect("the bench knows its own path");
    for &threads in counts {
        let status = Command::new(&exe)
            .args(std::env::args_os().skip(1))
            .env(CHILD_THREADS, threads.to_string())
            .env("RAYON_NUM_THREADS", threads.to_string())
            .status()
            .expect("re-run the bench in a child process");
        assert!(
            status.success(),
            "the {threads}-thread run failed: {status}"
        );
    }
    None
}
