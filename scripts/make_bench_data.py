#!/usr/bin/env python3
"""Writes deterministic benchmark data: AgentInstruct-like trajectories as a JSONL file and as
a JSON array, of a given size. Usage: make_bench_data.py OUT_DIR [JSONL_MB] [ARRAY_MB]"""
import json
import os
import random
import sys

WORDS = ("the file directory output command error value table user agent answer count "
         "select from where group order limit find grep awk sed echo cat list size line").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


PROMPTS = {
    "os": "You are an assistant that will act like a person, I'will play the role of linux(ubuntu) operating system. ",
    "db": "I will ask you a question, then you should help me operate a MySQL database with SQL to answer the question. ",
    "alfworld": "Interact with a household to solve a task. ",
    "kg": "You are an agent that answers questions based on the knowledge stored in a knowledge base. ",
    "webshop": "You are web shopping. ",
}
TITLE = "\u001b]0;root@4f1c2a9b7d10: /\u0007root@4f1c2a9b7d10:/# "


def step(rng, kind, n):
    """One agent turn and the environment's reply, in the task's own protocol."""
    if kind == "os":
        out = "\r\n".join(sentence(rng, 12) for _ in range(rng.randint(1, 20)))
        return (f"Think: {sentence(rng, 25)}\n\nAct: bash\n\n```bash\n{sentence(rng, 8)}\n```",
                f"The output of the OS:\n\n{out}\r\n" + TITLE)
    if kind == "db":
        rows = ", ".join(f"({rng.randint(1, 9999)}, '{rng.choice(WORDS)}')" for _ in range(rng.randint(1, 30)))
        return (f"{sentence(rng, 20)}\nAction: Operation\n```sql\nSELECT id, name FROM t{n} WHERE x = {n}\n```",
                f"[{rows}]")
    if kind == "alfworld":
        return (f"THOUGHT: {sentence(rng, 20)}\n ACTION: go to cabinet {n + 1}",
                f"On the cabinet {n + 1}, you see " + ", ".join(f"a {rng.choice(WORDS)} {k}" for k in range(rng.randint(1, 12))) + ".")
    if kind == "kg":
        return (f"Thought: {sentence(rng, 20)}\nAction: get_relations(#{n})",
                "Observation: [" + ", ".join(f"{rng.choice(WORDS)}.{rng.choice(WORDS)}.{k}" for k in range(rng.randint(3, 40))) + "]")
    return (f"Thought:\nI think {sentence(rng, 15)}\n\nAction:\nclick[{rng.choice(WORDS)} {n}]",
            " [SEP] ".join(sentence(rng, 6) for _ in range(rng.randint(10, 60))))


FINAL = {
    "os": "Think: {s}\n\nAct: answer({n})",
    "db": "{s}\nAction: Answer\nFinal Answer: [\"{n}\"]",
    "alfworld": "THOUGHT: {s}\n ACTION: put mug {n} in/on cabinet 1",
    "kg": "Thought: {s}\nFinal Answer: #{n}",
    "webshop": "Thought:\nI think {s}\n\nAction:\nclick[Buy Now]",
}


def record(rng, i):
    kind = ("os", "db", "alfworld", "kg", "webshop")[i % 5]
    conv = [{"from": "human", "loss": None, "value": PROMPTS[kind] + sentence(rng, 120)},
            {"from": "gpt", "loss": False, "value": "Ok."},
            {"from": "human", "loss": None, "value": sentence(rng, 40)}]
    steps = rng.randint(3, 12)
    for n in range(steps):
        agent, env = step(rng, kind, n)
        conv.append({"from": "gpt", "loss": True, "value": agent})
        conv.append({"from": "human", "loss": None, "value": env})
    conv.append({"from": "gpt", "loss": True, "value": FINAL[kind].format(s=sentence(rng, 10), n=steps)})
    return {"id": f"{kind}_{i}", "conversations": conv}


def write(path, megabytes, array):
    rng = random.Random(42)
    limit = megabytes * 1_000_000
    size = 0
    i = 0
    with open(path + ".tmp", "w") as f:
        if array:
            f.write("[\n")
        while size < limit:
            line = json.dumps(record(rng, i))
            if array:
                line = ("  " if i == 0 else ",\n  ") + line
            else:
                line += "\n"
            f.write(line)
            size += len(line)
            i += 1
        if array:
            f.write("\n]\n")
    os.replace(path + ".tmp", path)
    return i


def main():
    out = sys.argv[1]
    jsonl_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    array_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    os.makedirs(out, exist_ok=True)
    for name, mb, array in [("agentinstruct_1g.jsonl", jsonl_mb, False), ("agentinstruct_200m.json", array_mb, True)]:
        path = os.path.join(out, name)
        if os.path.exists(path) and abs(os.path.getsize(path) - mb * 1_000_000) < 2_000_000:
            continue
        n = write(path, mb, array)
        print(f"wrote {path}: {n} trajectories", file=sys.stderr)


if __name__ == "__main__":
    main()
