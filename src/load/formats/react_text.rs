//! ReAct text in one string (FireAct's `traj`, ReAct's few-shot prompts): `Question:`,
//! `Thought:`, `Action:` and `Observation:` lines (numbered or not) split into turns. The
//! few-shot block before the last question becomes demo turns; the question is the
//! instruction; each Thought + Action is an agent turn and each Observation an environment one.

use std::borrow::Cow;

use super::reader::{RawTurn, Speaker};

/// What a line of ReAct text starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Question,
    Thought,
    Action,
    Observation,
    /// Any other line: it continues the turn before it.
    Other,
}

const MARKS: &[(&str, Mark)] = &[
    ("Question", Mark::Question),
    // KnowAgent's path through its action graph opens each step, before the Thought.
    ("ActionPath", Mark::Thought),
    ("Thought", Mark::Thought),
    ("Action", Mark::Action),
    ("Observation", Mark::Observation),
];

/// `Thought:`, `Thought 3:`, `Action 2 :`, `ActionPath 1:`; not `Action Input:`.
fn mark(line: &str) -> Mark {
    let line = line.trim_start();
    for &(word, mark) in MARKS {
        if let Some(rest) = line.strip_prefix(word) {
            let rest = rest.trim_start_matches(|c: char| c == ' ' || c.is_ascii_digit());
            if rest.starts_with(':') {
                return mark;
            }
        }
    }
    Mark::Other
}

/// Whether a `traj` string (as its raw JSON text) is ReAct text rather than KnowAgent's
/// `> action` lines: it has a Thought and an `Action` that starts a line.
pub(super) fn looks_like_react_text(raw_json: &str) -> bool {
    raw_json.contains("Thought") && raw_json.contains("\\nAction")
}

/// Split ReAct text into turns.
pub(super) fn split(text: &str) -> Vec<RawTurn> {
    let lines: Vec<&str> = text.lines().collect();
    let marks: Vec<Mark> = lines.iter().map(|l| mark(l)).collect();
    // The real episode starts at the last question; everything before it is the examples.
    let start = marks
        .iter()
        .rposition(|&m| m == Mark::Question)
        .unwrap_or(0);
    let mut turns = Turns::default();
    turns.add(&lines[..start], &marks[..start], Speaker::System, true);
    turns.add(&lines[start..], &marks[start..], Speaker::User, false);
    turns.done
}

/// The turns made so far and the one being built.
#[derive(Default)]
struct Turns<'t> {
    done: Vec<RawTurn>,
    current: Option<Building<'t>>,
}

struct Building<'t> {
    speaker: Speaker,
    lines: Vec<&'t str>,
    /// An Action line is among the lines.
    acted: bool,
    demo: bool,
}

