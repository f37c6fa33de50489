//! Parquet files and directories of shards: rows written here with the parquet crate's own
//! writer (ShareGPT and OpenAI rows, several row groups), read by every command, checked
//! against the rows written and against the same rows as JSON Lines.

mod common;

use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{json, Value};

/// One row: an id, its turns as (role field, text field) pairs, and maybe a reward.
struct Row {
    id: String,
    turns: Vec<(String, String)>,
    reward: Option<f64>,
}

/// A table of rows: the turn list's column name and its two struct fields.
struct Table<'a> {
    list: &'a str,
    fields: [&'a str; 2],
    rows: Vec<Row>,
}

impl Table<'_> {
    /// Write the rows as Parquet, `per_group` rows in each row group.
    fn write_parquet(&self, path: &Path, per_group: usize) {
        let [role, text] = self.fields;
        let schema = format!(
            "message trajectories {{
               required binary id (STRING);
               optional group {} (LIST) {{
                 repeated group list {{
                   optional group element {{
                     optional binary {role} (STRING);
                     optional binary {text} (STRING);
                   }}
                 }}
               }}
               optional double reward;
             }}",
            self.list
        );
        let schema = Arc::new(parse_message_type(&schema).unwrap());
        let props = Arc::new(WriterProperties::builder().build());
        let file = std::fs::File::create(path).unwrap();
        let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
        for group in self.rows.chunks(per_group) {
            let mut rg = writer.next_row_group().unwrap();
            // id
            let mut col = rg.next_column().unwrap().unwrap();
            let ids: Vec<ByteArray> = group.iter().map(|r| r.id.as_str().into()).collect();
            col.typed::<ByteArrayType>()
                .write_batch(&ids, None, None)
                .unwrap();
            col.close().unwrap();
            // The two leaves of the list's structs: definition level 4 for a value, 1 for an
            // empty list; repetition level 1 for every turn after a row's first.
            for field in 0..2 {
                let (mut values, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
                for r in group {
                    if r.turns.is_empty() {
                        def.push(1);
                        rep.push(0);
                    }
                    for (k, turn) in r.turns.iter().enumerate() {
                        let v = if field == 0 { &turn.0 } else { &turn.1 };
                        values.push(ByteArray::from(v.as_str()));
                        def.push(4);
                        rep.push(i16::from(k > 0));
                    }
                }
                let mut col = rg.next_column().unwrap().unwrap();
                col.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&def), Some(&rep))
                    .unwrap();
                col.close().unwrap();
            }
            // reward
            let rewards: Vec<f64> = group.iter().filter_map(|r| r.reward).collect();
            let def: Vec<i16> = group
                .iter()
                .map(|r| i16::from(r.reward.is_some()))
                .collect();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<DoubleType>()
                .write_batch(&rewards, Some(&def), None)
                .unwrap();
            col.close().unwrap();
            rg.close().unwrap();
        }
        writer.close().unwrap();
    }

    /// The same rows as JSON Lines.
    fn write_jsonl(&self, path: &Path) {
        let [role, text] = self.fields;
        let mut out = String::new();
        for r in &self.rows {
            let turns: Vec<Value> = r
                .turns
                .iter()
                .map(|(a, b)| json!({ role: a, text: b }))
                .collect();
            let mut line = json!({ "id": r.id, self.list: turns });
            if let Some(reward) = r.reward {
                line["reward"] = json!(reward);
            }
            out.push_str(&line.to_string());
            out.push('\n');
        }
        std::fs::write(path, out).unwrap();
    }
}

/// `n` ShareGPT rows (`from`/`value`): a task, then agent and environment turns in turn.
fn sharegpt(n: usize) -> Table<'static> {
    let rows = (0..n)
        .map(|i| {
            let mut turns = vec![("human".to_string(), format!("Task {i}: list the files."))];
            for k in 0..(i % 4 + 1) {
                turns.push((
                    "gpt".into(),
                    format!("Think: step {k}.\n\nAct: bash\n\n```bash\nls /tmp/{i}\n```"),
                ));
                // The same listing each time: from the third `ls` on, a repetition.
                turns.push(("human".into(), "The output of the OS:\n\nfile0".into()));
            }
            turns.push(("gpt".into(), "Act: answer(done)".into()));
            Row {
                id: format!("os_{i}"),
                turns,
                reward: None,
            }
        })
        .collect();
    Table {
        list: "conversations",
        fields: ["from", "value"],
        rows,
    }
}

/// `n` OpenAI rows (`role`/`content`) with a reward: 1 on even rows, 0 on odd ones.
fn openai(n: usize) -> Table<'static> {
    let rows = (0..n)
        .map(|i| Row {
            id: format!("chat-{i}"),
            turns: [
                ("system", "You are a helpful agent."),
                ("user", "What is 2 + 2?"),
                ("assistant", "Thought: add.\nAction: answer[4]"),
            ]
            .iter()
            .take(2 + i % 2)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            reward: Some(if i % 2 == 0 { 1.0 } else { 0.0 }),
        })
        .collect();
    Table {
        list: "messages",
        fields: ["role", "content"],
        rows,
    }
}

