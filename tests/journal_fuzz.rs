//! No journal line and no `sample.json` crashes trev. 10 000 journal lines, mutated from valid
//! ones (bytes flipped, inserted, deleted; fields of the wrong type; extreme numbers; weird
//! timestamps; Unicode and control characters; truncation) or random, are replayed by the
//! library: every line is applied or reported at its `file:line`, and a valid line is always
//! applied. Then the binary's `agree`, `export`, `stats --annotations` and
//! `stats --estimate` read them in journal directories of a few hundred lines, and
//! `stats --estimate` reads mutated `sample.json` files: no run panics (exit code 101 or
//! "panicked" on stderr), every bad line is reported at its `file:line`, and what the binary
//! computes from the lines it kept is what the library computes. Run with `--nocapture` for
//! the figures.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use trev::agree;
use trev::export::policy::{decide, Decision, Policy, Require};
use trev::labels::progress::{progress, AgentTurns};
use trev::labels::resolve::{resolve, Index};
use trev::labels::votes::{self, Agree};
use trev::labels::{text_hash, time, Replay};
use trev::load::{Dataset, LoadOptions};
use trev::model::Trajectory;
use trev::rules::RuleSet;
use trev::sample::{self, Rng, SampleSpec};
use trev::session;

/// The data the journals mark: files with distinct trajectory ids that load without problems.
const DATA: [&str; 4] = [
    "agentinstruct_os.json",
    "agentinstruct_db.jsonl",
    "rule_defects.jsonl",
    "openai_messages.jsonl",
];

struct Data {
    files: Vec<PathBuf>,
    dataset: Dataset,
    trajectories: Vec<Trajectory>,
}

fn data() -> Data {
    let files: Vec<PathBuf> = DATA.iter().map(|f| common::sample_data().join(f)).collect();
    let dataset = Dataset::open(&files, LoadOptions::default()).unwrap();
    dataset.wait();
    assert!(
        dataset.diagnostics().is_empty(),
        "{:?}",
        dataset.diagnostics()
    );
    let trajectories: Vec<Trajectory> = (0..dataset.len())
        .map(|i| dataset.load(i).unwrap().0)
        .collect();
    let ids: HashSet<&str> = trajectories.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), trajectories.len(), "distinct ids");
    Data {
        files,
        dataset,
        trajectories,
    }
}

/// Valid events and their mutations, from a fixed seed.
struct Gen<'a> {
    rng: Rng,
    data: &'a Data,
}

/// One generated journal file.
struct File {
    bytes: Vec<u8>,
    lines: usize,
    /// Lines with something to read (not blank).
    nonblank: usize,
    /// 1-based numbers of the lines that are valid events as generated.
    valid: BTreeSet<usize>,
}

const STRINGS: [&str; 16] = [
    "",
    " ",
    "é",
    "🦀",
    "名前",
    "\u{0}",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{7}\u{8}\u{7f}",
    "\u{202e}rtl",
    "\u{feff}bom",
    "line\nbreak\r\n",
    "\u{2028}\u{2029}",
    "right",
    "wrong",
    "accept",
    "tab\there",
];

const TIMESTAMPS: [&str; 24] = [
    "2026-11-22T10:04:05éabcd",
    "2026-11-22T10:04:0é",
    "2026-02-31T10:04:05Z",
    "2026-02-29T10:04:05Z",
    "1900-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-11-22T25:00:00Z",
    "2026-11-22T24:00:00Z",
    "2026-11-22T10:60:00Z",
    "2026-11-22T10:04:61Z",
    "2026-11-22T10:04:05+24:00",
    "2026-11-22T10:04:05-01:60",
    "2026-11-22T10:04:05",
    "2026-11-22T10:04:05.Z",
    "2026-11-22T10:04:05Z ",
    "2026-11-22T10:04:05+1:00",
    "",
    "yesterday",
    "٢٠٢٦-١١-٢٢T10:04:05Z",
    "2026-11-22T10:04:0５Z",
    "2026-11-22T10:04:05+01:00\u{0}",
    "9999-12-31T23:59:60-23:59",
    "0000-01-01T00:00:00+23:59",
];

