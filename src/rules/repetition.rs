//! Repetition: the same output three times in a row (ALFWorld's only hard-coded rule),
//! long-term repetition and cycles (AgentTuning's error analysis, WebArena), repeated tool
//! calls, and pleasantry loops (LTP). Outside ALFWorld's own rule, a re-issue counts only when
//! the environment answers it as it answered the issue it repeats: paging with `scroll_down`
//! or undoing edits one by one gets a new answer each time, and is progress.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::text::trim;
use super::{alfworld, db, kg, os, quote, react, webshop, Checker, RuleId};
use crate::model::{Task, Turn};

/// Consecutive identical outputs that fail the episode (ALFWorld task.py L225-230).
const EXACT_RUN: usize = 3;
/// Occurrences of one action across the episode (WebArena run.py L195-200).
const LOOP_COUNT: usize = 3;

/// Closing talk with no action: LTP's `check_solver_valid` lists (ltp/task.py L175-187,
/// L317-318) and the usual pleasantries.
static PLEASANTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:thanks?|thank you|goodbye|bye|you'?re welcome|anything else|further questions?",
        r"|great job|new game|other game|new question|other question|new round|other round",
        r"|new story|other story|have a (?:nice|great|good) day)\b|感谢|谢谢|再见"
    ))
    .unwrap()
});
const PLEASANTRY_MAX: usize = 300;

/// What a turn does, as its task reads it: the command, SQL, call or action (its tool calls
/// when it makes any); `None` when the task's parser finds no action.
pub fn action_key(task: Task, turn: &Turn) -> Option<Cow<'_, str>> {
    if !turn.tool_calls.is_empty() {
        return Some(Cow::Owned(calls_key(turn)));
    }
    let text = turn.text.as_str();
    match task {
        Task::Os => os::command(text),
        Task::Db => db::sql(text),
        Task::Kg => kg::call(text),
        Task::Alfworld => alfworld::action_key(text, alfworld::action(text).map(|(a, _)| a)),
        Task::Webshop => webshop::action(text).map(|(a, _)| webshop::action_key(a)),
        Task::React => react::action(text).map(|(a, _, _)| Cow::Owned(a)),
        Task::Mind2web | Task::Swe | Task::Generic => None,
    }
}

fn calls_key(turn: &Turn) -> String {
    let mut key = String::new();
    for call in &turn.tool_calls {
        key.push_str(&call.name);
        key.push('(');
        key.push_str(call.arguments.trim());
        key.push_str(")\n");
    }
    key
}

