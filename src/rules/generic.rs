//! Rules for every profile: empty agent turns and status sentinels, truncated context,
//! observations the agent wrote itself, and human/agent alternation.

use std::sync::LazyLock;

use regex::Regex;

#[cfg(test)]
use aho_corasick::{AhoCorasick, MatchKind};

use super::db::SQL_OPEN;
use super::engine::Triggers;
use super::text::{at_line_start, find, is_word_char, trim};
use super::{Checker, RuleId};
use crate::model::{Format, Role, Task, Turn};

/// The statuses AgentBench stores in place of the agent's content (server/task.py L150-154).
const SENTINELS: &[&str] = &["agent context limit", "cancelled", "normal"];

/// Truncation notices: `[NOTICE] N messages are omitted.` (server/task.py L134-136), the OS
/// cut (L505-508) and DBBench's (Interaction.py L86-87), as the regex `\[NOTICE\] \d+ messages are omitted\.|\[truncated because the output is too
/// long\]|\[TRUNCATED\]`: [`marks`] finds where each could start, compares the literals there,
/// and keeps a regex only for the count.
static NOTICE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A\d+ messages are omitted\.").unwrap());
/// The literal parts of the three notices.
const NOTICE: &str = "[NOTICE] ";
const CUT_LONG: &str = "[truncated because the output is too long]";
const CUT: &str = "[TRUNCATED]";

/// What the generic rules look for in a turn, found in one pass (see [`marks`]).
#[derive(Debug, Default)]
struct Marks {
    /// The truncation notices, as the regex above finds them.
    truncations: Vec<(usize, usize)>,
    /// The start of the first `Observation` the agent writes (see [`is_observation`]).
    observation: Option<usize>,
    /// The start of the first output marker (see [`is_output`]).
    output: Option<usize>,
    /// DBBench: the start of the first ```` ```sql ````.
    sql: Option<usize>,
    /// DBBench: the start of the first SQL result literal (see [`result_at`]).
    result: Option<usize>,
}

/// The literals behind [`Marks`]: the truncation notices' starts, `Observation`, and the
/// output markers. None overlaps another (no suffix of one begins another), so their
/// non-overlapping occurrences are all their occurrences.
const LITERALS: [&str; 7] = [
    NOTICE,
    "[truncated because",
    CUT,
    "Observation",
    "The output of the OS",
    "Output:",
    "```output",
];

/// The opening of an SQL result literal (see [`result_at`]).
const RESULT: &str = "[(";

/// What the generic rules look for: in agent turns every literal of [`LITERALS`], in the
/// other turns only the truncation notices' starts (observations and outputs matter only when
/// the agent writes them). The engine finds them with the profile's other triggers.
pub const TRIGGERS: Triggers = Triggers {
    agent: &LITERALS,
    other: &[NOTICE, "[truncated because", CUT],
};

/// [`TRIGGERS`] on DBBench, where the agent's SQL results count as observations too: also
/// ```` ```sql ```` (the result must follow a block) and the opening of a result literal.
pub const TRIGGERS_DB: Triggers = Triggers {
    agent: &[
        LITERALS[0],
        LITERALS[1],
        LITERALS[2],
        LITERALS[3],
        LITERALS[4],
        LITERALS[5],
        LITERALS[6],
        SQL_OPEN,
        RESULT,
    ],
    other: TRIGGERS.other,
};

/// The generic rules' triggers on a task profile.
pub fn triggers(task: Task) -> Triggers {
    if task == Task::Db {
        TRIGGERS_DB
    } else {
        TRIGGERS
    }
}

/// What the generic rules look for in one turn, from the hits of [`TRIGGERS`] in it (in
/// order of start; the notices are triggers 0 to 2 on both sides), each checked as its regex
/// says.
fn marks(text: &str, hits: impl Iterator<Item = (usize, usize)>) -> Marks {
    let mut marks = Marks::default();
    let mut cut_end = 0;
    for (pattern, at) in hits {
        match pattern {
            0..=2 if at >= cut_end => {
                if let Some(len) = truncation_len(&text[at..]) {
                    marks.truncations.push((at, at + len));
                    cut_end = at + len;
                }
            }
            3 if marks.observation.is_none() && is_observation(text, at) => {
                marks.observation = Some(at);
            }
            4..=6 if marks.output.is_none() && is_output(text, at, pattern) => {
                marks.output = Some(at);
            }
            7 => {
                marks.sql.get_or_insert(at);
            }
            8 if marks.result.is_none() => marks.result = result_at(text, at),
            _ => {}
        }
    }
    marks
}

