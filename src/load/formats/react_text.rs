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
    ("Thought", Mark::Thought),
    ("Action", Mark::Action),
    ("Observation", Mark::Observation),
];

/// `Thought:`, `Thought 3:`, `Action 2 :`; not `Action Input:` nor `ActionPath:`.
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
    turns.finish();
    turns.done
}

/// The turns made so far and the one being built.
#[derive(Default)]
struct Turns<'t> {
    done: Vec<RawTurn>,
    /// The speaker, the lines, and whether an Action line is among them.
    current: Option<(Speaker, Vec<&'t str>, bool)>,
}

impl<'t> Turns<'t> {
    /// Lines of one part: `lead` is who says the text before the first marked line.
    fn add(&mut self, lines: &[&'t str], marks: &[Mark], lead: Speaker, demo: bool) {
        self.finish();
        for (&line, &mark) in lines.iter().zip(marks) {
            match mark {
                Mark::Question => self.start(Speaker::User, line, demo),
                Mark::Observation => self.start(Speaker::Tool, line, demo),
                Mark::Thought => match &mut self.current {
                    Some((Speaker::Agent, lines, false)) => lines.push(line),
                    _ => self.start(Speaker::Agent, line, demo),
                },
                Mark::Action => match &mut self.current {
                    Some((Speaker::Agent, lines, acted @ false)) => {
                        lines.push(line);
                        *acted = true;
                    }
                    _ => {
                        self.start(Speaker::Agent, line, demo);
                        if let Some((_, _, acted)) = &mut self.current {
                            *acted = true;
                        }
                    }
                },
                Mark::Other => match &mut self.current {
                    Some((_, lines, _)) => lines.push(line),
                    None if line.trim().is_empty() => {}
                    None => self.start(lead, line, demo),
                },
            }
        }
        self.finish_as(demo);
    }

    fn start(&mut self, speaker: Speaker, line: &'t str, demo: bool) {
        self.finish_as(demo);
        self.current = Some((speaker, vec![line], false));
    }

    fn finish(&mut self) {
        self.finish_as(false);
    }

    fn finish_as(&mut self, demo: bool) {
        let Some((speaker, lines, _)) = self.current.take() else {
            return;
        };
        let text = lines.join("\n");
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let role = match speaker {
            Speaker::System => "system",
            Speaker::User => "question",
            Speaker::Agent => "thought",
            Speaker::Tool => "observation",
        };
        let mut turn = RawTurn::with_role(speaker, Cow::Borrowed(role), text.to_string());
        turn.demo = demo;
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
                true,
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
        assert_eq!(mark("ActionPath 1: x"), Mark::Other);
        assert_eq!(mark("Observations are"), Mark::Other);
    }

    #[test]
    fn react_text_is_told_from_knowagent_lines() {
        assert!(looks_like_react_text(r#""Q\nThought: a\nAction: b""#));
        assert!(!looks_like_react_text(r#""room\n> Think: a\nOK.""#));
    }
}
