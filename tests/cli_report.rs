//! `trev report`: the numbers equal what `check --json`, `stats --json`, `agree --json` and
//! `export --report` say of the same inputs (two runs, two annotators), counted here from
//! their output; the Markdown tables carry the same numbers; the HTML page and every SVG
//! figure parse as XML, and every figure renders (resvg) to a picture that is not blank.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;

const FIGURES: [&str; 8] = [
    "outcomes",
    "findings",
    "funnel",
    "progress",
    "wrong-turns",
    "categories",
    "rule-precision",
    "agreement",
];

/// Two runs (`os`: AgentInstruct's OS sample, `defects`: the rule fixtures) and the marks of
/// alice and bob on the `os` run; returns the run arguments and the annotations directory.
fn fixture(home: &Path) -> (Vec<String>, PathBuf) {
    let data = common::sample_data();
    let runs = vec![
        format!("os={}", data.join("agentinstruct_os.json").display()),
        format!("defects={}", data.join("rule_defects.jsonl").display()),
    ];
    let ann = home.join("ann");
    // os_1's agent turns are 5 and 7; os_2's are 5, 7 and 9.
    let marks: [(&str, &str, usize, &str, Option<&str>); 9] = [
        ("alice", "os_1", 5, "right", None),
        ("alice", "os_1", 7, "wrong", Some("invalid-action")),
        ("alice", "os_2", 5, "right", None),
        ("alice", "os_2", 7, "right", None),
        ("alice", "os_2", 9, "wrong", Some("invalid-action")),
        ("bob", "os_1", 5, "right", None),
        ("bob", "os_1", 7, "wrong", Some("format-error")),
        ("bob", "os_2", 5, "wrong", None),
        ("bob", "os_2", 7, "right", None),
    ];
    for (who, id, turn, label, category) in marks {
        let mut cmd = common::trev(home);
        cmd.arg("label")
            .arg(&runs[0])
            .args(["--annotator", who, "--trajectory", id])
            .args(["--turn", &turn.to_string(), "--set", label, "--annotations"])
            .arg(&ann);
        if let Some(c) = category {
            cmd.args(["--category", c]);
        }
        cmd.assert().success();
    }
    (runs, ann)
}

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn run_json(home: &Path, args: &[&str], files: &[String]) -> Vec<Value> {
    let out = common::trev(home).args(args).args(files).output().unwrap();
    json_lines(&out.stdout)
}

/// `trev report … --out NAME` in `home`; returns the path written.
fn report(home: &Path, files: &[String], extra: &[&str], name: &str) -> PathBuf {
    let out = home.join(name);
    common::trev(home)
        .arg("report")
        .args(files)
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"));
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// (run, task) → the report's group.
fn groups(r: &Value) -> BTreeMap<(String, String), Value> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let key = (
                g["run"].as_str().unwrap().into(),
                g["task"].as_str().unwrap().into(),
            );
            (key, g.clone())
        })
        .collect()
}