/// Where the match of DBBench's SQL result regex, `(?m)^\s*\[\(.*\)\]\s*$` (the
/// database's `[(60900,)]`), starts if its `[(` is the one at `at`: the rest of the line after
/// it ends with `)]` and whitespace, and only whitespace is before it back to a line start
/// (`\s` takes line breaks: the match starts at the first line start of that whitespace).
fn result_at(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |k| at + k);
    if !text[at + RESULT.len()..end].trim_end().ends_with(")]") {
        return None;
    }
    let blank = text[..at].trim_end().len();
    if blank == 0 {
        return Some(0);
    }
    memchr::memchr(b'\n', &bytes[blank..at]).map(|k| blank + k + 1)
}

/// [`marks`] of a text by itself (the tests' way in), with the triggers of its side.
#[cfg(test)]
fn marks_of(text: &str, agent: bool) -> Marks {
    marks_with(
        text,
        if agent {
            TRIGGERS.agent
        } else {
            TRIGGERS.other
        },
    )
}

/// [`marks`] of a text by itself, with the given triggers.
#[cfg(test)]
fn marks_with(text: &str, literals: &[&str]) -> Marks {
    let search = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(literals)
        .unwrap();
    let mut hits: Vec<(usize, usize)> = search
        .find_overlapping_iter(text)
        .map(|m| (m.pattern().as_usize(), m.start()))
        .collect();
    hits.sort_unstable_by_key(|&(p, at)| (at, p));
    marks(text, hits.into_iter())
}

/// The length of the truncation notice `rest` starts with, if it starts with one.
fn truncation_len(rest: &str) -> Option<usize> {
    if let Some(count) = rest.strip_prefix(NOTICE) {
        NOTICE_COUNT.find(count).map(|m| NOTICE.len() + m.end())
    } else {
        [CUT_LONG, CUT]
            .iter()
            .find(|c| rest.starts_with(*c))
            .map(|c| c.len())
    }
}

/// The spans of the truncation notices in `text`.
#[cfg(test)]
fn truncations(text: &str) -> Vec<(usize, usize)> {
    marks_of(text, false).truncations
}

/// Where the agent starts writing the environment's part: KG cuts the agent text at
/// `Observation:` (task.py L190); LangChain stops at `\nObservation`. The first match of
/// `(?m)^[ \t]*Observation(?: \d+)?:`, as the start of `Observation`.
#[cfg(test)]
fn observation_at(text: &str) -> Option<usize> {
    marks_of(text, true).observation
}

/// Whether the `Observation` at `at` is followed by `(?: \d+)?:` and preceded on its line
/// by spaces and tabs only.
fn is_observation(text: &str, at: usize) -> bool {
    static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\A \d+:").unwrap());
    let rest = &text[at + "Observation".len()..];
    (rest.starts_with(':') || NUMBERED.is_match(rest)) && at_line_start(text, at)
}

/// OS observations (task.py L503-516) and output blocks: the first match of
/// `(?m)^[ \t]*(?:The output of the OS|Output:|```output\b)`, as the start of its literal.
#[cfg(test)]
fn output_at(text: &str) -> Option<usize> {
    marks_of(text, true).output
}