fn stats(home: &Path, path: &Path) -> Vec<Value> {
    let out = common::trev(home)
        .args(["stats", "--json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Stats lines without the file name, to compare two files holding the same records.
fn unnamed(mut lines: Vec<Value>) -> Vec<Value> {
    for l in &mut lines {
        l.as_object_mut().unwrap().remove("file");
    }
    lines
}

fn totals(lines: &[Value]) -> &Value {
    lines
        .iter()
        .find(|l| l["task"] == "*")
        .expect("a totals line")
}

#[test]
fn sharegpt_rows_in_several_row_groups_read_as_the_same_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let table = sharegpt(7);
    let (pq, jsonl) = (dir.path().join("os.parquet"), dir.path().join("os.jsonl"));
    table.write_parquet(&pq, 3);
    table.write_jsonl(&jsonl);
    let lines = stats(dir.path(), &pq);
    // Counted from the rows written: every `gpt` turn is an agent turn.
    let t = totals(&lines);
    let written = |role: &str| -> usize {
        table
            .rows
            .iter()
            .flat_map(|r| &r.turns)
            .filter(|(f, _)| f == role)
            .count()
    };
    assert_eq!(t["trajectories"], 7);
    assert_eq!(t["turns"]["agent"], written("gpt"));
    let (instr, env) = (&t["turns"]["instruction"], &t["turns"]["environment"]);
    assert_eq!(
        instr.as_u64().unwrap() + env.as_u64().unwrap(),
        written("human") as u64
    );
    assert_eq!(t["skipped"], 0);
    assert_eq!(unnamed(lines), unnamed(stats(dir.path(), &jsonl)));
    // Every rule finds the same in both.
    let check = |path: &Path| -> Vec<Value> {
        let out = common::trev(dir.path())
            .args(["check", "--json", "--fail-on", "never"])
            .arg(path)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("file");
                v
            })
            .collect()
    };
    let found = check(&pq);
    assert!(found.len() > 1, "the rules found something: {found:?}");
    assert_eq!(found, check(&jsonl));
}

#[test]
fn openai_rows_keep_their_reward_as_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let table = openai(6);
    let (pq, jsonl) = (
        dir.path().join("chat.parquet"),
        dir.path().join("chat.jsonl"),
    );
    table.write_parquet(&pq, 4);
    table.write_jsonl(&jsonl);
    let lines = stats(dir.path(), &pq);
    let t = totals(&lines);
    assert_eq!(t["trajectories"], 6);
    assert_eq!(t["turns"]["system"], 6);
    assert_eq!(t["turns"]["agent"], 3, "odd rows end with the answer");
    assert_eq!(t["outcomes"]["pass"], 3);
    assert_eq!(t["outcomes"]["fail"], 3);
    // The three rows without an agent turn are counted, as in JSON Lines.
    assert_eq!(t["no_agent_turns"], 3);
    assert_eq!(unnamed(lines), unnamed(stats(dir.path(), &jsonl)));
}

#[test]
fn rows_are_read_in_any_order_from_an_index_made_of_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("os.parquet");
    sharegpt(10).write_parquet(&pq, 3);
    let data = trev::load::Dataset::open(std::slice::from_ref(&pq), Default::default()).unwrap();
    data.wait();
    assert_eq!(data.len(), 10);
    let files = data.files();
    assert_eq!(files[0].layout.describe(), "Parquet rows");
    for i in [9, 0, 5, 4, 4, 1, 8, 2, 3, 7, 6] {
        let (t, warnings) = data.load(i).unwrap();
        assert_eq!(t.id, format!("os_{i}"));
        assert_eq!(t.turns.len(), 2 * (i % 4 + 1) + 2);
        assert_eq!(t.source.record, i);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
    assert!(data.load(10).is_err());
    // A sample reads its rows by index too.
    let out = common::trev(dir.path())
        .args(["stats", "--json", "--sample", "4", "--seed", "3"])
        .arg(&pq)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"trajectories\":4"), "{text}");
}

