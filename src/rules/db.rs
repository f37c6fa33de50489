//! DBBench (AgentBench `dbbench/__init__.py`): `Action: Operation` with a ```sql block or
//! `Action: Answer` with `Final Answer:`, and MySQL error replies.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::engine::{Own, Triggers};
use super::text::{fences, line_at, trim};
use super::{quote, Checker, RuleId};
use crate::model::Turn;

const ACTION: &str = "Action: ";
/// `re.search(r"```sql\n([\s\S]*?)\n```", res)` (L104): the first block only runs.
const SQL: &str = "```sql\n";
/// The literal of [`SQL`] without its newline, which the generic rules also look for (on
/// DBBench, any ```` ```sql ```` opens the block an SQL result must follow): the newline is
/// checked at the hit.
pub const SQL_OPEN: &str = "```sql";
/// The literal of `\nFinal Answer:` (without its newline, which other triggers may end with).
const FINAL: &str = "Final Answer:";

/// What the module reads of an agent turn: `Action: `, the ```sql blocks and `Final Answer:`,
/// from every occurrence of these literals (the engine's hits; they are all the module
/// searches for). A MySQL error is read at the start of a reply, not searched for.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[ACTION, SQL_OPEN, FINAL],
    other: &[],
};
/// [`TRIGGERS`] searched alone, for [`sql`] outside a check.
static OWN: Own = Own::new(TRIGGERS.agent);

/// What the module reads of one agent turn, from its hits (as `(trigger, start)`, in order of
/// start).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Parsed {
    /// `re.search(r"Action: (.*?)\n", res)` (L101, L120): needs a newline after the action
    /// word. The group ends at the first line break after the first `Action: `; without one,
    /// no later `Action: ` has one either. The match start and the group's span.
    action: Option<(usize, (usize, usize))>,
    /// `re.search(r"\nFinal Answer:(.*)", res)` (L123): needs a newline before it. The span
    /// of the group: the rest of that line.
    final_answer: Option<(usize, usize)>,
}

/// Read the turn `text` whose hits are `hits`; the starts of its ```sql hits go to `sql`
/// (cleared first).
fn read(text: &str, hits: impl Iterator<Item = (usize, usize)>, sql: &mut Vec<usize>) -> Parsed {
    let bytes = text.as_bytes();
    let line_end = |from: usize| memchr::memchr(b'\n', &bytes[from..]).map(|k| from + k);
    let mut parsed = Parsed::default();
    let mut first_action = true;
    sql.clear();
    for (trigger, at) in hits {
        match trigger {
            0 if first_action => {
                first_action = false;
                let from = at + ACTION.len();
                parsed.action = line_end(from).map(|end| (at, (from, end)));
            }
            1 if bytes.get(at + SQL_OPEN.len()) == Some(&b'\n') => sql.push(at),
            2 if parsed.final_answer.is_none() && at > 0 && bytes[at - 1] == b'\n' => {
                let from = at + FINAL.len();
                parsed.final_answer = Some((from, line_end(from).unwrap_or(text.len())));
            }
            _ => {}
        }
    }
    parsed
}

/// [`read`] of a text by itself, with its ```sql hits.
fn parse(text: &str) -> (Parsed, Vec<usize>) {
    let mut sql = Vec::new();
    let parsed = read(text, OWN.hits(text).into_iter(), &mut sql);
    (parsed, sql)
}
/// A MySQL error as `Interaction.py` L84-85 returns it: `1146 (42S02): Table … doesn't exist`.
static MYSQL_ERROR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4} \([0-9A-Z]{5}\): ").unwrap());

/// The DBBench round limit (`configs/tasks/dbbench.yaml`).
const ROUND_LIMIT: usize = 15;

/// The SQL of an Operation turn (the first block, one line), for repetition.
pub fn sql(text: &str) -> Option<Cow<'_, str>> {
    fences(text, SQL, parse(text).1)
        .next()
        .map(|f| statement(text, f.content))
}