#[test]
fn the_numbers_are_those_of_check_stats_agree_and_export() {
    let home = tempfile::tempdir().unwrap();
    let (runs, ann) = fixture(home.path());
    let ann_arg = ann.display().to_string();
    let r = read_json(&report(
        home.path(),
        &runs,
        &["--annotations", &ann_arg, "--mask-wrong"],
        "r.json",
    ));
    let groups = groups(&r);
    assert_eq!(r["runs"], serde_json::json!(["os", "defects"]));

    // check --json: per (run, task, rule), the trajectories with a finding and the findings.
    let mut cells: BTreeMap<(String, String, String), (std::collections::BTreeSet<String>, u64)> =
        BTreeMap::new();
    for f in run_json(home.path(), &["check", "--json"], &runs) {
        if f["type"] != "finding" {
            continue;
        }
        let s = |k: &str| f[k].as_str().unwrap().to_string();
        let cell = cells.entry((s("run"), s("task"), s("rule"))).or_default();
        cell.0.insert(s("trajectory"));
        cell.1 += 1;
    }
    assert!(!cells.is_empty());
    let mut in_report = 0;
    for ((run, task), g) in &groups {
        for (rule, counts) in g["rules"].as_object().unwrap() {
            in_report += 1;
            let (ids, n) = &cells[&(run.clone(), task.clone(), rule.clone())];
            assert_eq!(counts[0], ids.len() as u64, "{run} {task} {rule}");
            assert_eq!(counts[1], *n, "{run} {task} {rule}");
        }
    }
    assert_eq!(in_report, cells.len());

    // stats --json: per file (one per run) and task, trajectories, turns and outcomes.
    let stats = run_json(home.path(), &["stats", "--json"], &runs);
    let mut seen = 0;
    for line in stats.iter().filter(|l| l["task"] != "*") {
        let file = line["file"].as_str().unwrap();
        let run = if file.ends_with("agentinstruct_os.json") {
            "os"
        } else {
            "defects"
        };
        let g = &groups[&(run.to_string(), line["task"].as_str().unwrap().to_string())];
        assert_eq!(g["tally"]["trajectories"], line["trajectories"]);
        assert_eq!(g["tally"]["turns"], line["turns"]);
        assert_eq!(g["tally"]["outcomes"], line["outcomes"]);
        assert_eq!(g["tally"]["max_turns"], line["max_turns"]);
        seen += 1;
    }
    assert_eq!(seen, groups.len());

    // stats --annotations: progress per annotator.
    let progress = run_json(
        home.path(),
        &["stats", "--json", "--annotations", &ann_arg],
        &runs,
    );
    let progress: Vec<&Value> = progress
        .iter()
        .filter(|l| l.get("annotator").is_some())
        .collect();
    let labels = &r["labels"];
    assert_eq!(labels["progress"].as_array().unwrap().len(), 2);
    for p in progress {
        let mine = labels["progress"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["annotator"] == p["annotator"])
            .unwrap();
        assert_eq!(mine, p);
    }

    // agree --json: the agreement, and the rules against people.
    let agree = &run_json(home.path(), &["agree", "--json", &ann_arg], &[])[0];
    for key in [
        "labels",
        "annotators",
        "counts",
        "percent_agreement",
        "fleiss_kappa",
        "krippendorff_alpha_nominal",
        "pairs",
    ] {
        assert_eq!(labels["agreement"][key], agree[key], "{key}");
    }
    let mut with_rules = vec![
        "agree".to_string(),
        "--json".into(),
        ann_arg.clone(),
        "--with-rules".into(),
    ];
    with_rules.extend(runs.iter().cloned());
    let out = common::trev(home.path())
        .args(&with_rules)
        .output()
        .unwrap();
    let judged = &json_lines(&out.stdout)[0];
    assert_eq!(labels["rule_scores"], judged["rules"]);

    // export --report, same policy: kept per task.
    let gold = home.path().join("gold.jsonl");
    let rep = home.path().join("export.json");
    common::trev(home.path())
        .arg("export")
        .args(&runs)
        .args(["--annotations", &ann_arg, "--mask-wrong", "--out"])
        .arg(&gold)
        .arg("--report")
        .arg(&rep)
        .assert()
        .success();
    let exported = read_json(&rep);
    let mut kept: BTreeMap<String, u64> = BTreeMap::new();
    for ((_, task), g) in &groups {
        *kept.entry(task.clone()).or_default() += g["kept"].as_u64().unwrap();
    }
    for (task, t) in exported["by_task"].as_object().unwrap() {
        assert_eq!(kept[task], t["kept"].as_u64().unwrap(), "{task}");
    }
    assert_eq!(
        kept["os"], 2,
        "both marked os trajectories are kept, masked"
    );

    // Wrong turns, by majority (a tie is wrong): os_1 5 right, 7 wrong; os_2 5 tie, 7 right,
    // 9 wrong — 3 of 5, with Wilson's interval at n = 5.
    let wrong = &labels["wrong"].as_array().unwrap();
    assert_eq!(wrong.len(), 1);
    let w = &wrong[0]["wrong_turns"];
    assert_eq!((w["count"].as_u64(), w["of"].as_u64()), (Some(3), Some(5)));
    let (low, high) = wilson(3.0, 5.0);
    assert!((w["low"].as_f64().unwrap() - low).abs() < 1e-9);
    assert!((w["high"].as_f64().unwrap() - high).abs() < 1e-9);

    // Categories of every wrong mark: invalid-action 2, format-error 1, uncategorised 1.
    let names: Vec<&str> = labels["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let row = &labels["by_category"][0];
    assert_eq!(
        (row["run"].as_str(), row["task"].as_str()),
        (Some("os"), Some("os"))
    );
    let count = |name: &str| row["counts"][names.iter().position(|n| *n == name).unwrap()].as_u64();
    assert_eq!(count("invalid-action"), Some(2));
    assert_eq!(count("format-error"), Some(1));
    assert_eq!(count("uncategorised"), Some(1));
    let total: u64 = row["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
}

/// Wilson's 95 % score interval, computed here from its formula.
fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z: f64 = 1.959_963_984_540_054;
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    (c - h, c + h)
}

/// The rows of the Markdown table titled `title`, as cells.
fn md_table(md: &str, title: &str) -> Vec<Vec<String>> {
    let start = md
        .find(&format!("**{title}**"))
        .expect("the table is there");
    md[start..]
        .lines()
        .skip(4)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_markdown_tables_carry_the_report_numbers() {
    let home = tempfile::tempdir().unwrap();
    let (runs, ann) = fixture(home.path());
    let ann_arg = ann.display().to_string();
    let extra = ["--annotations", ann_arg.as_str(), "--keep-unreviewed"];
    let r = read_json(&report(home.path(), &runs, &extra, "r.json"));
    let md = std::fs::read_to_string(report(home.path(), &runs, &extra, "r.md")).unwrap();
    let groups = groups(&r);
    let tasks = md_table(&md, "Trajectories, turns and outcomes per task");
    assert_eq!(tasks.len(), groups.len());
    for row in &tasks {
        let g = &groups[&(row[0].clone(), row[1].clone())];
        assert_eq!(row[2], g["tally"]["trajectories"].to_string());
        assert_eq!(row[6], g["tally"]["outcomes"]["pass"].to_string());
        assert_eq!(row[9], g["tally"]["outcomes"]["unknown"].to_string());
    }
    let findings = md_table(&md, "Findings per task and rule");
    for row in findings.iter().filter(|r| r[2] != "(any)") {
        let g = &groups[&(row[0].clone(), row[1].clone())];
        let cell = &g["rules"][&row[2]];
        assert_eq!(row[4], cell[0].to_string());
        assert_eq!(row[7], cell[1].to_string());
    }
    let funnel = md_table(&md, "Trajectories kept by the export policy");
    for row in &funnel {
        let g = &groups[&(row[0].clone(), row[1].clone())];
        assert_eq!(row[3], g["kept"].to_string());
        let dropped = g["tally"]["trajectories"].as_u64().unwrap() - g["kept"].as_u64().unwrap();
        assert_eq!(row[4], dropped.to_string());
    }
    let wrong = md_table(&md, "Wrong agent turns per task");
    assert_eq!(
        wrong,
        vec![vec!["os", "os", "3", "5", "60.0", "23.1", "88.2"]]
    );
    let agreement = md_table(&md, "Agreement on turn marks");
    let g = &r["labels"]["agreement"];
    assert_eq!(agreement[0][1], g["counts"]["items"].to_string());
    assert_eq!(
        agreement[0][3],
        format!("{:.3}", g["fleiss_kappa"].as_f64().unwrap())
    );
}

/// Pixels of `svg`, rendered, that are not white.
fn inked(svg: &str) -> usize {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .pixels()
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 250 || p.green() < 250 || p.blue() < 250))
        .count()
}

