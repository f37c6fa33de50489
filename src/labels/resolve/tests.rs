use super::*;

fn key(annotator: &str, run: Option<&str>, id: &str, turn: Option<usize>) -> MarkKey {
    MarkKey {
        annotator: annotator.into(),
        run: run.map(str::to_string),
        trajectory: id.into(),
        turn,
    }
}

fn mark(label: &str, at: &str, hash: Option<&str>) -> Mark {
    Mark {
        label: label.into(),
        at: at.into(),
        note: None,
        text_hash: hash.map(str::to_string),
        ..Mark::default()
    }
}

fn index(trajectories: &[(&str, &str, &[&str])]) -> Index {
    let mut index = Index::default();
    for (run, id, hashes) in trajectories {
        index.add(
            Arc::from(*run),
            id.to_string(),
            hashes.iter().map(|h| h.to_string()).collect(),
        );
    }
    index
}

fn resolved_runs(r: &Resolved) -> Vec<(String, String, Option<usize>)> {
    r.marks
        .keys()
        .map(|k| (k.run.to_string(), k.trajectory.clone(), k.turn))
        .collect()
}

const AT: &str = "2026-11-22T10:04:05Z";

#[test]
fn files_of_one_harness_sharing_a_session_id_keep_their_marks_apart() {
    // Four ATIF files, one session id.
    let runs = ["atif_a", "atif_b", "atif_c", "atif_d"];
    let index = index(&runs.map(|r| (r, "NORMALIZED_SESSION_ID", &["h0", "h1"][..])));
    let marks = BTreeMap::from([(
        key("alice", Some("atif_b"), "NORMALIZED_SESSION_ID", Some(1)),
        mark("right", AT, Some("h1")),
    )]);
    let r = resolve(&marks, &index);
    assert_eq!(
        resolved_runs(&r),
        [("atif_b".into(), "NORMALIZED_SESSION_ID".into(), Some(1))]
    );
    assert!(r.ambiguous.is_empty() && r.relocated.is_empty());
    // A line written before runs cannot say which file it meant: it applies to none.
    let old = BTreeMap::from([(
        key("alice", None, "NORMALIZED_SESSION_ID", Some(1)),
        mark("right", AT, Some("h1")),
    )]);
    let r = resolve(&old, &index);
    assert!(r.marks.is_empty());
    assert_eq!(r.ambiguous.len(), 1);
    assert!(r.notice().unwrap().contains("in several runs"));
}

#[test]
fn two_runs_of_one_benchmark_share_task_ids_but_not_marks() {
    let index = index(&[
        ("fireact", "q1", &["a", "b"]),
        ("react_gpt4", "q1", &["a", "c"]),
        ("react_gpt4", "q2", &["a"]),
    ]);
    let marks = BTreeMap::from([
        (
            key("bob", Some("react_gpt4"), "q1", Some(1)),
            mark("wrong", AT, Some("c")),
        ),
        (
            key("bob", None, "q2", Some(0)),
            mark("right", AT, Some("a")),
        ),
    ]);
    let r = resolve(&marks, &index);
    assert_eq!(
        resolved_runs(&r),
        [
            ("react_gpt4".into(), "q1".into(), Some(1)),
            ("react_gpt4".into(), "q2".into(), Some(0)),
        ],
        "the named run's q1 only; the old line on q2 applies where q2 is unique"
    );
    assert_eq!(r.notice(), None);
}

#[test]
fn a_renamed_file_finds_its_marks_by_id_turn_and_text() {
    let index = index(&[
        ("runs_v2", "t7", &["h0", "h1", "h2"]),
        ("other", "t8", &["h0"]),
    ]);
    let marks = BTreeMap::from([
        (
            key("carol", Some("runs"), "t7", None),
            mark("accept", AT, None),
        ),
        (
            key("carol", Some("runs"), "t7", Some(2)),
            mark("wrong", AT, Some("h2")),
        ),
        // The text changed: not the same turn any more.
        (
            key("carol", Some("runs"), "t7", Some(1)),
            mark("wrong", AT, Some("zz")),
        ),
        // Another dataset's marks in the same journal.
        (
            key("carol", Some("elsewhere"), "x", Some(0)),
            mark("right", AT, Some("h0")),
        ),
    ]);
    let r = resolve(&marks, &index);
    assert_eq!(
        resolved_runs(&r),
        [
            ("runs_v2".into(), "t7".into(), None),
            ("runs_v2".into(), "t7".into(), Some(2)),
        ]
    );
    assert_eq!(
        r.relocated.len(),
        2,
        "the turn mark and the verdict that follows it"
    );
    assert_eq!(r.unmatched.len(), 2);
    assert!(r.notice().unwrap().contains("renamed or moved"));
}

#[test]
fn an_old_journal_applies_where_its_ids_are_unique_and_the_later_line_wins() {
    let index = index(&[("agentinstruct_os", "os_1", &["h0", "h1"])]);
    let marks = BTreeMap::from([
        (
            key("dan", None, "os_1", Some(1)),
            mark("wrong", "2026-01-01T00:00:00Z", None),
        ),
        (
            key("dan", Some("agentinstruct_os"), "os_1", Some(1)),
            mark("right", "2026-02-01T00:00:00Z", None),
        ),
        (key("dan", None, "os_9", Some(1)), mark("right", AT, None)),
    ]);
    let r = resolve(&marks, &index);
    assert_eq!(r.marks.len(), 1);
    assert_eq!(
        r.marks.values().next().unwrap().label,
        "right",
        "the later mark"
    );
    assert_eq!(r.unmatched.len(), 1);
}