/// Numbers as written, some beyond what a JSON parser keeps exactly.
const NUMBERS: [&str; 14] = [
    "-1",
    "-0",
    "1.5",
    "1e400",
    "-1e400",
    "1E2",
    "18446744073709551615",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "-9223372036854775809",
    "0.0000001",
    "99999999999999999999999999999",
    "2",
];

const BYTES: [u8; 22] = [
    b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', 0, 0xff, 0xc3, 0xe2, 0x80, b'\r', b'\t', 0x1b,
    0x7f, b' ', b'0', b'-', b'e', b'.',
];

const KEYS: [&str; 9] = [
    "v",
    "at",
    "annotator",
    "trajectory",
    "turn",
    "label",
    "note",
    "text_hash",
    "extra",
];

/// Stands for a number written as raw text in the serialized line.
const RAW: &str = "\u{1}raw\u{1}";

impl<'a> Gen<'a> {
    fn new(seed: u64, data: &'a Data) -> Gen<'a> {
        Gen {
            rng: Rng::new(seed),
            data,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// A real instant, spelled in one of the accepted ways.
    fn timestamp(&mut self) -> String {
        let secs = self.rng.below(4_000_000_000) as i64;
        let mut s = match self.below(4) {
            0 => time::format_unix(secs + 3600).replace('Z', "+01:00"),
            1 => time::format_unix(secs - 19_800).replace('Z', "-05:30"),
            _ => time::format_unix(secs),
        };
        if self.chance(20) {
            s.insert_str(19, ".123456");
        }
        if self.chance(10) {
            s = s.replace('T', " ").replace('Z', "z");
        }
        s
    }

    fn weird_timestamp(&mut self) -> String {
        if self.chance(50) {
            return self.pick(&TIMESTAMPS).to_string();
        }
        // Random digits: mostly dates and times that do not exist.
        let d = |g: &mut Gen, n: u64| g.rng.below(n);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d(self, 10_000),
            d(self, 14),
            d(self, 33),
            d(self, 26),
            d(self, 62),
            d(self, 62)
        )
    }

    fn weird_value(&mut self) -> Value {
        match self.below(12) {
            0 => Value::Null,
            1 => json!(self.chance(50)),
            2 => json!(self.pick(&[0i64, -1, i64::MIN, i64::MAX])),
            3 => json!(u64::MAX),
            4 => json!(self.pick(&[1.5f64, -0.0, 1e308, -1e-308])),
            5 => json!(self.pick(&STRINGS)),
            6 => json!([]),
            7 => json!([1, "two", null]),
            8 => json!({}),
            9 => json!({"label": "right", "turn": 1}),
            10 => {
                let mut v = json!(1);
                for _ in 0..self.below(300) {
                    v = json!([v]);
                }
                v
            }
            _ => Value::String(RAW.to_string()),
        }
    }

    /// A valid event on the data's trajectories (sometimes on turns or ids it does not have).
    fn event(&mut self) -> Map<String, Value> {
        let mut e = Map::new();
        if self.chance(80) {
            e.insert("v".into(), json!(1));
        }
        if self.chance(85) {
            let at = self.timestamp();
            e.insert("at".into(), json!(at));
        }
        if self.chance(70) {
            let who = self.pick(&["alice", "bob", "judge", "Zoë", "gpt judge"]);
            e.insert("annotator".into(), json!(who));
        }
        let n = self.data.trajectories.len();
        let t = &self.data.trajectories[self.below(n)];
        let id = if self.chance(5) {
            "not-in-the-data".to_string()
        } else {
            t.id.clone()
        };
        let agent: Vec<usize> = t.agent_turns().map(|x| x.index).collect();
        let verdict = self.chance(15);
        let turn = match (verdict, agent.is_empty()) {
            (true, _) => Value::Null,
            (false, false) if self.chance(90) => json!(agent[self.below(agent.len())]),
            _ => json!(self.below(t.turns.len() + 3)),
        };
        let label = match (verdict, self.below(20)) {
            (_, 0) => Value::Null,
            (_, 1) => json!("unsure"),
            (true, k) => json!(["accept", "reject"][k % 2]),
            (false, k) => json!(["right", "wrong"][k % 2]),
        };
        e.insert("trajectory".into(), json!(id));
        e.insert("turn".into(), turn);
        e.insert("label".into(), label);
        if self.chance(20) {
            let note = self.pick(&STRINGS);
            e.insert("note".into(), json!(note));
        }
        if self.chance(20) {
            let hash = trev::labels::text_hash(self.pick(&STRINGS));
            e.insert("text_hash".into(), json!(hash));
        }
        e
    }

    /// Change the event's fields: wrong types, missing fields, weird timestamps and strings.
    fn mutate_fields(&mut self, e: &mut Map<String, Value>) -> Option<String> {
        let mut raw = None;
        for _ in 0..1 + self.below(3) {
            let key = self.pick(&KEYS);
            match self.below(6) {
                0 => {
                    e.remove(key);
                }
                1 => {
                    let ts = self.weird_timestamp();
                    e.insert("at".into(), json!(ts));
                }
                2 => {
                    let s = self.pick(&STRINGS);
                    e.insert(key.into(), json!(s));
                }
                3 => {
                    let number = self.pick(&NUMBERS).to_string();
                    e.insert(self.pick(&["turn", "v"]).into(), json!(RAW));
                    raw = Some(number);
                }
                _ => {
                    let value = self.weird_value();
                    if value == json!(RAW) {
                        raw = Some(self.pick(&NUMBERS).to_string());
                    }
                    e.insert(key.into(), value);
                }
            }
        }
        raw
    }

    /// Bytes flipped, inserted or deleted, the line cut short; never a newline.
    fn mutate_bytes(&mut self, line: &mut Vec<u8>) {
        for _ in 0..1 + self.below(4) {
            let at = self.below(line.len() + 1);
            match self.below(6) {
                0 if at < line.len() => line[at] ^= 1 << self.below(8),
                1 => line.insert(at, self.pick(&BYTES)),
                2 => {
                    let s = self.pick(&STRINGS).as_bytes().to_vec();
                    line.splice(at..at, s);
                }
                3 => {
                    let end = (at + 1 + self.below(8)).min(line.len());
                    line.drain(at.min(end)..end);
                }
                4 => line.truncate(at),
                _ => line.insert(at, self.rng.below(256) as u8),
            }
        }
        for b in line.iter_mut().filter(|b| **b == b'\n') {
            *b = b' ';
        }
    }

    /// One line (without its newline), and whether it is a valid event as generated.
    fn line(&mut self) -> (Vec<u8>, bool) {
        let roll = self.below(100);
        if roll < 5 {
            let len = self.below(120);
            let alphabet = b"{}[]\",:\\ \t0123456789-.eEtruefalsnl\xc3\xa9\xff\x00\x1b\r";
            let line = (0..len)
                .map(|_| match self.below(5) {
                    0 => self.rng.below(256) as u8,
                    _ => self.pick(alphabet),
                })
                .map(|b| if b == b'\n' { b' ' } else { b })
                .collect();
            return (line, false);
        }
        if roll < 7 {
            let line = self.pick(&[
                &b"[]"[..],
                b"null",
                b"\"x\"",
                b"{}",
                b"123",
                b"{\"turn\":1}",
            ]);
            return (line.to_vec(), false);
        }
        let mut e = self.event();
        if roll < 40 {
            return (serde_json::to_vec(&e).unwrap(), true);
        }
        let raw = if roll < 80 {
            self.mutate_fields(&mut e)
        } else {
            None
        };
        let mut line = serde_json::to_vec(&e).unwrap();
        if let Some(number) = raw {
            let text = String::from_utf8(line).unwrap();
            line = text.replace("\"\\u0001raw\\u0001\"", &number).into_bytes();
        }
        if roll >= 70 {
            self.mutate_bytes(&mut line);
        }
        if self.chance(3) {
            // A key given twice: the later one is the one read.
            line.truncate(line.len().saturating_sub(1));
            line.extend_from_slice(b",\"label\":7}");
        }
        (line, false)
    }

    /// A journal file of `n` lines: blank lines, CRLF endings, an unterminated last line.
    fn file(&mut self, n: usize) -> File {
        let mut f = File {
            bytes: Vec::new(),
            lines: n,
            nonblank: 0,
            valid: BTreeSet::new(),
        };
        for i in 1..=n {
            let (line, valid) = if self.chance(2) {
                (b"   ".to_vec(), false)
            } else {
                self.line()
            };
            f.add(i, line, valid);
            let last = i == n;
            if !last || self.chance(85) {
                let end: &[u8] = if self.chance(10) { b"\r\n" } else { b"\n" };
                f.bytes.extend_from_slice(end);
            }
        }
        f
    }
}

impl File {
    fn add(&mut self, number: usize, line: Vec<u8>, valid: bool) {
        let blank = std::str::from_utf8(&line).is_ok_and(|s| s.trim().is_empty());
        self.nonblank += usize::from(!blank);
        if valid {
            self.valid.insert(number);
        }
        self.bytes.extend_from_slice(&line);
    }
}

/// Whether a line alone is a bad one.
fn is_bad_line(line: &[u8]) -> bool {
    let mut r = Replay::new();
    let mut bytes = line.to_vec();
    bytes.push(b'\n');
    r.read_bytes(&bytes, &Arc::from(Path::new("x.jsonl")), "x");
    !r.warnings().is_empty()
}

/// The votes of `replay`'s marks resolved to the data's trajectories, as export counts them.
fn resolved_votes(
    replay: &Replay,
    data: &Data,
) -> std::collections::HashMap<votes::TrajectoryKey, votes::TrajectoryVotes> {
    let mut index = Index::default();
    for t in &data.trajectories {
        let hashes = t.turns.iter().map(|x| text_hash(&x.text)).collect();
        index.add(t.run.clone(), t.id.clone(), hashes);
    }
    votes::votes(&resolve(replay.marks(), &index), &BTreeSet::new())
}

/// Everything downstream of the replay, as the commands compute it.
fn downstream(replay: &Replay, data: &Data) -> usize {
    let turns: Vec<AgentTurns> = data.trajectories.iter().map(AgentTurns::of).collect();
    let rows = progress(replay, &turns);
    for level in [
        session::agreement::Level::Turn,
        session::agreement::Level::Trajectory,
    ] {
        let ratings = session::agreement::ratings(replay, level, None, Vec::new()).unwrap();
        serde_json::to_string(&agree::agreement(&ratings)).unwrap();
    }
    let votes = resolved_votes(replay, data);
    for policy in [policy(false), policy(true)] {
        for t in &data.trajectories {
            decide(t, votes.get(&votes::key_of(t)), &[], &policy);
        }
    }
    rows.len()
}

fn policy(alternative: bool) -> Policy {
    Policy {
        agree: if alternative {
            Agree::Any
        } else {
            Agree::Majority
        },
        require: Require::NoWrong,
        keep_unreviewed: alternative,
        drop_findings: None,
        mask_wrong: false,
        mask_demo: alternative,
        truncate_at_first_wrong: alternative,
    }
}

#[derive(Default)]
struct Figures {
    lines: usize,
    files: usize,
    bad: usize,
    applied: usize,
    panics: usize,
}

#[test]
fn every_fuzzed_line_is_applied_or_reported_at_its_line() {
    let data = data();
    let mut gen = Gen::new(20_261_122, &data);
    let mut all = Replay::new();
    let mut fig = Figures::default();
    let mut files = Vec::new();
    while fig.lines < 10_000 {
        let n = (1 + gen.below(200)).min(10_000 - fig.lines);
        files.push(gen.file(n));
        fig.lines += n;
    }
    // Two 10 MB lines between valid ones: a valid event with a huge note, and garbage.
    let good = br#"{"trajectory":"os_1","turn":1,"label":"right"}"#;
    let mut huge = File {
        bytes: Vec::new(),
        lines: 4,
        nonblank: 0,
        valid: BTreeSet::new(),
    };
    let note = format!(
        r#"{{"trajectory":"os_1","turn":1,"label":"right","note":"{}"}}"#,
        "é".repeat(5 << 20)
    );
    for (i, line) in [&good[..], note.as_bytes(), &vec![b'{'; 10 << 20], &good[..]]
        .iter()
        .enumerate()
    {
        huge.add(i + 1, line.to_vec(), i % 3 == 0);
        huge.bytes.push(b'\n');
    }
    files.push(huge);
    fig.lines += 4;
    for (k, f) in files.iter().enumerate() {
        let path: Arc<Path> = Arc::from(Path::new(&format!("fuzz-{k}.jsonl")));
        let read = catch_unwind(AssertUnwindSafe(|| {
            let mut r = Replay::new();
            r.read_bytes(&f.bytes, &path, "fuzz");
            all.read_bytes(&f.bytes, &path, "fuzz");
            r
        }));
        fig.files += 1;
        let Ok(r) = read else {
            fig.panics += 1;
            continue;
        };
        let w = r.warnings();
        assert_eq!(
            r.events() + w.len(),
            f.nonblank,
            "{path:?}: each line read or reported"
        );
        let mut previous = 0;
        for d in w {
            assert_eq!(d.file, path);
            let line = d.line as usize;
            assert!(previous < line && line <= f.lines, "{d}");
            assert!(!f.valid.contains(&line), "a valid line was refused: {d}");
            let shown = d.to_string();
            assert!(shown.starts_with(&format!("fuzz-{k}.jsonl:{line}: warning: ")));
            assert!(d.message.len() < 300, "a short message: {shown}");
            previous = line;
        }
        fig.bad += w.len();
        fig.applied += r.events();
    }
    let annotators = catch_unwind(AssertUnwindSafe(|| downstream(&all, &data)));
    fig.panics += usize::from(annotators.is_err());
    eprintln!(
        "journal fuzz (library): {} lines in {} files: {} applied, {} bad (each reported at file:line), {} annotators; panics {}",
        fig.lines,
        fig.files,
        fig.applied,
        fig.bad,
        annotators.unwrap_or(0),
        fig.panics
    );
    assert_eq!(fig.panics, 0);
    assert!(
        fig.bad > 3000 && fig.applied > 3000,
        "the mix exercises both"
    );
}

/// A sample record with its fields changed or its bytes mutated.
fn mutated_record(gen: &mut Gen, valid: &str) -> Vec<u8> {
    let mut record: Value = serde_json::from_str(valid).unwrap();
    for _ in 0..1 + gen.below(3) {
        let key = gen.pick(&["v", "spec", "records", "ids", "extra"]);
        match gen.below(7) {
            0 => {
                record.as_object_mut().unwrap().remove(key);
            }
            1 => record[key] = gen.weird_value(),
            2 => {
                let field = gen.pick(&["size", "seed", "stratify", "per_task"]);
                if record["spec"].is_object() {
                    record["spec"][field] = gen.weird_value();
                }
            }
            3 => {
                let id = gen.pick(&STRINGS);
                let ids: Vec<&str> = (0..gen.below(2000)).map(|_| id).collect();
                record["ids"] = json!(ids);
            }
            4 => record["v"] = json!(gen.pick(&[0, 1, 2, u32::MAX])),
            5 => {
                if let Some(ids) = record["ids"].as_array_mut() {
                    let weird = gen.weird_value();
                    ids.push(weird);
                }
            }
            _ => record["records"] = json!(gen.pick(&[0u64, 1, u64::MAX])),
        }
    }
    let text = serde_json::to_string_pretty(&record).unwrap();
    let mut bytes = text
        .replace("\"\\u0001raw\\u0001\"", gen.pick(&NUMBERS))
        .into_bytes();
    if gen.chance(40) {
        gen.mutate_bytes(&mut bytes);
    }
    bytes
}

#[test]
fn mutated_sample_records_are_errors_naming_the_file_never_panics() {
    let data = data();
    let mut gen = Gen::new(31, &data);
    let dir = tempfile::tempdir().unwrap();
    let all = spec_all(&data);
    session::sample::draw(&data.dataset, &all, Some(dir.path())).unwrap();
    let valid = std::fs::read_to_string(dir.path().join(sample::RECORD_FILE)).unwrap();
    let replay = Replay::new();
    let census = session::estimate::census(&data.dataset, &replay);
    let (mut read, mut refused, mut panics) = (0, 0, 0);
    for _ in 0..500 {
        let bytes = mutated_record(&mut gen, &valid);
        std::fs::write(dir.path().join(sample::RECORD_FILE), &bytes).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match sample::recorded(dir.path()) {
                Ok(_) => read += 1,
                Err(e) => {
                    assert!(e.to_string().contains("sample.json"), "{e}");
                    refused += 1;
                }
            }
            let _ = session::sample::for_review(&data.dataset, None, dir.path());
            if let Ok(selected) =
                session::estimate::selection(&data.dataset, &census, None, dir.path())
            {
                let e = session::estimate::estimate(&data.dataset, &census, &selected, &|_| false);
                session::estimate::lines(&e);
            }
        }));
        panics += usize::from(outcome.is_err());
    }
    eprintln!(
        "sample.json fuzz (library): 500 records: {read} read, {refused} refused naming the file; panics {panics}"
    );
    assert_eq!(panics, 0);
    assert!(read > 50 && refused > 50);
}

