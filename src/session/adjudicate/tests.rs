use std::path::Path;

use super::*;

/// A journal line.
fn line(who: &str, turn: Option<usize>, label: &str, category: Option<&str>) -> String {
    let category = category.map_or(String::new(), |c| format!(r#","category":"{c}""#));
    let turn = turn.map_or("null".to_string(), |t| t.to_string());
    format!(
        r#"{{"at":"2026-11-22T10:00:00Z","annotator":"{who}","run":"r","trajectory":"t","turn":{turn},"label":"{label}"{category}}}"#
    )
}

fn replay_of(journals: &[(&str, Vec<String>)]) -> Replay {
    let mut r = Replay::new();
    for (name, lines) in journals {
        let text = lines.join("\n") + "\n";
        r.read_str(&text, &Arc::from(Path::new(&format!("{name}.jsonl"))), name);
    }
    r
}

fn keys() -> HashSet<TrajectoryKey> {
    HashSet::from([(Arc::from("r"), "t".to_string())])
}

/// Three journals: turn 1 all agree; turn 2 a 2–1 split; turn 3 a 1–1 tie (carol silent);
/// turn 4 all wrong, categories differ; turn 5 all wrong, one without a category (no
/// difference); the verdict a split.
fn three() -> Vec<(&'static str, Vec<String>)> {
    vec![
        (
            "alice",
            vec![
                line("alice", Some(1), "right", None),
                line("alice", Some(2), "wrong", Some("plan-error")),
                line("alice", Some(3), "right", None),
                line("alice", Some(4), "wrong", Some("hallucination")),
                line("alice", Some(5), "wrong", Some("plan-error")),
                line("alice", None, "reject", None),
            ],
        ),
        (
            "bob",
            vec![
                line("bob", Some(1), "right", None),
                line("bob", Some(2), "right", None),
                line("bob", Some(3), "wrong", None),
                line("bob", Some(4), "wrong", Some("invalid-action")),
                line("bob", Some(5), "wrong", None),
                line("bob", None, "accept", None),
            ],
        ),
        (
            "carol",
            vec![
                line("carol", Some(1), "right", None),
                line("carol", Some(2), "right", None),
                line("carol", Some(4), "wrong", Some("hallucination")),
                line("carol", None, "reject", None),
            ],
        ),
    ]
}

#[test]
fn the_queue_holds_splits_ties_and_category_only_differences() {
    let q = of_trajectories(&replay_of(&three()), &keys());
    let turns: Vec<Option<usize>> = q.items.iter().map(|i| i.turn).collect();
    assert_eq!(turns, [None, Some(2), Some(3), Some(4)]);
    let verdict = &q.items[0];
    assert_eq!(verdict.suggested, ("reject".to_string(), None));
    assert!(!verdict.tie);
    let split = &q.items[1];
    assert_eq!(split.differs, Difference::Label);
    assert_eq!(split.suggested, ("right".to_string(), None));
    assert_eq!(
        split.answers["alice"].category.as_deref(),
        Some("plan-error")
    );
    let tie = &q.items[2];
    assert!(tie.tie);
    assert_eq!(tie.suggested.0, "wrong", "a tie pre-selects wrong");
    let category = &q.items[3];
    assert_eq!(category.differs, Difference::Category);
    assert_eq!(
        category.suggested,
        ("wrong".to_string(), Some("hallucination".to_string()))
    );
    assert_eq!((q.len(), q.settled()), (4, 0));
    assert_eq!(q.next_unsettled(3), Some(3));
}

#[test]
fn adjudications_settle_items_and_the_latest_wins() {
    let mut journals = three();
    let adj = |at: &str, label: &str, cause: &str| {
        format!(
            r#"{{"at":"{at}","annotator":"dana","run":"r","trajectory":"t","turn":3,"label":"{label}","kind":"adjudication","note":"why","cause":"{cause}"}}"#
        )
    };
    journals.push((
        "dana",
        vec![
            adj("2026-11-22T11:00:00Z", "wrong", "ambiguous"),
            adj("2026-11-22T11:00:05Z", "right", "guideline-gap"),
        ],
    ));
    let r = replay_of(&journals);
    assert!(r.warnings().is_empty(), "{:?}", r.warnings());
    // Adjudications are not marks: dana is no annotator of turn 3.
    assert!(r.marks().keys().all(|k| k.annotator != "dana"));
    let q = of_trajectories(&r, &keys());
    let item = q.items.iter().find(|i| i.turn == Some(3)).unwrap();
    let gold = item.settled.as_ref().unwrap();
    assert_eq!((gold.label.as_str(), gold.by.as_str()), ("right", "dana"));
    assert_eq!(gold.cause.as_deref(), Some("guideline-gap"));
    assert_eq!(q.settled(), 1);
    assert_eq!(q.causes()["guideline-gap"], 1);
    assert_eq!(q.next_unsettled(2), Some(3));
}

#[test]
fn only_the_loaded_trajectories_are_queued() {
    let q = of_trajectories(
        &replay_of(&three()),
        &HashSet::from([(Arc::from("other"), "t".to_string())]),
    );
    assert!(q.is_empty());
}
