//! The loading benchmark (release build, run by `scripts/bench.sh`): for each file given, the
//! time to the first trajectory parsed, the index throughput, and the peak memory.
//!
//! `cargo bench --bench load -- FILE…`

use std::path::PathBuf;
use std::time::Instant;

use trev::load::{Dataset, LoadOptions};

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let files: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        eprintln!("usage: cargo bench --bench load -- FILE…");
        std::process::exit(2);
    }
    for file in files {
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let start = Instant::now();
        let ds = Dataset::open(std::slice::from_ref(&file), LoadOptions::default()).expect("open");
        ds.wait_for(1);
        let (first, _) = ds.load(0).expect("first record parses");
        let first_ms = start.elapsed().as_secs_f64() * 1e3;
        ds.wait();
        let secs = start.elapsed().as_secs_f64();
        let mb = size as f64 / 1e6;
        println!(
            "{}: {:.0} MB, {} records; first trajectory ({}, {} turns) after {:.2} ms; \
             index {:.2} s = {:.0} MB/s; peak RSS {} MB",
            file.display(),
            mb,
            ds.len(),
            first.id,
            first.turns.len(),
            first_ms,
            secs,
            mb / secs,
            peak_rss_kb().map_or("?".into(), |kb| (kb / 1024).to_string()),
        );
    }
}