fn is_raw_equal(a: &Turn, b: &Turn) -> bool {
    a.text == b.text && a.tool_calls.len() == b.tool_calls.len() && calls_key(a) == calls_key(b)
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[
    RuleId::RepetitionExact,
    RuleId::RepetitionLoop,
    RuleId::RepetitionToolCall,
    RuleId::RepetitionClosingLoop,
];

/// `repetition/{exact,loop,tool-call,closing-loop}`.
pub fn check(cx: &mut Checker) {
    let task = cx.task();
    let mut agents: Vec<&Turn> = Vec::with_capacity(cx.turns().len());
    agents.extend(cx.agent_turns());
    let keys: Vec<Option<Cow<'_, str>>> = agents
        .iter()
        .map(|t| {
            cx.remembered_action(t.index)
                .unwrap_or_else(|| action_key(task, t))
        })
        .collect();
    let mut raw_run = 1;
    let mut key_run = 1;
    // One repetition finding per turn, the most specific: exact, then tool-call, then loop,
    // then closing-loop.
    let mut reported = vec![false; agents.len()];
    for i in 1..agents.len() {
        let (prev, turn) = (agents[i - 1], agents[i]);
        let raw_equal = is_raw_equal(prev, turn);
        let key_equal = keys[i].is_some() && keys[i] == keys[i - 1];
        let calls_equal = !turn.tool_calls.is_empty() && calls_key(prev) == calls_key(turn);
        // A call the environment asked for again (Terminus: "Are you sure…? If so, include
        // \"task_complete\": true … again") is the protocol, not repetition: runs restart.
        let asked = (raw_equal || key_equal) && asked_again(cx, prev, turn);
        // A re-issue the environment answered differently from the issue before it made
        // progress (the next page, the next edit undone): runs restart. ALFWorld's own rule,
        // identical outputs in a row, fails the episode whatever the answers; its environment
        // is a fixed world, where the same action in a row is never paging.
        let benchmark = task == Task::Alfworld;
        let answered_alike = (raw_equal || key_equal || calls_equal)
            && (benchmark || reply(cx.turns(), prev).eq(reply(cx.turns(), turn)));
        raw_run = if raw_equal && !asked && answered_alike {
            raw_run + 1
        } else {
            1
        };
        key_run = if key_equal && !asked && answered_alike {
            key_run + 1
        } else {
            1
        };
        let alike = if benchmark {
            ""
        } else {
            ", answered the same way each time"
        };
        if raw_run >= EXACT_RUN {
            // The threshold is ALFWorld's; only its own profile is told so.
            let why = if benchmark {
                " (AgentBench's ALFWorld fails an episode at 3)"
            } else {
                alike
            };
            reported[i] = true;
            cx.report(
                RuleId::RepetitionExact,
                turn.index,
                (0, turn.text.len()),
                format!("the same output {raw_run} times in a row{why}"),
            );
        } else if key_run >= EXACT_RUN {
            reported[i] = true;
            cx.report(
                RuleId::RepetitionExact,
                turn.index,
                (0, 0),
                format!(
                    "the same action `{}` {key_run} times in a row{alike}",
                    quote(keys[i].as_deref().unwrap_or(""))
                ),
            );
        }
        if !reported[i] && !asked && calls_equal && answered_alike {
            let names: Vec<&str> = turn.tool_calls.iter().map(|c| c.name.as_str()).collect();
            reported[i] = true;
            cx.report(
                RuleId::RepetitionToolCall,
                turn.index,
                (0, 0),
                format!(
                    "the identical call to {} (same arguments) as in the previous turn, answered the same way",
                    names.join(", ")
                ),
            );
        }
    }
    let mut loop_reported = reported.clone();
    long_term(cx, task, &agents, &keys, &mut loop_reported);
    closing_loop(cx, &agents, &keys, &loop_reported);
}

/// Whether the environment's replies between two agent turns ask for the same call again: a
/// confirmation question ("Are you sure …"), or "again" beside the name of one of the calls
/// (or the name without its verb: `task_complete` for `mark_task_complete`).
fn asked_again(cx: &Checker, prev: &Turn, turn: &Turn) -> bool {
    let turns = cx.turns();
    let replies = turns
        .get(prev.index + 1..turn.index.min(turns.len()))
        .unwrap_or(&[]);
    replies
        .iter()
        .filter(|t| t.role == crate::model::Role::Environment)
        .any(|reply| {
            let text = reply.text.to_lowercase();
            if text.contains("are you sure") {
                return true;
            }
            text.contains("again")
                && turn.tool_calls.iter().any(|c| {
                    let name = c.name.to_lowercase();
                    let bare = name.split_once('_').map_or("", |(_, rest)| rest);
                    text.contains(&name) || (bare.len() >= 4 && text.contains(bare))
                })
        })
}

/// The environment's reply to an agent turn: the environment turns right after it (one per
/// call when a turn makes several), trimmed.
fn reply<'t>(turns: &'t [Turn], agent: &Turn) -> impl Iterator<Item = &'t str> + Clone {
    turns
        .get(agent.index + 1..)
        .unwrap_or(&[])
        .iter()
        .take_while(|t| t.role == crate::model::Role::Environment && !t.demo)
        .map(|t| trim(&t.text))
}

/// Whether re-issuing an action got something new: its reply differs from the reply of every
/// earlier issue (the agent changed something in between, such as an edit before re-running a
/// test script, or taking the object a failed `put` needed). The same action answered the same
/// way again is a loop. A missing reply is an empty one: where no issue has a reply, every
/// re-issue repeats; a run's last action, whose reply the record does not hold (AgentInstruct
/// ends on the action that solved the task), repeats nothing the earlier issues got.
fn got_something_new(turns: &[Turn], agents: &[&Turn], earlier: &[usize], now: usize) -> bool {
    let answer = reply(turns, agents[now]);
    earlier
        .iter()
        .all(|&k| !answer.clone().eq(reply(turns, agents[k])))
}

