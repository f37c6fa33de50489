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


def record(rng, i):
    kind = ("os", "db", "alfworld", "kg", "webshop")[i % 5]
    conv = [{"from": "human", "loss": None, "value": "You are an assistant that will act like a person. " + sentence(rng, 120)},
            {"from": "gpt", "loss": False, "value": "Ok."}]
    conv.append({"from": "human", "loss": None, "value": "Now, I will start a new problem. " + sentence(rng, 40)})
    for step in range(rng.randint(3, 12)):
        conv.append({"from": "gpt", "loss": True,
                     "value": f"Think: {sentence(rng, 25)}\n\nAct: bash\n\n```bash\n{sentence(rng, 8)}\n```"})
        out = "\r\n".join(sentence(rng, 12) for _ in range(rng.randint(1, 20)))
        conv.append({"from": "human", "loss": None,
                     "value": f"The output of the OS:\n\n{out}\r\n\u001b]0;root@4f1c2a9b7d10: /\u0007root@4f1c2a9b7d10:/# "})
    conv.append({"from": "gpt", "loss": True, "value": f"Think: {sentence(rng, 10)}\n\nAct: answer({step})"})
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
