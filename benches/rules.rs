//! The rules benchmark (release build): where `trev check` spends its time on one core. The
//! records of FILE (up to LIMIT MB, default 100) are read into memory once; then parsing them,
//! and running every built-in rule over the parsed trajectories, are each timed five times
//! (the best run counts), for all of them and per task profile.
//!
//! `cargo bench --bench rules -- FILE [LIMIT_MB]`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use trev::load::{Dataset, LoadOptions};
use trev::model::{Task, Trajectory};
use trev::rules::RuleSet;

/// The allocator the `trev` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The best of five runs of `f`, in seconds.
fn best(mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(file) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench rules -- FILE [LIMIT_MB]");
        std::process::exit(2);
    };
    let limit = args
        .get(1)
        .and_then(|a| a.parse::<f64>().ok())
        .unwrap_or(100.0)
        * 1e6;
    let ds = Dataset::open(std::slice::from_ref(&file), LoadOptions::default()).expect("open");
    ds.wait();
    let mut records: Vec<Vec<u8>> = Vec::new();
    let mut bytes = 0usize;
    for i in 0..ds.len() {
        if bytes as f64 >= limit {
            break;
        }
        let record = ds.record_bytes(i).expect("record");
        bytes += record.len();
        records.push(record);
    }
    let trajectories: Vec<Trajectory> = (0..records.len())
        .map(|i| ds.load(i).expect("record parses").0)
        .collect();
    let mb = bytes as f64 / 1e6;
    println!(
        "{}: {} records, {:.0} MB in memory, one core",
        file.display(),
        records.len(),
        mb
    );
    let parse = best(|| {
        for record in &records {
            let value: serde_json::Value = serde_json::from_slice(record).expect("json");
            std::hint::black_box(value);
        }
    });
    println!("serde_json::Value (reference) {:>8.0} MB/s", mb / parse);
    let read = best(|| {
        for record in &records {
            let text = std::str::from_utf8(record).expect("utf-8");
            std::hint::black_box(trev::load::formats::read(text, None).expect("record"));
        }
    });
    println!("record reader (formats::read){:>8.0} MB/s", mb / read);
    let load = best(|| {
        for i in 0..records.len() {
            std::hint::black_box(ds.load(i).expect("parse"));
        }
    });
    println!(
        "read + parse records           {:>8.0} MB/s (from the page cache)",
        mb / load
    );
    let set = RuleSet::builtin();
    let mut findings = 0;
    let all = best(|| {
        findings = trajectories.iter().map(|t| set.check(t).len()).sum();
    });
    println!(
        "every rule, all records         {:>8.0} MB/s ({findings} findings)",
        mb / all
    );
    let mut by_task: BTreeMap<Task, (Vec<&Trajectory>, usize)> = BTreeMap::new();
    for (t, record) in trajectories.iter().zip(&records) {
        let entry = by_task.entry(t.task).or_default();
        entry.0.push(t);
        entry.1 += record.len();
    }
    for (task, (ts, size)) in by_task {
        let secs = best(|| {
            for t in &ts {
                std::hint::black_box(set.check(t));
            }
        });
        println!(
            "every rule, {:<8} {:>6} rows {:>8.0} MB/s ({:.2} µs a trajectory)",
            task.as_str(),
            ts.len(),
            size as f64 / 1e6 / secs,
            secs * 1e6 / ts.len() as f64
        );
    }
}
