//! Every loader over the real files in `../shared/corpus`, with counts checked independently
//! (Python's `json` module: records, messages, and the agent's messages of each file).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use trev::load::{Dataset, LoadOptions};
use trev::model::{Format, Role, Task};
use trev::scan::{self, Event};

/// (file, format, task, trajectories, turns, agent turns)
const EXPECTED: &[(&str, Format, Task, usize, usize, usize)] = &[
    ("agentinstruct-role-content/agentinstruct_alfworld_full336.json", Format::RoleContent, Task::Alfworld, 336, 9756, 4878),
    ("agentinstruct-role-content/agentinstruct_db.json", Format::RoleContent, Task::Db, 5, 20, 10),
    ("agentinstruct-role-content/agentinstruct_kg.json", Format::RoleContent, Task::Kg, 5, 160, 80),
    ("agentinstruct-role-content/agentinstruct_os.json", Format::RoleContent, Task::Os, 5, 68, 34),
    ("sharegpt-from-value/eto_webshop_sft.json", Format::ShareGpt, Task::Webshop, 3, 30, 15),
    ("sharegpt-from-value/glaive_toolcall_en_demo_first200.json", Format::ShareGpt, Task::Generic, 200, 1324, 662),
    ("openai-chat-messages/fireact_hotpotqa_gpt_format_first300.jsonl", Format::OpenAi, Task::React, 300, 2004, 852),
    ("openai-chat-messages/swe_gym_openhands_sampled.json", Format::OpenAi, Task::Generic, 5, 188, 88),
    ("fireact-trajs/hotpotqa_dev_ft_gpt-3.5-turbo.json", Format::FireAct, Task::React, 465, 2947, 1241),
    ("agentbench-runs/medagentbench_llama-3.3_runs.jsonl", Format::AgentBench, Task::Generic, 100, 418, 209),
    ("swe-agent-traj/eps.traj", Format::SweAgent, Task::Swe, 1, 29, 14),
    ("swe-agent-traj/function_calling_simple.traj", Format::SweAgent, Task::Swe, 1, 12, 5),
    ("swe-agent-traj/human_thought__humanevalfix-python-0.traj", Format::SweAgent, Task::Swe, 1, 11, 5),
    ("swe-agent-traj/replay_default__t-0.20__p-0.95__c-2.00__install-1___install_from_source__marshmallow-code__marshmallow-1867.traj", Format::SweAgent, Task::Swe, 1, 29, 14),
    ("swe-agent-traj/replay_function_calling_replace__install-1__marshmallow-code__marshmallow-1867.traj", Format::SweAgent, Task::Swe, 1, 24, 11),
    ("swe-agent-hf-rows/nebius_swe_agent_rows_0-2.json", Format::SweAgentRows, Task::Swe, 3, 53, 25),
    ("mini-swe-agent-traj/mini-swe-agent-trajectory.json", Format::MiniSweAgent, Task::Swe, 1, 8, 3),
    ("atif/openhands__hello-world.trajectory.json", Format::Atif, Task::Generic, 1, 7, 2),
    ("atif/terminus_2__hello-world-context-summarization.trajectory.json", Format::Atif, Task::Generic, 1, 18, 7),
    ("atif/terminus_2__hello-world-invalid-json.trajectory.json", Format::Atif, Task::Generic, 1, 9, 4),
    ("knowagent-text-traj/KnowAgentALFWorld_llama-2-13b_D0_first150.jsonl", Format::KnowAgent, Task::Alfworld, 150, 8727, 6002),
];

#[test]
fn every_corpus_file_loads_with_the_expected_counts() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    for &(file, format, task, trajs, turns, agent) in EXPECTED {
        let path = corpus.join(file);
        let mut got = (0, 0, 0);
        let mut errors = Vec::new();
        scan::scan(
            &[path],
            LoadOptions::default(),
            2,
            |r| r,
            |event| {
                match event {
                    Event::Record(Ok((t, _))) => {
                        assert_eq!(t.format, format, "{file}: {}", t.id);
                        assert_eq!(t.task, task, "{file}: {}", t.id);
                        got.0 += 1;
                        got.1 += t.turns.len();
                        got.2 += t.turns.iter().filter(|x| x.role == Role::Agent).count();
                    }
                    Event::Record(Err(d)) => errors.push(d.to_string()),
                    _ => {}
                }
                Ok(())
            },
        )
        .unwrap();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        assert_eq!(got, (trajs, turns, agent), "{file}");
    }
}

