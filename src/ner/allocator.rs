//! Process-wide malloc settings for the tensor workload (opt-in).
//!
//! Why: a forward pass allocates and frees tensors of up to ~13 MB per layer
//! (candle allocates every operation's output). With glibc's default
//! thresholds, a freed block that large is unmapped, or the heap top is
//! trimmed, and the next pass gets the memory back as fresh zeroed pages:
//! page faults and page clearing were about 15 % of a forward pass in `perf`
//! on the workplace machine. Keeping freed memory in the process removes
//! that cost at no change in peak memory (the next pass reuses it).
//!
//! This is a process-wide policy, so the library never applies it by itself:
//! a binary opts in once, at start-up, as the example binaries do.

/// Tells the C allocator to keep freed memory for reuse: blocks up to 32 MiB
/// come from the heap rather than `mmap`, and the heap is trimmed only when
/// 512 MiB are free at its top. Returns whether the settings were applied
/// (glibc on Linux only; elsewhere it does nothing and returns `false`).
///
/// Call it once at the start of `main`, before other threads start
/// allocating. Measured with `examples/corpus_bench.rs` (PolNeAR dev, first
/// 10 articles, 8-bit model): 1.12× the throughput on one core, 1.2× on two;
/// the Python reference does not change under the same settings.
///
/// ```
/// saidwho::ner::keep_freed_memory();
/// ```
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only changes two thresholds of glibc's
        // allocator; any value is valid for these parameters.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Gives the memory freed so far back to the operating system (glibc's
/// `malloc_trim`); returns whether it could (glibc on Linux only).
///
/// Loading a model frees several times the model's size (the file's bytes,
/// de-quantised copies) on the loading thread's heap; under
/// [`keep_freed_memory`] that heap keeps it, and threads that run the model
/// later cannot reuse another thread's heap. Calling this once after the
/// model is loaded — as the example binaries do — keeps that memory out of
/// the process's footprint (measured: the embedded model's peak RSS on two
/// workers, in `docs/performance.md`). Cheap, and harmless at any time.
///
/// ```
/// saidwho::ner::trim_freed_memory();
/// ```
pub fn trim_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only returns free memory at the heaps'
        // ends and in their free pages to the kernel; no live allocation
        // is touched.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_settings() {
        assert!(super::keep_freed_memory());
    }
}
