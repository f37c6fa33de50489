//! WebShop (AgentBench `webshop/__init__.py`): `search[...]`/`click[...]`, clicks that leave
//! the page unchanged, and `click[Buy Now]`.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::engine::{Own, Triggers};
use super::text::trim;
use super::{Checker, RuleId};
use crate::findings::Severity;
use crate::model::{Role, Turn};

/// The terminal action (the env lowercases the argument, text_env L98-110).
static BUY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)click\[\s*buy now\s*\]").unwrap());

/// The WebShop round limit (L68).
const ROUND_LIMIT: usize = 10;

/// What the module looks for: `ction:` in agent turns (after an `A` or an `a`, the action).
/// The engine's hits of it are all the module searches for; the page before a click is read
/// only when the click left it unchanged.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[CTION],
    other: &[],
};
const CTION: &str = "ction:";

/// [`TRIGGERS`] searched alone, for [`action`] outside a check.
static OWN: Own = Own::new(TRIGGERS.agent);

/// The action of a turn (`click[Buy Now]`) and its span, as AgentBench reads it:
/// `re.search(r"[Aa]ction: *\n* *((search|click)\[.+?])", response)` (AB-v0.2 L83-85).
pub fn action(text: &str) -> Option<(&str, (usize, usize))> {
    action_at(text, OWN.hits(text).into_iter().map(|(_, at)| at))
}

/// [`action`], from `starts`, every occurrence of `ction:` in order (the engine's hits).
///
/// The regex is matched by hand, at each `ction:` after an `A` or `a`: the spaces and line
/// breaks before the verb need no backtracking (the verb starts with neither), and the lazy
/// `.+?]` ends at the first `]` after at least one character, on the same line.
fn action_at(text: &str, starts: impl Iterator<Item = usize>) -> Option<(&str, (usize, usize))> {
    let bytes = text.as_bytes();
    let skip = |from: usize, b: u8| from + bytes[from..].iter().take_while(|&&c| c == b).count();
    // Where a search for the closing `]` met the line's end first: a later candidate opening
    // before that point would meet it too.
    let mut fails_before = 0;
    for i in starts {
        if i == 0 || !matches!(bytes[i - 1], b'A' | b'a') {
            continue;
        }
        let verb = skip(skip(skip(i + CTION.len(), b' '), b'\n'), b' ');
        let rest = &text[verb..];
        let Some(open) = ["search[", "click["]
            .iter()
            .find(|v| rest.starts_with(**v))
            .map(|v| verb + v.len())
        else {
            continue;
        };
        if bytes.get(open).is_none_or(|&b| b == b'\n') || open < fails_before {
            continue;
        }
        // The first `]` after the first character, unless the line ends before it.
        let close = memchr::memchr2(b']', b'\n', &bytes[open + 1..]).map(|k| open + 1 + k);
        match close {
            Some(k) if bytes[k] == b']' => return Some((&text[verb..k + 1], (verb, k + 1))),
            Some(k) => fails_before = k,
            None => return None,
        }
    }
    None
}

/// A WebShop action (as [`action`] reads it) as repetition compares it: case folded.
pub fn action_key(action: &str) -> Cow<'static, str> {
    Cow::Owned(action.to_lowercase())
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionWebshop, RuleId::FinalAnswerMissing];

/// `invalid-action/webshop` and `final-answer/missing` (webshop L83-106; text_env L105-110).
pub fn check(cx: &mut Checker) {
    let mut page: Option<&Turn> = None;
    let mut bought = false;
    let mut rounds = 0;
    let mut last: Option<&Turn> = None;
    for turn in cx.live() {
        match turn.role {
            Role::Environment | Role::Instruction => page = Some(turn),
            Role::Agent => {
                rounds += 1;
                last = Some(turn);
                let found = action_at(&turn.text, cx.hits(turn.index).map(|(_, at)| at));
                cx.remember_action(turn, found.map(|(a, _)| action_key(a)));
                let Some((act, span)) = found else {
                    cx.report(
                        RuleId::InvalidActionWebshop,
                        turn.index,
                        (0, 0),
                        "no `Action: search[...]` or `click[...]`: AgentBench stops with AGENT_VALIDATION_FAILED".into(),
                    );
                    continue;
                };
                if BUY.is_match(act) {
                    bought = true;
                }
                let next = cx.reply_to(turn);
                if let (true, Some(before), Some(after)) = (act.starts_with("click"), page, next) {
                    // The env ignores a click whose target is not a clickable of the page
                    // (text_env L98-110); an option click also leaves the text unchanged,
                    // but its target is on the page.
                    let target = act["click[".len()..act.len() - 1].trim().to_lowercase();
                    if before.role == Role::Environment
                        && trim(&before.text) == trim(&after.text)
                        && !before.text.to_lowercase().contains(&target)
                    {
                        cx.report_at(
                            RuleId::InvalidActionWebshop,
                            Some(Severity::Warn),
                            turn.index,
                            span,
                            format!("`{act}` left the page unchanged: the click target is not on the page"),
                        );
                    }
                }
            }
            Role::System => {}
        }
    }
    if let (false, Some(last)) = (bought, last) {
        cx.missing_final(
            last.index,
            rounds,
            ROUND_LIMIT,
            "WebShop",
            "`click[Buy Now]`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::findings::Severity;
    use crate::model::Task;

    #[test]
    fn the_action_is_the_regex_group() {
        let re = regex::Regex::new(r"[Aa]ction: *\n* *((search|click)\[.+?])").unwrap();
        let pieces = [
            "Action:", "action:", " ", "\n", "search[", "click[", "]", "x", "[", "Act",
        ];
        let mut found = 0;
        for text in random_texts(5, &pieces, 9, 20_000) {
            let want = re.captures(&text).map(|c| {
                let g = c.get(1).unwrap();
                (g.as_str(), (g.start(), g.end()))
            });
            found += usize::from(want.is_some());
            assert_eq!(super::action(&text), want, "{text:?}");
        }
        assert!(found > 200, "{found}");
    }

    #[test]
    fn unparsable_and_no_op_clicks() {
        let t = traj(
            Task::Webshop,
            &[
                (
                    I,
                    "WebShop [SEP] Instruction: [SEP] find a brush [SEP] Search",
                ),
                (
                    A,
                    "Thought:\nI think I should search.\n\nAction:\nsearch[brush]",
                ),
                (E, "Page 1 [SEP] B01 [SEP] Brush"),
                (A, "Thought:\nI think I click.\n\nAction:\nclick[b99]"),
                (E, "Page 1 [SEP] B01 [SEP] Brush"),
                (A, "I will buy it"),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionWebshop);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(spanned(&t, &f[0]), "click[b99]");
        assert_eq!(f[1].turn, 5);
        assert_eq!(findings_of(&t, RuleId::FinalAnswerMissing).len(), 1);
    }

    #[test]
    fn buying_ends_the_episode() {
        let t = traj(
            Task::Webshop,
            &[
                (I, "WebShop"),
                (A, "Action:\nsearch[x]"),
                (E, "p"),
                (A, "Action: click[Buy Now]"),
            ],
        );
        assert_eq!(crate::rules::RuleSet::builtin().check(&t), vec![]);
    }
}