/// An action re-issued across the episode (KG: any re-issue of a call; otherwise the third
/// time, counting on past issues that got a new reply), or a cycle of period 2 to 4 seen
/// twice in a row (A B A B).
fn long_term(
    cx: &mut Checker,
    task: Task,
    agents: &[&Turn],
    keys: &[Option<Cow<'_, str>>],
    reported: &mut [bool],
) {
    let threshold = if task == Task::Kg { 2 } else { LOOP_COUNT };
    // The turns of each action, grouped by sorting (stable, so each group is in turn order):
    // cheaper than a map of lists for the handful of actions an episode has.
    let mut order: Vec<(&str, usize)> = Vec::with_capacity(keys.len());
    order.extend(
        keys.iter()
            .enumerate()
            .filter_map(|(i, key)| Some((key.as_deref()?, i)))
            // Revisiting a place is how ALFWorld is searched; only its cycles are loops.
            .filter(|(key, _)| !(task == Task::Alfworld && key.starts_with("go to "))),
    );
    order.sort_by_key(|&(key, _)| key);
    let all = cx.turns();
    let mut issues: Vec<usize> = Vec::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        issues.clear();
        issues.extend(group.iter().map(|&(_, k)| k));
        // The threshold-th issue, or the first after it, that got no new reply. A KG call is a
        // pure lookup: its replies differ only by the new variable's number, so any re-issue
        // counts.
        let Some(n) = (threshold - 1..issues.len()).find(|&n| {
            task == Task::Kg || !got_something_new(all, agents, &issues[..n], issues[n])
        }) else {
            continue;
        };
        let (key, i) = group[n];
        // Not reported when it repeats the turn before (`repetition/exact` counts runs).
        if reported[i] || (i > 0 && keys[i - 1].as_deref() == Some(key)) {
            continue;
        }
        let turns: Vec<String> = issues[..=n]
            .iter()
            .map(|&k| agents[k].index.to_string())
            .collect();
        reported[i] = true;
        cx.report(
            RuleId::RepetitionLoop,
            agents[i].index,
            (0, 0),
            format!(
                "`{}` issued again ({} times, turns {})",
                quote(key),
                n + 1,
                turns.join(", ")
            ),
        );
    }
    for period in 2..=4 {
        let mut i = 2 * period - 1;
        while i < keys.len() {
            let window = &keys[i + 1 - 2 * period..=i];
            let (a, b) = window.split_at(period);
            let cycle = a == b && a.iter().all(Option::is_some) && a.iter().any(|k| *k != a[0]);
            if cycle && !reported[i] {
                reported[i] = true;
                let shown: Vec<String> = a
                    .iter()
                    .map(|k| quote(k.as_deref().unwrap_or("")))
                    .collect();
                cx.report(
                    RuleId::RepetitionLoop,
                    agents[i].index,
                    (0, 0),
                    format!(
                        "a cycle of {period} actions seen twice in a row: {}",
                        shown.join(" → ")
                    ),
                );
                i += 2 * period;
                continue;
            }
            i += 1;
        }
    }
}

