//! No input is ever overwritten: every file `trev export` (and the recorded sample) writes goes
//! through one safe write. Refusals name the file and say what to do, a dry run writes nothing,
//! a failure leaves nothing half-written, new files follow the umask, and the labels table
//! cannot smuggle a formula into a spreadsheet.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

struct Setup {
    _home: tempfile::TempDir,
    home: PathBuf,
    dir: PathBuf,
}

impl Setup {
    /// A home with `work/data.jsonl` (a copy of the db sample) and one mark in `work/ann`.
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().to_path_buf();
        let s = Setup {
            dir: path.join("work"),
            home: path,
            _home: home,
        };
        std::fs::create_dir_all(&s.dir).unwrap();
        let db = common::sample_data().join("agentinstruct_db.jsonl");
        std::fs::copy(db, s.path("data.jsonl")).unwrap();
        s.mark("alice", "db_10", "3", "right", None);
        s
    }

    fn trev(&self) -> assert_cmd::Command {
        let mut cmd = common::trev(&self.home);
        cmd.current_dir(&self.dir);
        cmd
    }

    fn mark(&self, who: &str, traj: &str, turn: &str, label: &str, note: Option<&str>) {
        let mut cmd = self.trev();
        cmd.args(["label", "data.jsonl", "--annotations", "ann"])
            .args(["--annotator", who, "--trajectory", traj, "--turn", turn])
            .args(["--set", label]);
        if let Some(note) = note {
            cmd.arg(format!("--note={note}"));
        }
        cmd.assert().success();
    }

    /// `trev export data.jsonl --annotations ann` and more.
    fn export(&self, more: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.trev();
        cmd.args(["export", "data.jsonl", "--annotations", "ann"])
            .args(more);
        cmd
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Every file under `dir`, with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.insert(path.clone(), Vec::new());
                todo.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn a_dry_run_writes_nothing_at_all() {
    let s = Setup::new();
    let before = snapshot(&s.home);
    s.export(&["--out", "gold.jsonl", "--report", "report.json"])
        .args(["--labels-out", "labels.csv", "--dry-run"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "would write 1 trajectories to gold.jsonl",
        ))
        .stderr(predicate::str::contains("total"));
    assert_eq!(snapshot(&s.home), before);
}

#[test]
fn an_existing_output_needs_force() {
    let s = Setup::new();
    for flag in ["--out", "--report", "--labels-out"] {
        std::fs::write(s.path("old.csv"), "precious\n").unwrap();
        let mut args = vec![flag, "old.csv"];
        if flag != "--out" {
            args.extend(["--out", "gold.jsonl"]);
        }
        s.export(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "old.csv exists: pass --force to replace it",
            ));
        assert_eq!(
            std::fs::read_to_string(s.path("old.csv")).unwrap(),
            "precious\n"
        );
        assert!(
            !s.path("gold.jsonl").exists(),
            "{flag}: refused before anything is written"
        );
        // A dry run refuses what the real run would.
        s.export(&args).arg("--dry-run").assert().code(2);
        s.export(&args).arg("--force").assert().success();
        assert_ne!(
            std::fs::read_to_string(s.path("old.csv")).unwrap(),
            "precious\n"
        );
        std::fs::remove_file(s.path("old.csv")).unwrap();
        let _ = std::fs::remove_file(s.path("gold.jsonl"));
    }
}

#[test]
fn no_output_may_be_an_input_even_with_force() {
    let s = Setup::new();
    let data = std::fs::read(s.path("data.jsonl")).unwrap();
    let journal = std::fs::read(s.path("ann/alice.jsonl")).unwrap();
    let cases: [&[&str]; 4] = [
        &["--out", "data.jsonl"],
        &["--out", "gold.jsonl", "--labels-out", "data.jsonl"],
        &["--out", "gold.jsonl", "--report", "./data.jsonl"],
        &["--out", "gold.jsonl", "--report", "ann/alice.jsonl"],
    ];
    for args in cases {
        let named = args.last().unwrap();
        s.export(args)
            .arg("--force")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{named} is an input of this command: choose another path"
            )));
    }
    // The fallback and a rules file are inputs too.
    std::fs::write(s.path("fallback.jsonl"), "{\"messages\": []}\n").unwrap();
    s.export(&["--out", "fallback.jsonl", "--fallback", "fallback.jsonl"])
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is an input of this command"));
    assert_eq!(std::fs::read(s.path("data.jsonl")).unwrap(), data);
    assert_eq!(std::fs::read(s.path("ann/alice.jsonl")).unwrap(), journal);
    assert!(!s.path("gold.jsonl").exists());
}