fn spec_all(data: &Data) -> SampleSpec {
    SampleSpec {
        size: data.trajectories.len(),
        seed: 7,
        stratify: false,
        per_task: None,
    }
}

/// The binary's run: never a panic.
fn run(home: &Path, args: &[&std::ffi::OsStr], runs: &mut usize) -> Output {
    let out = common::trev(home).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| c != 101) && !stderr.contains("panicked"),
        "trev {args:?}: {:?}\n{stderr}",
        out.status
    );
    *runs += 1;
    out
}

/// Every warning of `expected` is on stderr at its `file:line`, and no other about `dir`.
fn assert_reported(stderr: &[u8], expected: &Replay, dir: &Path) {
    let stderr = String::from_utf8_lossy(stderr);
    for w in expected.warnings() {
        let at = format!("{}:{}: warning: ", w.file.display(), w.line);
        assert!(stderr.lines().any(|l| l.starts_with(&at)), "{at} missing");
    }
    let prefix = format!("{}/", dir.display());
    let shown = stderr
        .lines()
        .filter(|l| l.starts_with(&prefix) && l.contains(": warning: "))
        .count();
    assert_eq!(shown, expected.warnings().len(), "{stderr}");
}

/// Write journal files into `dir` from `lines` generated lines, at most `per_file` bad lines
/// in a file (agree and stats show 20 per file) and `in_all` in all (export shows the first
/// 20 of a run); returns the bad lines written.
fn journal_dir(gen: &mut Gen, dir: &Path, lines: usize, per_file: usize, in_all: usize) -> usize {
    std::fs::create_dir_all(dir).unwrap();
    let names = ["alice", "bob", "judge", "gpt-judge"];
    let (mut file, mut bad_in_file, mut lines_in_file, mut bad) = (Vec::new(), 0, 0, 0);
    let mut k = 0;
    for i in 0..lines {
        let (mut line, mut is_bad) = (Vec::new(), true);
        while is_bad && bad == in_all || line.is_empty() {
            line = gen.line().0;
            is_bad = is_bad_line(&line);
        }
        if (is_bad && bad_in_file == per_file) || lines_in_file == 80 {
            std::fs::write(dir.join(format!("{}-{k}.jsonl", names[k % 4])), &file).unwrap();
            (file, bad_in_file, lines_in_file) = (Vec::new(), 0, 0);
            k += 1;
        }
        file.extend_from_slice(&line);
        if i + 1 < lines || gen.chance(80) {
            file.push(b'\n');
        }
        bad_in_file += usize::from(is_bad);
        lines_in_file += 1;
        bad += usize::from(is_bad);
    }
    std::fs::write(dir.join(format!("{}-{k}.jsonl", names[k % 4])), &file).unwrap();
    bad
}