/// Two or more consecutive agent turns that only thank, say goodbye or ask for more.
fn closing_loop(
    cx: &mut Checker,
    agents: &[&Turn],
    keys: &[Option<Cow<'_, str>>],
    reported: &[bool],
) {
    let mut run = 0;
    for ((turn, key), &reported) in agents.iter().zip(keys).zip(reported) {
        let text = trim(&turn.text);
        let pleasantry = key.is_none()
            && turn.tool_calls.is_empty()
            && text.len() <= PLEASANTRY_MAX
            && PLEASANTRY.is_match(text);
        run = if pleasantry { run + 1 } else { 0 };
        if run >= 2 && !reported {
            let m = PLEASANTRY.find(&turn.text).unwrap();
            cx.report(
                RuleId::RepetitionClosingLoop,
                turn.index,
                (m.start(), m.end()),
                format!(
                    "{run} closing turns in a row with no action: `{}`",
                    quote(text)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{alfworld, kg, os, webshop, Checker, RuleSet};
    use crate::model::{Task, ToolCall};

    /// The task rules keep each agent turn's action for repetition: it must be the key
    /// repetition would read itself.
    #[test]
    fn actions_kept_by_the_task_rules_are_the_keys_repetition_reads() {
        type Case = (Task, fn(&mut Checker), &'static [&'static str]);
        let cases: [Case; 4] = [
            (
                Task::Os,
                os::check,
                &[
                    "Act: bash",
                    "Act: answer(1)",
                    "Act: finish",
                    "```bash\n",
                    "ls",
                    "\n```",
                    "\n",
                    " ",
                    "x",
                ],
            ),
            (
                Task::Alfworld,
                alfworld::check,
                &[
                    "ACTION:", " Go to", " desk 1", "\n", "THOUGHT:", "Think:", " ", "x", "É",
                ],
            ),
            (
                Task::Kg,
                kg::check,
                &[
                    "Action: ",
                    "Action",
                    "get_relations(",
                    "\\_",
                    ":",
                    ")",
                    "Observation:",
                    "Final Answer: #0",
                    "\n",
                    " ",
                    "x",
                ],
            ),
            (
                Task::Webshop,
                webshop::check,
                &[
                    "Action:",
                    " ",
                    "search[",
                    "click[",
                    "]",
                    "Red Shirt",
                    "\n",
                    "x",
                ],
            ),
        ];
        let set = RuleSet::builtin();
        for (task, check, pieces) in cases {
            let texts = random_texts(17, pieces, 9, 3000);
            let mut kept = 0;
            for chunk in texts.chunks(3) {
                let mut turns = vec![(I, "task")];
                turns.extend(chunk.iter().map(|t| (A, t.as_str())));
                let t = traj(task, &turns);
                let mut cx = Checker::new(&t, set.rules());
                let (rules, _, triggers) = super::super::by_task::task_modules(task)[0];
                super::super::engine::run_module(&mut cx, (rules, check, triggers));
                for turn in t.turns.iter().filter(|t| t.role == A) {
                    let want = super::action_key(task, turn);
                    assert_eq!(
                        cx.remembered_action(turn.index),
                        Some(want),
                        "{:?}",
                        turn.text
                    );
                    kept += 1;
                }
            }
            assert!(kept > 1000, "{kept}");
        }
    }

    #[test]
    fn three_identical_outputs_in_a_row() {
        let a = "THOUGHT: x\n ACTION: go to desk 1";
        let t = traj(
            Task::Alfworld,
            &[
                (I, "t"),
                (A, a),
                (E, "o"),
                (A, a),
                (E, "o"),
                (A, a),
                (E, "o"),
            ],
        );
        let f = findings_of(&t, RuleId::RepetitionExact);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].turn, 5);
        let two = traj(Task::Alfworld, &[(I, "t"), (A, a), (E, "o"), (A, a)]);
        assert!(findings_of(&two, RuleId::RepetitionExact).is_empty());
    }

    #[test]
    fn demo_turns_are_not_the_previous_turn() {
        let a = "ACTION: look";
        let mut t = traj(
            Task::Alfworld,
            &[(I, "t"), (A, a), (E, "o"), (A, a), (E, "o"), (A, a)],
        );
        t.turns[1].demo = true;
        t.turns[2].demo = true;
        assert!(findings_of(&t, RuleId::RepetitionExact).is_empty());
    }

    #[test]
    fn cycles_and_kg_reissues_are_loops() {
        let t = traj(
            Task::Alfworld,
            &[
                (I, "t"),
                (A, "ACTION: go to a"),
                (A, "ACTION: go to b"),
                (A, "ACTION: go to a"),
                (A, "ACTION: go to b"),
            ],
        );
        let f = findings_of(&t, RuleId::RepetitionLoop);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].turn, 4);
        let kg = traj(
            Task::Kg,
            &[
                (I, "q"),
                (A, "Action: get_relations(x)"),
                (E, "o"),
                (A, "Action: get_neighbors(x, r)"),
                (E, "o"),
                (A, "Action: get_relations(x)"),
            ],
        );
        assert_eq!(findings_of(&kg, RuleId::RepetitionLoop)[0].turn, 5);
    }

    /// The same action answered the same way again is a loop; a re-run that gets a new answer
    /// (an edit in between) is not, nor is a last action with no recorded answer. A KG call
    /// counts whatever it is answered.
    #[test]
    fn a_loop_is_the_same_action_answered_the_same_way_again() {
        let run = "Act: bash\n\n```bash\npython repro.py\n```";
        let edit = |n: &str| format!("Act: bash\n\n```bash\nsed -i s/a/{n}/ x.py\n```");
        let (e1, e2) = (edit("b"), edit("c"));
        let rerun = |answers: [&str; 3]| {
            traj(
                Task::Os,
                &[
                    (I, "fix it"),
                    (A, run),
                    (E, answers[0]),
                    (A, &e1),
                    (E, ""),
                    (A, run),
                    (E, answers[1]),
                    (A, &e2),
                    (E, ""),
                    (A, run),
                    (E, answers[2]),
                ],
            )
        };
        assert!(findings_of(
            &rerun(["KeyError", "TypeError", "ok"]),
            RuleId::RepetitionLoop
        )
        .is_empty());
        let f = findings_of(
            &rerun(["KeyError", "TypeError", "KeyError"]),
            RuleId::RepetitionLoop,
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].turn, 9);
        assert!(
            f[0].message.contains("3 times, turns 1, 5, 9"),
            "{}",
            f[0].message
        );
        // A fourth issue that repeats an answer is the loop when the third was progress.
        let mut four = rerun(["KeyError", "TypeError", "ok"]);
        for (role, text) in [(A, e1.as_str()), (E, ""), (A, run), (E, "ok")] {
            let index = four.turns.len();
            let mut turn = four.turns[1].clone();
            (turn.index, turn.role, turn.text) = (index, role, text.to_string());
            four.turns.push(turn);
        }
        let f = findings_of(&four, RuleId::RepetitionLoop);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].turn, 13);
        assert!(
            f[0].message.contains("4 times, turns 1, 5, 9, 13"),
            "{}",
            f[0].message
        );
        // The last action, whose answer the record does not hold.
        let put = "ACTION: put mug 1 in/on desk 1";
        let last = traj(
            Task::Alfworld,
            &[
                (I, "t"),
                (A, put),
                (E, "You pick up the cup 1 from the desk 1."),
                (A, "ACTION: look"),
                (E, "o"),
                (A, put),
                (E, "You pick up the cup 1 from the desk 1."),
                (A, "ACTION: take mug 1 from shelf 1"),
                (E, "You pick up the mug 1 from the shelf 1."),
                (A, put),
            ],
        );
        assert!(findings_of(&last, RuleId::RepetitionLoop).is_empty());
        let kg = traj(
            Task::Kg,
            &[
                (I, "q"),
                (A, "Action: get_relations(x)"),
                (E, "Observation: [a, b]"),
                (A, "Action: get_neighbors(x, a)"),
                (E, "Observation: variable #0"),
                (A, "Action: get_relations(x)"),
                (E, "Observation: [a, b] (again)"),
            ],
        );
        assert_eq!(findings_of(&kg, RuleId::RepetitionLoop)[0].turn, 5);
    }

    #[test]
    fn identical_tool_calls_and_closing_loops() {
        let mut t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, ""),
                (E, "r"),
                (A, ""),
                (E, "r"),
                (A, "Thanks! Anything else?"),
                (A, "Goodbye, thank you!"),
            ],
        );
        for i in [1, 3] {
            t.turns[i].tool_calls.push(ToolCall {
                id: None,
                name: "ls".into(),
                arguments: "{\"path\": \"/\"}".into(),
            });
        }
        assert_eq!(findings_of(&t, RuleId::RepetitionToolCall)[0].turn, 3);
        let c = findings_of(&t, RuleId::RepetitionClosingLoop);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].turn, 6);
    }

    /// Outside ALFWorld, an identical output the environment answers differently from the
    /// issue before it is progress (undoing edits one by one, paging): no repetition finding of
    /// any kind. The same output answered the same way is flagged as before, the run counting
    /// from the first issue answered as its successors were; on ALFWorld, the benchmark's rule
    /// (three identical outputs in a row fail the episode) stands whatever the answers.
    #[test]
    fn an_identical_output_answered_differently_is_progress_outside_alfworld() {
        let undo = ToolCall {
            id: None,
            name: "str_replace_editor".into(),
            arguments: "{\"command\":\"undo_edit\",\"path\":\"/r.py\"}".into(),
        };
        let calls = |task: Task, answers: &[&str]| {
            let mut turns = vec![(I, "fix it")];
            for answer in answers {
                turns.extend([(A, ""), (E, *answer)]);
            }
            let mut t = traj(task, &turns);
            for turn in t.turns.iter_mut().filter(|t| t.role == A) {
                turn.tool_calls.push(undo.clone());
            }
            t
        };
        let repetitions = |t: &crate::model::Trajectory| -> Vec<(usize, String)> {
            RuleSet::builtin()
                .check(t)
                .into_iter()
                .filter(|f| f.rule.starts_with("repetition/"))
                .map(|f| (f.turn, f.rule.to_string()))
                .collect()
        };
        let undone = [
            "undone: 1 a",
            "undone: 1 b",
            "undone: 1 c",
            "undone: 1 d",
            "undone: 1",
        ];
        for task in [Task::Generic, Task::Swe, Task::Os] {
            assert_eq!(repetitions(&calls(task, &undone)), [], "{task:?}");
        }
        // The same answer each time: the call, then the run.
        let same = calls(
            Task::Swe,
            &["No edit history", "No edit history", "No edit history"],
        );
        assert_eq!(
            repetitions(&same),
            [
                (3, "repetition/tool-call".into()),
                (5, "repetition/exact".into())
            ]
        );
        let f = findings_of(&same, RuleId::RepetitionExact);
        assert!(
            f[0].message
                .ends_with("3 times in a row, answered the same way each time"),
            "{}",
            f[0].message
        );
        // One undo that worked, then the same error three times: the run starts at the error.
        let stuck = calls(
            Task::Swe,
            &["undone", "none left", "none left", "none left"],
        );
        assert_eq!(
            repetitions(&stuck),
            [
                (5, "repetition/tool-call".into()),
                (7, "repetition/exact".into())
            ]
        );
        // A command (an action key, not a tool call): `scroll_down` paging through a file.
        let scroll = "Act: bash\n\n```bash\nscroll_down\n```";
        let pages = traj(
            Task::Os,
            &[
                (I, "q"),
                (A, scroll),
                (E, "lines 1-100"),
                (A, scroll),
                (E, "lines 101-200"),
            ]
            .into_iter()
            .chain([
                (A, scroll),
                (E, "lines 201-300"),
                (A, scroll),
                (E, "lines 201-300"),
            ])
            .collect::<Vec<_>>(),
        );
        assert_eq!(repetitions(&pages), []);
        // The last issue has no recorded answer: it repeats nothing (as for `repetition/loop`).
        let open = calls(Task::Swe, &["x", "x"]);
        let mut last = open.clone();
        let mut turn = last.turns[1].clone();
        turn.index = last.turns.len();
        last.turns.push(turn);
        assert_eq!(repetitions(&last), [(3, "repetition/tool-call".into())]);
        // ALFWorld: the benchmark's rule, whatever the answers.
        let a = "ACTION: open fridge 1";
        let alf = traj(
            Task::Alfworld,
            &[
                (I, "t"),
                (A, a),
                (E, "o 1"),
                (A, a),
                (E, "o 2"),
                (A, a),
                (E, "o 3"),
            ],
        );
        let f = findings_of(&alf, RuleId::RepetitionExact);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].turn, 5);
        assert!(f[0].message.contains("ALFWorld fails an episode at 3"));
    }

    #[test]
    fn a_call_the_environment_asks_for_again_is_not_repetition() {
        let done = ToolCall {
            id: None,
            name: "mark_task_complete".into(),
            arguments: "{}".into(),
        };
        let mut t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, ""),
                (E, "Are you sure you want to mark the task as complete? If so, include \"task_complete\": true in your JSON response again."),
                (A, ""),
                (E, "ok"),
            ],
        );
        t.turns[1].tool_calls.push(done.clone());
        t.turns[3].tool_calls.push(done);
        let f = RuleSet::builtin().check(&t);
        assert!(
            f.iter().all(|f| !f.rule.starts_with("repetition/")),
            "{f:?}"
        );
    }

    #[test]
    fn one_repetition_finding_per_turn_and_alfworld_facts_only_on_alfworld() {
        let call = ToolCall {
            id: None,
            name: "ls".into(),
            arguments: "{}".into(),
        };
        let mut t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, ""),
                (E, "r"),
                (A, ""),
                (E, "r"),
                (A, ""),
                (E, "r"),
            ],
        );
        for i in [1, 3, 5] {
            t.turns[i].tool_calls.push(call.clone());
        }
        let f = RuleSet::builtin().check(&t);
        let on_5: Vec<&str> = f.iter().filter(|f| f.turn == 5).map(|f| &*f.rule).collect();
        assert_eq!(on_5, ["repetition/exact"]);
        assert!(f.iter().all(|f| !f.message.contains("ALFWorld")), "{f:?}");
        let a = "ACTION: look";
        let alf = traj(
            Task::Alfworld,
            &[(I, "t"), (A, a), (E, "o"), (A, a), (E, "o"), (A, a)],
        );
        let f = findings_of(&alf, RuleId::RepetitionExact);
        assert!(f[0].message.contains("ALFWorld fails an episode at 3"));
    }
}