/// The SQL statement at `content` (a block's content) on one line, as repetition compares it.
fn statement(text: &str, content: (usize, usize)) -> Cow<'_, str> {
    let sql = trim(&text[content.0..content.1]);
    if sql.contains('\n') {
        Cow::Owned(sql.replace('\n', " "))
    } else {
        Cow::Borrowed(sql)
    }
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[
    RuleId::InvalidActionDb,
    RuleId::EnvErrorDb,
    RuleId::FinalAnswerMalformed,
    RuleId::FinalAnswerMissing,
    RuleId::FormatMultipleActions,
];

/// `invalid-action/db`, `final-answer/{missing,malformed}`, `format/multiple-actions` and
/// `env-error/db` (dbbench L101-130; Interaction.py L80-88; metrics L189-192).
pub fn check(cx: &mut Checker) {
    let mut rounds = 0;
    let mut last: Option<&Turn> = None;
    // Whether the last agent turn has a `Final Answer:`.
    let mut last_answered = false;
    // The span of the first SQL statement of each agent turn, by turn index (for the error
    // replies).
    let mut statements: Vec<Option<(usize, usize)>> = Vec::new();
    let mut sql = Vec::new();
    for turn in cx.agent_turns() {
        rounds += 1;
        last = Some(turn);
        let text = turn.text.as_str();
        let Parsed {
            action,
            final_answer,
        } = read(text, cx.hits(turn.index), &mut sql);
        last_answered = final_answer.is_some();
        let blocks: Vec<_> = fences(text, SQL, sql.iter().copied()).collect();
        if let Some(first) = blocks.first() {
            if statements.len() <= turn.index {
                statements.resize(turn.index + 1, None);
            }
            statements[turn.index] = Some(first.content);
        }
        cx.remember_action(turn, blocks.first().map(|f| statement(text, f.content)));
        let operation = action.is_some_and(|(_, (s, e))| &text[s..e] == "Operation");
        if operation {
            if blocks.is_empty() {
                let (start, _) = action.unwrap();
                cx.report(
                    RuleId::InvalidActionDb,
                    turn.index,
                    line_at(text, start),
                    "`Action: Operation` without a ```sql block: DBBench stops with AGENT_VALIDATION_FAILED".into(),
                );
            } else if blocks.len() > 1 {
                cx.report(
                    RuleId::FormatMultipleActions,
                    turn.index,
                    (blocks[1].start, blocks[blocks.len() - 1].end),
                    format!("{} ```sql blocks: only the first one runs", blocks.len()),
                );
            }
            continue;
        }
        match final_answer {
            None => {
                let (span, what) = match action {
                    Some((start, (s, e))) => (
                        line_at(text, start),
                        format!("`Action: {}` is not Operation", quote(&text[s..e])),
                    ),
                    None => ((0, 0), "no `Action: Operation` line".to_string()),
                };
                cx.report(
                    RuleId::InvalidActionDb,
                    turn.index,
                    span,
                    format!("{what} and no `Final Answer:` line: DBBench stops with AGENT_VALIDATION_FAILED"),
                );
            }
            Some((s, e)) => {
                let payload = text[s..e].trim();
                if !(payload.starts_with('[') && payload.ends_with(']')) {
                    cx.report(
                        RuleId::FinalAnswerMalformed,
                        turn.index,
                        (s, e),
                        format!(
                            "`Final Answer: {}` is not a list literal like [\"...\"]",
                            quote(payload)
                        ),
                    );
                }
            }
        }
    }
    if let Some(last) = last {
        if !last_answered {
            cx.missing_final(
                last.index,
                rounds,
                ROUND_LIMIT,
                "DB",
                "`Action: Answer` and `Final Answer:`",
            );
        }
    }
    if cx.on(RuleId::EnvErrorDb) {
        let errors: Vec<_> = cx
            .replies()
            .filter(|(env, _)| MYSQL_ERROR.is_match(&env.text))
            .collect();
        for (env, agent) in errors {
            let message = format!("the database answered `{}`", quote(&env.text));
            match agent {
                Some(a) => {
                    let span = statements.get(a.index).copied().flatten().unwrap_or((0, 0));
                    cx.report(RuleId::EnvErrorDb, a.index, span, message);
                }
                None => {
                    let end = env.text.find(':').map_or(0, |i| i + 1);
                    cx.report(RuleId::EnvErrorDb, env.index, (0, end), message);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    const OP: &str = "I look.\nAction: Operation\n```sql\nSELECT 1\n```";

    #[test]
    fn action_and_final_answer_are_the_regex_groups() {
        let action = regex::Regex::new(r"Action: (.*?)\n").unwrap();
        let fin = regex::Regex::new(r"\nFinal Answer:(.*)").unwrap();
        let pieces = [
            "Action: ",
            "Action:",
            "\n",
            "\nFinal Answer:",
            "Final Answer:",
            "x",
            " ",
            "\r",
        ];
        let mut found = 0;
        for text in random_texts(9, &pieces, 7, 20_000) {
            let want = action.captures(&text).map(|c| {
                let g = c.get(1).unwrap();
                (c.get(0).unwrap().start(), (g.start(), g.end()))
            });
            let (parsed, _) = super::parse(&text);
            assert_eq!(parsed.action, want, "{text:?}");
            let want_final = fin.captures(&text).map(|c| {
                let g = c.get(1).unwrap();
                (g.start(), g.end())
            });
            assert_eq!(parsed.final_answer, want_final, "{text:?}");
            found += usize::from(want.is_some()) + usize::from(want_final.is_some());
        }
        assert!(found > 2_000, "{found}");
    }

    /// The first block from the ```` ```sql ```` hits whose newline follows is the regex's.
    #[test]
    fn the_first_sql_block_is_the_regex_group() {
        let re = regex::Regex::new(r"```sql\n([\s\S]*?)\n```").unwrap();
        let pieces = [
            "```sql\n", "```sql", "```sq", "\n```", "```", "\n", "x", " ",
        ];
        let mut found = 0;
        for text in random_texts(10, &pieces, 8, 20_000) {
            let want = re.captures(&text).map(|c| {
                let g = c.get(1).unwrap();
                (g.start(), g.end())
            });
            let got = super::fences(&text, super::SQL, super::parse(&text).1)
                .next()
                .map(|f| f.content);
            assert_eq!(got, want, "{text:?}");
            found += usize::from(want.is_some());
        }
        assert!(found > 2_000, "{found}");
    }

    #[test]
    fn operation_without_sql_and_missing_final_answer() {
        let t = traj(
            Task::Db,
            &[
                (I, "q"),
                (A, "Let me look.\nAction: Operation\nSELECT 1"),
                (E, "[]"),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionDb);
        assert_eq!(f.len(), 1);
        assert_eq!(spanned(&t, &f[0]), "Action: Operation");
        assert_eq!(findings_of(&t, RuleId::FinalAnswerMissing).len(), 1);
    }

    #[test]
    fn a_clean_episode_has_no_findings() {
        let t = traj(
            Task::Db,
            &[
                (I, "q"),
                (A, OP),
                (E, "[(60900,)]"),
                (A, "It is 60900.\nAction: Answer\nFinal Answer: [\"60900\"]"),
            ],
        );
        assert_eq!(crate::rules::RuleSet::builtin().check(&t), vec![]);
    }

    #[test]
    fn sql_errors_go_to_the_agent_turn_that_caused_them() {
        let t = traj(
            Task::Db,
            &[
                (I, "q"),
                (A, OP),
                (E, "1146 (42S02): Table 'customers.orders' doesn't exist"),
                (A, "Sorry.\nAction: Answer\nFinal Answer: none"),
            ],
        );
        let f = findings_of(&t, RuleId::EnvErrorDb);
        assert_eq!(f[0].turn, 1);
        assert_eq!(spanned(&t, &f[0]), "SELECT 1");
        assert!(f[0].message.contains("1146 (42S02)"));
        assert_eq!(findings_of(&t, RuleId::FinalAnswerMalformed).len(), 1);
    }
}