fn library_replay(dir: &Path) -> Replay {
    let mut r = Replay::new();
    r.read_path(dir).unwrap();
    r
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn the_binary_never_panics_on_fuzzed_journals_and_sample_records() {
    let data = data();
    let mut gen = Gen::new(4_294_967_295, &data);
    let home = tempfile::tempdir().unwrap();
    let (mut runs, mut lines, mut bad) = (0, 0, 0);
    let files: Vec<&std::ffi::OsStr> = data.files.iter().map(|f| f.as_os_str()).collect();
    let turns: Vec<AgentTurns> = data.trajectories.iter().map(AgentTurns::of).collect();
    let rules = RuleSet::builtin();
    let flagged = |t: &Trajectory| {
        rules
            .check(t)
            .iter()
            .any(|f| f.severity == trev::findings::Severity::Error)
    };
    let estimate_lines = |dir: &Path, replay: &Replay| -> Option<String> {
        let census = session::estimate::census(&data.dataset, replay);
        let selected = session::estimate::selection(&data.dataset, &census, None, dir).ok()?;
        let e = session::estimate::estimate(&data.dataset, &census, &selected, &flagged);
        Some(session::estimate::lines(&e).join("\n") + "\n")
    };

    // agree, stats --annotations and stats --estimate over directories of 300 lines.
    for b in 0..10 {
        let dir = home.path().join(format!("journals-{b}"));
        bad += journal_dir(&mut gen, &dir, 300, 20, usize::MAX);
        lines += 300;
        if b == 0 {
            let mut huge = br#"{"trajectory":"x","turn":1,"label":"right","note":""#.to_vec();
            huge.extend(std::iter::repeat_n(b'x', 10 << 20));
            huge.extend_from_slice(b"\"}\n");
            std::fs::write(dir.join("huge.jsonl"), huge).unwrap();
            (lines, bad) = (lines + 1, bad + 1);
        }
        session::sample::draw(&data.dataset, &spec_all(&data), Some(&dir)).unwrap();
        let expected = library_replay(&dir);
        let d = dir.as_os_str();

        let out = run(home.path(), &[os("agree"), os("--json"), d], &mut runs);
        assert_reported(&out.stderr, &expected, &dir);
        let ratings =
            session::agreement::ratings(&expected, session::agreement::Level::Turn, None, vec![])
                .unwrap();
        let want = serde_json::to_string(&agree::agreement(&ratings)).unwrap() + "\n";
        assert!(
            out.stdout == want.as_bytes(),
            "agree over {}",
            dir.display()
        );
        run(
            home.path(),
            &[os("agree"), os("--level"), os("trajectory"), d],
            &mut runs,
        );

        let mut args = vec![os("stats"), os("--json"), os("--annotations"), d];
        args.extend(&files);
        let out = run(home.path(), &args, &mut runs);
        assert_reported(&out.stderr, &expected, &dir);
        let got: Vec<&[u8]> = out
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"{\"annotator\":"))
            .collect();
        let want: Vec<String> = progress(&expected, &turns)
            .iter()
            .map(|p| serde_json::to_string(p).unwrap())
            .collect();
        let same =
            got.len() == want.len() && got.iter().zip(&want).all(|(g, w)| *g == w.as_bytes());
        assert!(same, "stats --annotations over {}", dir.display());

        let mut args = vec![os("stats"), os("--estimate"), os("--annotations"), d];
        args.extend(&files);
        let out = run(home.path(), &args, &mut runs);
        let want = estimate_lines(&dir, &expected).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    }

    // export: at most 20 bad lines a run (it shows the first 20 of a run).
    for b in 0..20 {
        let dir = home.path().join(format!("export-{b}"));
        bad += journal_dir(&mut gen, &dir, 100, 20, 20);
        lines += 100;
        let expected = library_replay(&dir);
        let alternative = b % 2 == 1;
        let report = home.path().join(format!("report-{b}.json"));
        let out_file = home.path().join(format!("gold-{b}.jsonl"));
        // Not a dry run: that writes no report (nor anything else).
        let mut args = vec![
            os("export"),
            os("--annotations"),
            dir.as_os_str(),
            os("--out"),
            out_file.as_os_str(),
            os("--report"),
            report.as_os_str(),
        ];
        if alternative {
            args.extend([
                os("--agree"),
                os("any"),
                os("--keep-unreviewed"),
                os("--mask-demo"),
                os("--truncate-at-first-wrong"),
            ]);
        }
        args.extend(&files);
        let out = run(home.path(), &args, &mut runs);
        assert_eq!(out.status.code(), Some(0));
        assert_reported(&out.stderr, &expected, &dir);
        let got: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let votes = resolved_votes(&expected, &data);
        let (mut kept, mut dropped) = (0u64, BTreeMap::<String, u64>::new());
        for t in &data.trajectories {
            match decide(t, votes.get(&votes::key_of(t)), &[], &policy(alternative)) {
                Decision::Keep { .. } => kept += 1,
                Decision::Drop(why) => *dropped.entry(why.as_str().to_string()).or_default() += 1,
            }
        }
        assert_eq!(got["total"]["kept"], json!(kept), "{}", dir.display());
        assert_eq!(got["total"]["dropped_by_reason"], json!(dropped));
    }

    // stats --estimate over mutated sample.json files (and valid journals).
    let dir = home.path().join("journals-0");
    let expected = library_replay(&dir);
    let valid = std::fs::read_to_string(dir.join(sample::RECORD_FILE)).unwrap();
    let (mut read, mut refused) = (0, 0);
    for _ in 0..60 {
        let bytes = mutated_record(&mut gen, &valid);
        std::fs::write(dir.join(sample::RECORD_FILE), &bytes).unwrap();
        let mut args = vec![
            os("stats"),
            os("--estimate"),
            os("--annotations"),
            dir.as_os_str(),
        ];
        args.extend(&files);
        let out = run(home.path(), &args, &mut runs);
        match sample::recorded(&dir) {
            Ok(_) => {
                read += 1;
                assert_eq!(out.status.code(), Some(0));
                let want = estimate_lines(&dir, &expected).unwrap();
                assert_eq!(String::from_utf8_lossy(&out.stdout), want);
            }
            Err(e) => {
                refused += 1;
                assert_eq!(out.status.code(), Some(2), "{e}");
                let stderr = String::from_utf8_lossy(&out.stderr);
                let path = dir.join(sample::RECORD_FILE).display().to_string();
                assert!(stderr.contains(&path), "{stderr}");
            }
        }
    }
    eprintln!(
        "journal fuzz (binary): {runs} runs of agree, export, stats --annotations and stats --estimate over {lines} lines ({bad} bad, each reported at file:line) and 60 mutated sample.json ({read} read, {refused} refused naming the file); exit 101 or \"panicked\": 0"
    );
    assert!(read > 3 && refused > 3);
}
