#!/usr/bin/env python3
"""Writes the ReAct-text test fixtures in tests/data/ (deterministic; trev's own invented
questions, not copied from any dataset):

- react_text_fireact.json: a FireAct-style dump, a dict of id -> {reward, em, f1, gt, pred,
  prompt, traj, traj_by_line}, whose `traj` is one string of Alpaca-style ReAct text. Records
  whose id starts with 9 carry a ReAct defect: an action that does not parse, or one that
  parses but names no tool of the environment, which answers "Invalid Action".
- react_text_knowagent_hotpotqa.jsonl: KnowAgent-style HotpotQA records, {question, answer,
  correct, reward, halted, error, prompt}, the prompt two worked examples, `(END OF EXAMPLES)`
  and the episode, with ActionPath lines.

Usage: make_react_fixtures.py [OUT_DIR] (default tests/data)"""
import json
import os
import random
import sys

HEAD = ("Below is an instruction that describes a task. Write a response that appropriately "
        "completes the request.\n\n### Instruction:\n")
THINGS = ["the lighthouse keeper", "the river bridge", "the glass museum", "the copper mine",
          "the northern railway", "the paper mill", "the salt marsh", "the clock tower"]
FACTS = ["was built in 1871", "is 240 metres long", "closed in 1962", "opened to the public",
         "is owned by the town", "was designed by a shipwright", "burned down twice"]


def step(rng, i, thing, last):
    fact = rng.choice(FACTS)
    if last:
        return (f"Thought: I have what I need.\nAction: finish[{fact}]\n"
                "Observation: Episode finished, reward = True\n")
    verb = rng.choice(["search", "lookup"])
    return (f"Thought: I should {verb} {thing} (step {i}).\nAction: {verb}[{thing}]\n"
            f"Observation: {thing.capitalize()} {fact}.\n")


def fireact(rng):
    out = {}
    for n in range(30):
        defect = n % 7 == 3
        rid = str(9000 + n) if defect else str(1000 + n)
        thing = rng.choice(THINGS)
        steps = rng.randint(1, 4)
        text = HEAD + f"When was {thing} built?\n\n### Response:\n"
        for i in range(steps):
            if defect and i == 0:
                if n % 2:
                    text += f"Thought: Let me look.\nAction: look around {thing}\n"
                else:
                    text += f"Thought: Let me look.\nAction: peek[{thing}]\n"
                text += ("Observation: Invalid Action. Valid Actions are Lookup[<topic>] "
                         "Search[<topic>] and Finish[<answer>].\n")
                continue
            text += step(rng, i, thing, i == steps - 1)
        won = not defect and rng.random() < 0.5
        out[rid] = {"reward": won, "em": won, "f1": 1 if won else 0, "gt": "1871",
                    "pred": "1871" if won else "", "prompt": "", "traj": text,
                    "traj_by_line": text.split("\n")}
    return out


def example(rng, q, answer):
    thing = rng.choice(THINGS)
    return (f"\nQuestion: {q}\nActionPath 1: Start\nThought 1: From \"Start\" I can Search or "
            f"Retrieve. I will retrieve {thing}.\nAction 1: Retrieve[{thing}]\n"
            f"Observation 1: {thing.capitalize()} {rng.choice(FACTS)}.\n"
            f"ActionPath 2: Start->Retrieve[{thing}]\nThought 2: That answers it.\n"
            f"Action 2: Finish[{answer}]\n")


def knowagent(rng):
    lines = []
    for n in range(6):
        examples = example(rng, "Which came first?", "the bridge") + example(
            rng, "Who owns the mill?", "the town")
        thing = rng.choice(THINGS)
        q = f"What is notable about {thing}?"
        episode = f"\nQuestion: {q}\nActionPath 1: Start\n"
        steps = rng.randint(1, 3)
        for i in range(1, steps + 1):
            if i == steps:
                episode += f"Thought {i}: Done.\nAction {i}: Finish[{rng.choice(FACTS)}]\n"
            else:
                episode += (f"Thought {i}: Search more.\nAction {i}: Search[{thing}]\n"
                            f"Observation {i}: {thing.capitalize()} {rng.choice(FACTS)}.\n"
                            f"ActionPath {i + 1}: Start->Search[{thing}]\n")
        prompt = ("Answer the question by walking the action graph from Start to Finish."
                  + examples + "\n(END OF EXAMPLES)" + episode)
        won = n % 2 == 0
        lines.append({"question": q, "answer": "x", "correct": won, "reward": int(won),
                      "halted": False, "error": False, "prompt": prompt})
    return lines


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    with open(os.path.join(out, "react_text_fireact.json"), "w") as f:
        json.dump(fireact(rng), f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "react_text_knowagent_hotpotqa.jsonl"), "w") as f:
        for line in knowagent(rng):
            f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
