//! No input makes the loader panic: every sample file cut at many points, with bytes flipped,
//! is split and parsed (errors are fine, panics are not).

mod common;

use std::path::Path;
use std::sync::Arc;

use trev::load::split::Splitter;
use trev::load::{parse_record, LoadOptions, RecordCtx};
use trev::sample::Rng;

fn split_and_parse(bytes: &[u8], chunk: usize) -> usize {
    let mut splitter = Splitter::new();
    let mut spans = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        splitter.feed(piece, &mut spans);
    }
    splitter.finish(&mut spans);
    let file: Arc<Path> = Arc::from(Path::new("fuzz.json"));
    let run: Arc<str> = Arc::from("fuzz");
    let mut loaded = 0;
    for (ordinal, span) in spans.iter().enumerate() {
        assert!(span.start <= span.end && span.end as usize <= bytes.len());
        let ctx = RecordCtx {
            file: &file,
            run: &run,
            ordinal,
            span,
            unterminated: false,
        };
        let record = &bytes[span.start as usize..span.end as usize];
        if parse_record(record, ctx, LoadOptions::default()).is_ok() {
            loaded += 1;
        }
    }
    loaded
}

#[test]
fn cut_and_corrupted_inputs_never_panic() {
    let mut rng = Rng::new(2026);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(common::sample_data()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push(std::fs::read(&path).unwrap());
        }
    }
    assert!(files.len() >= 10);
    let mut cases = 0;
    for original in &files {
        let n = original.len();
        assert!(split_and_parse(original, 4096) > 0, "the intact file loads");
        for _ in 0..40 {
            let cut = rng.below(n as u64 + 1) as usize;
            split_and_parse(&original[..cut], 1 + rng.below(300) as usize);
            let mut bent = original.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(n as u64) as usize;
                bent[at] = match rng.below(6) {
                    0 => b'"',
                    1 => b'\\',
                    2 => b'{',
                    3 => b']',
                    4 => 0xff,
                    _ => rng.below(256) as u8,
                };
            }
            split_and_parse(&bent, 1 + rng.below(5000) as usize);
            cases += 2;
        }
    }
    assert!(cases > 500);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(7);
    for _ in 0..300 {
        let len = rng.below(2000) as usize;
        let alphabet = b"{}[]\",:\\ \n\r\tabc019-.truefalsenull\xc3\xa9\xff";
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect();
        split_and_parse(&bytes, 1 + rng.below(64) as usize);
    }
}