#[test]
fn the_page_and_every_figure_parse_and_draw() {
    let home = tempfile::tempdir().unwrap();
    let (runs, ann) = fixture(home.path());
    let ann_arg = ann.display().to_string();
    let page = std::fs::read_to_string(report(
        home.path(),
        &runs,
        &["--annotations", &ann_arg],
        "r.html",
    ))
    .unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &page,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the page is well-formed");
    let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
    assert_eq!(svgs, FIGURES.len());
    for tag in ["script", "link", "img", "iframe"] {
        assert!(!doc.descendants().any(|n| n.has_tag_name(tag)), "{tag}");
    }
    assert!(
        !page.contains("http:")
            || !page
                .replace("http://www.w3.org/2000/svg", "")
                .contains("http:")
    );
    assert!(!page.contains("https:"));
    for name in FIGURES {
        let path = report(
            home.path(),
            &runs,
            &["--annotations", &ann_arg, "--figure", name],
            &format!("{name}.svg"),
        );
        let svg = std::fs::read_to_string(path).unwrap();
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(inked(&svg) > 500, "{name} is blank");
    }
}

#[test]
fn figures_are_named_and_outputs_are_safe() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data().join("agentinstruct_os.json");
    let svg = home.path().join("x.svg");
    let names = FIGURES.join(", ");
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .arg("--out")
        .arg(&svg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("one of: {names}")));
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .args(["--figure", "pie", "--out"])
        .arg(&svg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown figure 'pie'"));
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .args(["--figure", "agreement", "--out"])
        .arg(&svg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--annotations"));
    common::trev(home.path())
        .args(["report", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("rule-precision, agreement"));
    // Never an input, never an existing file without --force.
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .arg("--out")
        .arg(&data)
        .assert()
        .code(2);
    let md = home.path().join("r.md");
    std::fs::write(&md, "keep me").unwrap();
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .arg("--out")
        .arg(&md)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "keep me");
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .args(["--force", "--out"])
        .arg(&md)
        .assert()
        .success();
    // The same inputs give the same bytes.
    let a = std::fs::read(&md).unwrap();
    common::trev(home.path())
        .arg("report")
        .arg(&data)
        .args(["--force", "--out"])
        .arg(&md)
        .assert()
        .success();
    assert_eq!(a, std::fs::read(&md).unwrap());
}

#[test]
fn a_sample_is_reported_as_such() {
    let home = tempfile::tempdir().unwrap();
    let data = common::sample_data().display().to_string();
    let args = ["--sample", "6", "--seed", "3"];
    let r = read_json(&report(
        home.path(),
        std::slice::from_ref(&data),
        &args,
        "s.json",
    ));
    assert!(r["sample"]
        .as_str()
        .unwrap()
        .starts_with("Over a sample of 6 of "));
    let drawn: u64 = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["trajectories"].as_u64().unwrap() + f["skipped"].as_u64().unwrap())
        .sum();
    assert_eq!(drawn, 6);
    // The same sample as `trev stats --sample`: trajectories per file.
    let mut stats: Vec<&str> = vec!["stats", "--json"];
    stats.extend(args);
    let per_file: BTreeMap<String, u64> = run_json(home.path(), &stats, &[data])
        .iter()
        .filter(|l| l["task"] == "*" && l["trajectories"].as_u64() > Some(0))
        .map(|l| {
            (
                l["file"].as_str().unwrap().to_string(),
                l["trajectories"].as_u64().unwrap(),
            )
        })
        .collect();
    let mine: BTreeMap<String, u64> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["trajectories"].as_u64() > Some(0))
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["trajectories"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(mine, per_file);
}