#[test]
fn a_directory_of_shards_is_read_shard_by_shard() {
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("data");
    std::fs::create_dir(&shards).unwrap();
    sharegpt(5).write_parquet(&shards.join("train-00000-of-00002.parquet"), 2);
    openai(4).write_parquet(&shards.join("train-00001-of-00002.parquet"), 2);
    std::fs::write(shards.join("README.md"), "not data").unwrap();
    let lines = stats(dir.path(), &shards);
    let files: Vec<(&str, u64)> = lines
        .iter()
        .filter(|l| l["task"] == "*")
        .map(|l| {
            let name = l["file"].as_str().unwrap();
            (
                name.rsplit('/').next().unwrap(),
                l["trajectories"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("train-00000-of-00002.parquet", 5),
            ("train-00001-of-00002.parquet", 4)
        ]
    );
}

#[test]
fn a_file_without_a_trajectory_column_is_an_error_naming_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("plain.parquet");
    let mut table = sharegpt(2);
    table.list = "turns";
    table.write_parquet(&pq, 2);
    let out = common::trev(dir.path())
        .args(["stats"])
        .arg(&pq)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("plain.parquet"), "{err}");
    assert!(
        err.contains("needs `messages`, `conversations`, `trajectory` or `traj`"),
        "{err}"
    );
    assert!(err.contains("has `id`, `turns`, `reward`"), "{err}");
}

#[test]
fn damaged_and_truncated_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    sharegpt(8).write_parquet(&good, 4);
    let bytes = std::fs::read(&good).unwrap();
    // Cut in half: no footer.
    let truncated = dir.path().join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // The footer kept, the pages overwritten.
    let scrambled = dir.path().join("scrambled.parquet");
    let mut damaged = bytes.clone();
    for (k, b) in damaged[8..bytes.len() / 2].iter_mut().enumerate() {
        *b = (k * 131 % 251) as u8;
    }
    std::fs::write(&scrambled, &damaged).unwrap();
    for (path, says) in [
        (
            &truncated,
            "truncated.parquet: error: cannot read: damaged Parquet file",
        ),
        (
            &scrambled,
            "scrambled.parquet:1: error: cannot read the record: damaged Parquet file",
        ),
    ] {
        for args in [&["stats"][..], &["check", "--fail-on", "never"]] {
            let out = common::trev(dir.path())
                .args(args)
                .arg(path)
                .output()
                .unwrap();
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?} {err}");
            assert!(err.contains(says), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
        // The screen's reader says the same, without a panic.
        let data =
            trev::load::Dataset::open(std::slice::from_ref(path), Default::default()).unwrap();
        data.wait();
        assert_eq!(data.failure(), None);
        for i in 0..data.len() {
            let e = data.load(i).unwrap_err().to_string();
            assert!(e.contains("damaged Parquet file"), "{e}");
        }
    }
}

#[test]
fn rows_read_on_several_threads_at_once_are_each_their_own() {
    // Decoders of different row groups on different threads must not share a file offset.
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("many.parquet");
    let mut table = sharegpt(1200);
    for r in &mut table.rows {
        let pad = format!(" {}", r.id).repeat(300);
        r.turns[0].1.push_str(&pad);
    }
    table.write_parquet(&pq, 100);
    let data = trev::load::Dataset::open(std::slice::from_ref(&pq), Default::default()).unwrap();
    data.wait();
    std::thread::scope(|s| {
        for t in 0..4 {
            let data = &data;
            s.spawn(move || {
                for i in (t * 37..1200).step_by(101) {
                    let (traj, _) = data.load(i).unwrap();
                    assert_eq!(traj.id, format!("os_{i}"));
                    assert!(traj.turns[0].text.ends_with(&format!(" os_{i}")));
                }
            });
        }
    });
    // The scan decodes row groups on every worker.
    let lines = stats(dir.path(), &pq);
    assert_eq!(totals(&lines)["trajectories"], 1200);
    assert_eq!(totals(&lines)["skipped"], 0);
}

/// Ids repeated inside a Parquet file are numbered in row order like a JSON Lines file's,
/// across row groups, in the headless scan and in the dataset the screen reads.
#[test]
fn repeated_ids_are_numbered_in_row_order() {
    let home = tempfile::tempdir().unwrap();
    let mut table = sharegpt(7);
    for (k, row) in table.rows.iter_mut().enumerate() {
        row.id = if k % 3 == 0 {
            "os_x".into()
        } else {
            format!("os_{k}")
        };
    }
    let path = home.path().join("dups.parquet");
    table.write_parquet(&path, 2);
    let out = common::trev(home.path())
        .arg("stats")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "dups.parquet:4: warning: id `os_x` repeated (first at line 1): read as `os_x#2`"
        ) && stderr.contains(
            "dups.parquet:7: warning: id `os_x` repeated (first at line 1): read as `os_x#3`"
        ),
        "{stderr}"
    );
    let data = trev::load::Dataset::open(&[path], trev::load::LoadOptions::default()).unwrap();
    data.wait();
    let ids: Vec<String> = (0..7).map(|i| data.load(i).unwrap().0.id).collect();
    assert_eq!(
        ids,
        ["os_x", "os_1", "os_2", "os_x#2", "os_4", "os_5", "os_x#3"]
    );
}