#[test]
fn agentinstruct_demo_turns_are_marked_and_the_problem_is_the_instruction() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let ds = Dataset::open(
        &[corpus.join("agentinstruct-role-content/agentinstruct_os.json")],
        LoadOptions::default(),
    )
    .unwrap();
    ds.wait();
    for i in 0..ds.len() {
        let (t, _) = ds.load(i).unwrap();
        // Prompt, five example turns, then the real problem.
        assert_eq!(t.turns[0].role, Role::Instruction);
        assert!(t.turns[1..6].iter().all(|x| x.demo), "{}", t.id);
        assert_eq!(t.turns[6].role, Role::Instruction, "{}", t.id);
        assert!(t.turns[6]
            .text
            .starts_with("Now, I will start a new problem"));
        assert!(t.turns[6..].iter().all(|x| !x.demo), "{}", t.id);
    }
    let ds = Dataset::open(
        &[corpus.join("agentinstruct-role-content/agentinstruct_alfworld_full336.json")],
        LoadOptions::default(),
    )
    .unwrap();
    ds.wait();
    assert_eq!(ds.len(), 336);
    for i in 0..ds.len() {
        let (t, _) = ds.load(i).unwrap();
        assert!(
            t.turns[1].demo && t.turns[1].role == Role::Agent,
            "{}",
            t.id
        );
        assert_eq!(t.turns[2].role, Role::Instruction, "{}", t.id);
        assert_eq!(t.turns.iter().filter(|x| x.demo).count(), 1, "{}", t.id);
    }
}

#[test]
fn loading_twice_gives_the_same_ids_and_turn_keys() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let paths: Vec<PathBuf> = vec![corpus.clone()];
    let keys = || {
        let ds = Dataset::open(&paths, LoadOptions::default()).unwrap();
        ds.wait();
        let mut keys = Vec::new();
        for i in 0..ds.len() {
            if let Ok((t, _)) = ds.load(i) {
                keys.extend((0..t.turns.len()).map(|k| t.key(k)));
            }
        }
        keys
    };
    let first = keys();
    assert!(first.len() > 20_000);
    assert_eq!(first, keys());
}

#[test]
fn agentbench_status_and_outcomes_are_kept_as_meta() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let ds = Dataset::open(
        &[corpus.join("agentbench-runs/medagentbench_llama-3.3_runs.jsonl")],
        LoadOptions::default(),
    )
    .unwrap();
    ds.wait();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..ds.len() {
        let (t, _) = ds.load(i).unwrap();
        let status = t
            .meta("status")
            .and_then(|v| v.as_str())
            .unwrap()
            .to_string();
        *statuses.entry(status).or_default() += 1;
    }
    // FORMATS.md: 84 completed / 16 agent invalid action.
    assert_eq!(statuses["completed"], 84);
    assert_eq!(statuses["agent invalid action"], 16);
}

#[test]
fn unknown_formats_are_skipped_with_their_keys_named() {
    // Every format of the corpus has a reader now (Inspect AI logs were the last): a log-like
    // object of no known format stands in for one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log_read_sample.json");
    std::fs::write(&path, "{\"version\": 2, \"samples\": 1, \"plan\": {}}\n").unwrap();
    let mut errors = Vec::new();
    scan::scan(
        &[path],
        LoadOptions::default(),
        1,
        |r| r,
        |e| {
            if let Event::Record(Err(d)) = e {
                errors.push(d.to_string());
            }
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("log_read_sample.json:1:1:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("`samples`"), "{}", errors[0]);
    assert!(errors[0].contains("--format"), "{}", errors[0]);
}