/// Whether the output marker `LITERALS[pattern]` at `at` starts its line (after spaces and
/// tabs), and `` ```output `` ends a word.
fn is_output(text: &str, at: usize, pattern: usize) -> bool {
    let word_ends = || {
        text[at + LITERALS[pattern].len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word_char(c))
    };
    at_line_start(text, at) && (LITERALS[pattern] != "```output" || word_ends())
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[
    RuleId::EmptyTurn,
    RuleId::ContextTruncated,
    RuleId::AgentHallucinatedObservation,
    RuleId::FormatRoleAlternation,
];

/// `empty-turn`, `context/truncated`, `agent-hallucinated-observation` and
/// `format/role-alternation`.
pub fn check(cx: &mut Checker) {
    let task = cx.task();
    let mut turns: Vec<&Turn> = Vec::with_capacity(cx.turns().len());
    turns.extend(cx.live());
    for turn in &turns {
        let text = turn.text.as_str();
        if turn.role == Role::Agent && turn.tool_calls.is_empty() {
            let trimmed = trim(text);
            if trimmed.is_empty() {
                // The harness's habit is a fact of the AgentBench tasks only.
                let message = if matches!(
                    task,
                    Task::Os
                        | Task::Db
                        | Task::Kg
                        | Task::Alfworld
                        | Task::Webshop
                        | Task::Mind2web
                ) {
                    "the agent turn is empty: AgentTuning's harness returns \"\" after an inference error"
                } else {
                    "the agent turn is empty"
                };
                cx.report(
                    RuleId::EmptyTurn,
                    turn.index,
                    (0, text.len()),
                    message.into(),
                );
            } else if SENTINELS.iter().any(|s| trimmed.eq_ignore_ascii_case(s)) {
                let start = text.len() - text.trim_start().len();
                cx.report(
                    RuleId::EmptyTurn,
                    turn.index,
                    (start, start + trimmed.len()),
                    format!("the agent turn is the status `{trimmed}`, stored in place of content"),
                );
            }
        }
        let marks = marks(text, cx.hits(turn.index));
        if turn.role == Role::Agent && task != Task::Swe {
            hallucinated(cx, task, turn, &marks);
        }
        for &(start, end) in &marks.truncations {
            cx.report(
                RuleId::ContextTruncated,
                turn.index,
                (start, end),
                format!("`{}`: part of the text was cut", &text[start..end]),
            );
        }
    }
    role_alternation(cx, task);
}

fn hallucinated(cx: &mut Checker, task: Task, turn: &Turn, marks: &Marks) {
    let text = turn.text.as_str();
    let mut at = marks.observation.map(|s| (s, "an `Observation:`"));
    if matches!(task, Task::Os | Task::Db) {
        if let Some(start) = marks.output {
            if at.is_none_or(|(s, _)| start < s) {
                at = Some((start, "an output"));
            }
        }
    }
    if task == Task::Db {
        // The first result after the end of the block the first ```sql opens.
        let body = |s: usize| s + SQL_OPEN.len();
        if let (Some(sql_end), Some(result)) = (
            marks
                .sql
                .and_then(|s| find!("\n```", &text[body(s)..]).map(|e| body(s) + e + 4)),
            marks.result,
        ) {
            if result >= sql_end && at.is_none_or(|(s, _)| result < s) {
                at = Some((result, "an SQL result"));
            }
        }
    }
    if let Some((start, what)) = at {
        let start = start + (text[start..].len() - text[start..].trim_start().len());
        cx.report(
            RuleId::AgentHallucinatedObservation,
            turn.index,
            (start, text.trim_end().len().max(start)),
            format!("the agent writes {what} itself, instead of waiting for the environment"),
        );
    }
}

/// Strict human/agent alternation, as AgentTuning's harness asserts (agent.py L94-108), for
/// the text-protocol profiles.
fn role_alternation(cx: &mut Checker, task: Task) {
    // Tool-call protocols and transcripts (KnowAgent writes thought, plan and action as
    // separate lines) do not alternate by design.
    if matches!(task, Task::Swe | Task::Generic) || cx.trajectory.format == Format::KnowAgent {
        return;
    }
    let turns = cx.turns();
    let mut prev: Option<&Turn> = None;
    for turn in turns.iter().filter(|t| t.role != Role::System) {
        let agent = turn.role == Role::Agent;
        match prev {
            None if agent => cx.report(
                RuleId::FormatRoleAlternation,
                turn.index,
                (0, 0),
                "the first turn is the agent's, not the human's".into(),
            ),
            Some(p) if (p.role == Role::Agent) == agent => cx.report(
                RuleId::FormatRoleAlternation,
                turn.index,
                (0, 0),
                format!(
                    "two {} turns in a row (turns {} and {})",
                    if agent { "agent" } else { "human" },
                    p.index,
                    turn.index
                ),
            ),
            _ => {}
        }
        prev = Some(turn);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    #[test]
    fn line_start_search_finds_what_the_multiline_regexes_find() {
        type Search = fn(&str) -> Option<usize>;
        let pairs: [(Search, &str); 2] = [
            (super::observation_at, r"(?m)^[ \t]*Observation(?: \d+)?:"),
            (
                super::output_at,
                r"(?m)^[ \t]*(?:The output of the OS|Output:|```output\b)",
            ),
        ];
        let pieces = [
            "Observation",
            ":",
            " ",
            "\t",
            "\n",
            "x",
            " 1",
            "Output:",
            "The output of the OS",
            "```output",
            "s",
            "\r",
            "\u{663}",
            "é",
        ];
        for (re, multiline) in pairs {
            let multiline = regex::Regex::new(multiline).unwrap();
            let mut found = 0;
            for text in random_texts(11, &pieces, 11, 20_000) {
                let want = multiline.find(&text).map(|m| {
                    let s = &text[m.start()..];
                    m.start() + (s.len() - s.trim_start_matches([' ', '\t']).len())
                });
                assert_eq!(re(&text), want, "{text:?}");
                found += usize::from(want.is_some());
            }
            assert!(found > 100, "{found}");
        }
    }

    /// On DBBench, the first ```` ```sql ```` and the start of the first SQL result literal
    /// from the hits are what searching for them and the database's regex find.
    #[test]
    fn sql_results_are_the_regex_matches() {
        let re = regex::Regex::new(r"(?m)^\s*\[\(.*\)\]\s*$").unwrap();
        let pieces = [
            "[(", "[(", ")]", ")]", "[", ")", "1,", "x", " ", "\t", "\n", "\n", "\r", "\u{2028}",
            "\u{a0}", "é", "```sql", "```sql\n", "\n```",
        ];
        let mut found = 0;
        for text in random_texts(15, &pieces, 7, 40_000) {
            let marks = super::marks_with(&text, super::TRIGGERS_DB.agent);
            let want = re.find(&text).map(|m| m.start());
            assert_eq!(marks.result, want, "{text:?}");
            assert_eq!(marks.sql, text.find("```sql"), "{text:?}");
            found += usize::from(want.is_some());
        }
        assert!(found > 500, "{found}");
    }

    #[test]
    fn empty_and_sentinel_turns() {
        let t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, " \n"),
                (E, "x"),
                (A, "agent context limit"),
                (E, "y"),
                (A, "fine"),
            ],
        );
        let f = findings_of(&t, RuleId::EmptyTurn);
        assert_eq!(f.iter().map(|f| f.turn).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(spanned(&t, &f[1]), "agent context limit");
    }

    #[test]
    fn truncations_are_the_regex_matches() {
        let re = regex::Regex::new(
            r"\[NOTICE\] \d+ messages are omitted\.|\[truncated because the output is too long\]|\[TRUNCATED\]",
        )
        .unwrap();
        let pieces = [
            "[",
            "[NOTICE] ",
            "12",
            "\u{663}",
            " messages are omitted.",
            "[TRUNCATED]",
            "TRUNCATED]",
            "[truncated because the output is too long]",
            "x",
            "é",
        ];
        // Each text's notices, as the regex finds them; the count of all of them.
        let check = |texts: Vec<String>, agent_pass: bool| {
            let mut found = 0;
            for text in texts {
                let want: Vec<(usize, usize)> =
                    re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
                found += want.len();
                assert_eq!(super::truncations(&text), want, "{text:?}");
                if agent_pass {
                    // Agent turns find them in the same pass as observations and outputs.
                    assert_eq!(super::marks_of(&text, true).truncations, want, "{text:?}");
                }
            }
            found
        };
        let found = check(random_texts(13, &pieces, 7, 20_000), true);
        assert!(found > 2_000, "{found}");
        // Turns full of brackets, where the walk hands over to the notice search.
        let pieces = [pieces.as_slice(), &["[SEP]", "[", "[N", "[t", "[T"]].concat();
        let found = check(random_texts(14, &pieces, 40, 5_000), false);
        assert!(found > 2_000, "{found}");
    }

    #[test]
    fn truncation_notices() {
        let t = traj(
            Task::Os,
            &[
                (I, "q"),
                (A, "Act: finish"),
                (E, "a b [truncated because the output is too long]"),
            ],
        );
        let f = findings_of(&t, RuleId::ContextTruncated);
        assert_eq!(
            spanned(&t, &f[0]),
            "[truncated because the output is too long]"
        );
    }

    #[test]
    fn the_agent_writing_the_observation() {
        let t = traj(
            Task::Kg,
            &[
                (I, "q"),
                (
                    A,
                    "Thought: x\nAction: get_relations(a)\nObservation: [b, c]",
                ),
                (E, "Observation: [b]"),
                (A, "Final Answer: #0"),
            ],
        );
        let f = findings_of(&t, RuleId::AgentHallucinatedObservation);
        assert_eq!(f.len(), 1);
        assert_eq!(spanned(&t, &f[0]), "Observation: [b, c]");
        let db = traj(
            Task::Db,
            &[
                (I, "q"),
                (A, "Action: Operation\n```sql\nSELECT 1\n```\n[(1,)]"),
            ],
        );
        assert_eq!(
            spanned(
                &db,
                &findings_of(&db, RuleId::AgentHallucinatedObservation)[0]
            ),
            "[(1,)]"
        );
    }

    #[test]
    fn consecutive_same_role_turns() {
        let t = traj(
            Task::Os,
            &[(I, "q"), (A, "Act: finish"), (A, "Act: finish")],
        );
        assert_eq!(findings_of(&t, RuleId::FormatRoleAlternation)[0].turn, 2);
        let ok = traj(Task::Os, &[(I, "q"), (A, "Act: finish")]);
        assert!(findings_of(&ok, RuleId::FormatRoleAlternation).is_empty());
    }
}