#[cfg(unix)]
#[test]
fn a_link_to_an_input_is_that_input() {
    let s = Setup::new();
    std::fs::hard_link(s.path("data.jsonl"), s.path("hard.jsonl")).unwrap();
    std::os::unix::fs::symlink(s.path("data.jsonl"), s.path("soft.jsonl")).unwrap();
    for link in ["hard.jsonl", "soft.jsonl"] {
        s.export(&["--out", link, "--force"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{link} is an input of this command: choose another path"
            )));
    }
}

#[test]
fn two_outputs_may_not_share_a_path() {
    let s = Setup::new();
    s.export(&["--out", "gold.jsonl", "--labels-out", "gold.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "gold.jsonl is named as two outputs of this command: choose another path",
        ));
    assert!(!s.path("gold.jsonl").exists());
}

#[test]
fn the_annotations_may_not_be_an_input() {
    let s = Setup::new();
    s.trev()
        .args(["export", "data.jsonl", "--out", "gold.jsonl"])
        .args(["--annotations", "data.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "data.jsonl is an input of this command",
        ))
        .stderr(predicate::str::contains("choose another --annotations"));
}

#[test]
fn a_missing_directory_is_named() {
    let s = Setup::new();
    s.export(&["--out", "nowhere/gold.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nowhere/gold.jsonl: the directory nowhere does not exist",
        ));
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_a_clear_error_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new();
    let ro = s.path("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), "").is_ok() {
        eprintln!("notice: running as root, a read-only directory is writable; test skipped");
        return;
    }
    let before = snapshot(&s.home);
    for args in [
        ["--out", "ro/gold.jsonl", "--report", "report.json"],
        ["--out", "gold.jsonl", "--report", "ro/report.json"],
    ] {
        let named = args.iter().find(|a| a.starts_with("ro/")).unwrap();
        s.export(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{named}: cannot create a file in ro: permission denied"
            )));
        assert_eq!(snapshot(&s.home), before, "{args:?}: nothing half-written");
    }
}

#[cfg(unix)]
#[test]
fn written_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new();
    s.export(&["--out", "gold.jsonl", "--report", "report.json"])
        .args(["--labels-out", "labels.csv"])
        .assert()
        .success();
    s.trev()
        .args([
            "stats",
            "data.jsonl",
            "--annotations",
            "ann",
            "--sample",
            "2",
        ])
        .assert()
        .success();
    // A file created the ordinary way, under the same umask.
    std::fs::write(s.path("plain"), "").unwrap();
    let mode = |name: &str| {
        std::fs::metadata(s.path(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    for name in ["gold.jsonl", "report.json", "labels.csv", "ann/sample.json"] {
        assert_eq!(mode(name), mode("plain"), "{name}");
    }
    let mut names: Vec<_> = std::fs::read_dir(s.path("ann"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["alice.jsonl", "sample.json"],
        "no temporary file left"
    );
}

#[test]
fn csv_cells_cannot_be_formulas() {
    let s = Setup::new();
    s.mark("=cmd", "db_10", "3", "wrong", Some("@SUM(A1)"));
    s.mark("+bob", "db_10", "3", "right", Some("-1, \"ok\""));
    s.export(&["--out", "gold.jsonl", "--labels-out", "labels.csv"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(s.path("labels.csv")).unwrap();
    assert_eq!(
        csv,
        "run,trajectory,turn,role,'+bob,'=cmd,alice,combined,notes\n\
         data,db_10,3,agent,right,wrong,right,right,\"'+bob: -1, \"\"ok\"\" | =cmd: @SUM(A1)\"\n"
    );
}