#[test]
fn names_with_control_characters_stay_out_of_the_files() {
    let home = tempfile::tempdir().unwrap();
    let ann = home.path().join("ann");
    std::fs::create_dir_all(&ann).unwrap();
    let data = format!(
        "os={}",
        common::sample_data()
            .join("agentinstruct_os.json")
            .display()
    );
    let mut lines = String::new();
    for (who, turn, label) in [
        ("al\u{1b}[31mice", 5, "right"),
        ("bob|x", 5, "wrong"),
        ("al\u{1b}[31mice", 7, "wrong"),
        ("bob|x", 7, "wrong"),
    ] {
        let line = serde_json::json!({"v": 1, "at": "2026-11-22T10:04:05Z", "annotator": who, "run": "os", "trajectory": "os_1", "turn": turn, "label": label});
        lines.push_str(&format!("{line}\n"));
    }
    std::fs::write(ann.join("marks.jsonl"), lines).unwrap();
    let ann_arg = ann.display().to_string();
    for name in ["r.html", "r.md"] {
        let path = report(
            home.path(),
            std::slice::from_ref(&data),
            &["--annotations", &ann_arg],
            name,
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.contains('\u{1b}'), "{name}");
        if name.ends_with(".html") {
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            roxmltree::Document::parse_with_options(&text, opts).unwrap();
        } else {
            assert!(text.contains("bob\\|x"));
        }
    }
}