impl<'t> Turns<'t> {
    /// Lines of one part: `lead` says the text before the first marked line; `demo` marks the
    /// example block (whose opening text, the task's instructions, is no example).
    fn add(&mut self, lines: &[&'t str], marks: &[Mark], lead: Speaker, demo: bool) {
        self.finish();
        for (&line, &mark) in lines.iter().zip(marks) {
            let agent_before_action = matches!(
                &self.current,
                Some(b) if b.speaker == Speaker::Agent && !b.acted
            );
            match mark {
                Mark::Question => self.start(Speaker::User, line, demo),
                Mark::Observation => self.start(Speaker::Tool, line, demo),
                Mark::Thought | Mark::Action if agent_before_action => {
                    if let Some(b) = &mut self.current {
                        b.lines.push(line);
                        b.acted = mark == Mark::Action;
                    }
                }
                Mark::Thought | Mark::Action => {
                    self.start(Speaker::Agent, line, demo);
                    if let Some(b) = &mut self.current {
                        b.acted = mark == Mark::Action;
                    }
                }
                Mark::Other => match &mut self.current {
                    Some(b) => b.lines.push(line),
                    None if line.trim().is_empty() => {}
                    None => self.start(lead, line, demo && lead != Speaker::System),
                },
            }
        }
        self.finish();
    }

    fn start(&mut self, speaker: Speaker, line: &'t str, demo: bool) {
        self.finish();
        self.current = Some(Building {
            speaker,
            lines: vec![line],
            acted: false,
            demo,
        });
    }

    fn finish(&mut self) {
        let Some(b) = self.current.take() else {
            return;
        };
        let text = b.lines.join("\n");
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let role = match b.speaker {
            Speaker::System => "system",
            Speaker::User => "question",
            Speaker::Agent => "thought",
            Speaker::Tool => "observation",
        };
        let mut turn = RawTurn::with_role(b.speaker, Cow::Borrowed(role), text.to_string());
        turn.demo = b.demo;
        self.done.push(turn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Vec<(Speaker, bool, String)> {
        split(text)
            .into_iter()
            .map(|t| (t.speaker, t.demo, t.text))
            .collect()
    }

    #[test]
    fn an_alpaca_prompt_then_steps() {
        let text = "Below is an instruction.\n\n### Instruction:\nWho?\n\n### Response:\n\
                    Thought: I need to search.\nAction: search[who]\nObservation: Him.\n\
                    Thought: Done.\nAction: finish[him]\nObservation: Episode finished, reward = True\n";
        let got = shape(text);
        let want = [
            (
                Speaker::User,
                "Below is an instruction.\n\n### Instruction:\nWho?\n\n### Response:",
            ),
            (
                Speaker::Agent,
                "Thought: I need to search.\nAction: search[who]",
            ),
            (Speaker::Tool, "Observation: Him."),
            (Speaker::Agent, "Thought: Done.\nAction: finish[him]"),
            (
                Speaker::Tool,
                "Observation: Episode finished, reward = True",
            ),
        ];
        let want: Vec<(Speaker, bool, String)> = want
            .into_iter()
            .map(|(s, t)| (s, false, t.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn few_shot_examples_become_demo_turns() {
        let text = "Solve a question answering task.\nHere are some examples.\n\
                    Question: Example?\nThought 1: Look.\nAction 1: Search[x]\n\
                    Observation 1: x is y\nlong observation\nThought 2: So y.\nAction 2: Finish[y]\n\n\
                    (END OF EXAMPLES)\n\
                    Question: Real?\nThought 1: Hmm.\nAction 1: Search[r]\nObservation 1: r.\n\
                    Thought 2: Stuck.\n";
        let got = shape(text);
        let want = [
            (
                Speaker::System,
                false,
                "Solve a question answering task.\nHere are some examples.",
            ),
            (Speaker::User, true, "Question: Example?"),
            (
                Speaker::Agent,
                true,
                "Thought 1: Look.\nAction 1: Search[x]",
            ),
            (
                Speaker::Tool,
                true,
                "Observation 1: x is y\nlong observation",
            ),
            (
                Speaker::Agent,
                true,
                "Thought 2: So y.\nAction 2: Finish[y]\n\n(END OF EXAMPLES)",
            ),
            (Speaker::User, false, "Question: Real?"),
            (
                Speaker::Agent,
                false,
                "Thought 1: Hmm.\nAction 1: Search[r]",
            ),
            (Speaker::Tool, false, "Observation 1: r."),
            (Speaker::Agent, false, "Thought 2: Stuck."),
        ];
        let want: Vec<(Speaker, bool, String)> = want
            .into_iter()
            .map(|(s, d, t)| (s, d, t.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn marks_need_their_colon() {
        assert_eq!(mark("Action 12: x"), Mark::Action);
        assert_eq!(mark("  Thought: x"), Mark::Thought);
        assert_eq!(mark("Action Input: x"), Mark::Other);
        assert_eq!(mark("ActionPath 1: x"), Mark::Thought);
        assert_eq!(mark("Action Path: x"), Mark::Other);
        assert_eq!(mark("Observations are"), Mark::Other);
    }

    #[test]
    fn react_text_is_told_from_knowagent_lines() {
        assert!(looks_like_react_text(r#""Q\nThought: a\nAction: b""#));
        assert!(!looks_like_react_text(r#""room\n> Think: a\nOK.""#));
    }
}
