//! The lazy dataset: records readable while indexing runs, identical results twice.

mod common;

use std::io::Write;

use trev::load::split::Layout;
use trev::load::{Dataset, LoadOptions};

#[test]
fn the_sample_data_indexes_and_every_record_loads_or_is_diagnosed() {
    let ds = Dataset::open(&[common::sample_data()], LoadOptions::default()).unwrap();
    ds.wait();
    assert!(ds.is_complete());
    let (mut ok, mut bad) = (0, 0);
    for i in 0..ds.len() {
        match ds.load(i) {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    assert_eq!((ok, bad), (40, 3));
    let files = ds.files();
    assert_eq!(files.len(), 22);
    let gz = files
        .iter()
        .find(|f| f.path.ends_with("nasty/compressed.json.gz"))
        .unwrap();
    assert!(gz.gzip);
    assert_eq!(gz.layout, Layout::Array);
    let diags: Vec<String> = ds.diagnostics().iter().map(|d| d.to_string()).collect();
    assert!(
        diags
            .iter()
            .any(|d| d.contains("empty.jsonl: warning: empty file")),
        "{diags:?}"
    );
}

#[test]
fn the_first_record_is_readable_before_indexing_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let line = format!(
        "{{\"messages\": [{{\"role\": \"user\", \"content\": \"{}\"}}]}}\n",
        "y".repeat(1000)
    );
    for _ in 0..60_000 {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    let ds = Dataset::open(&[path], LoadOptions::default()).unwrap();
    ds.wait_for(1);
    let (t, _) = ds.load(0).unwrap();
    assert_eq!(t.id, "big.jsonl#0");
    ds.wait();
    assert_eq!(ds.len(), 60_000);
    let (last, _) = ds.load(59_999).unwrap();
    assert_eq!(last.source.line, 60_000);
    let p = ds.progress();
    assert!(p.complete);
    assert_eq!(p.bytes_done, p.bytes_total);
}

#[test]
fn a_directory_of_many_formats_gives_stable_ids() {
    let ids = || {
        let ds = Dataset::open(&[common::sample_data()], LoadOptions::default()).unwrap();
        ds.wait();
        (0..ds.len())
            .filter_map(|i| ds.load(i).ok())
            .map(|(t, _)| t.id)
            .collect::<Vec<_>>()
    };
    let first = ids();
    assert!(first.contains(&"os_1".to_string()));
    assert!(first.contains(&"q17".to_string()));
    assert!(first.contains(&"swe_agent.traj#0".to_string()));
    assert_eq!(first, ids());
}
