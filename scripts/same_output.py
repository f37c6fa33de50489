#!/usr/bin/env python3
"""Runs two trev binaries over the same inputs and reports every difference in stdout, stderr,
exit code and written files: the check that a refactoring changed no behaviour.

Usage: same_output.py BEFORE_BIN AFTER_BIN [INPUT …]
Inputs default to sample_data/, each folder of ../shared/corpus/ and, when it exists,
bench-data/bench_40m.jsonl (`scripts/make_bench_data.py DIR 40 0` writes it as
DIR/agentinstruct_1g.jsonl). For each
input the two binaries run `check` (human, JSON, --only, --skip), `stats` (human, JSON, with
annotations, over a sample, --estimate), `agree` (turn and trajectory level, --with-rules) and
`export` (several policies, the report and the labels file). The journals are written by this
script from the findings of BEFORE, with fixed timestamps, so both runs read the same marks.
Exit status: 0 when everything is identical, 1 otherwise.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(binary, args, cwd, env):
    p = subprocess.run([binary] + args, cwd=cwd, env=env, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def journals(binary, inputs, into, env):
    """Two annotators' journals over the turns the rules flag (and some they do not)."""
    _, out, _ = run(binary, ["check", "--json", "--fail-on", "never"] + inputs, ROOT, env)
    alice, bob = [], []
    seen = set()
    for n, line in enumerate(out.splitlines()):
        f = json.loads(line)
        if f.get("type") != "finding":
            continue
        key = (f["trajectory"], f["turn"])
        if key in seen:
            continue
        seen.add(key)
        at = "2026-11-22T10:%02d:%02dZ" % (n // 60 % 60, n % 60)
        base = {"v": 1, "at": at, "trajectory": f["trajectory"], "turn": f["turn"]}
        alice.append(dict(base, annotator="alice", label="wrong", note="rule " + f["rule"]))
        label = "wrong" if f["severity"] == "error" else "right"
        bob.append(dict(base, annotator="bob", label=label))
        if len(seen) % 7 == 0:
            alice.append(dict(base, annotator="alice", turn=None, label="accept"))
            bob.append(dict(base, annotator="bob", turn=None, label="reject"))
        if len(seen) >= 400:
            break
    os.makedirs(into, exist_ok=True)
    for name, lines in (("alice", alice), ("bob", bob)):
        with open(os.path.join(into, name + ".jsonl"), "w") as f:
            for e in lines:
                f.write(json.dumps(e) + "\n")


def commands(inputs, ann, out):
    c = [
        ["check"] + inputs,
        ["check", "--json"] + inputs,
        ["check", "--json", "--only", "terminal-signature"] + inputs,
        ["check", "--skip", "repetition/exact", "--fail-on", "warn"] + inputs,
        ["check", "--json", "--sample", "3", "--seed", "5"] + inputs,
        ["stats"] + inputs,
        ["stats", "--json"] + inputs,
        ["stats", "--annotations", ann] + inputs,
        ["stats", "--json", "--annotations", ann] + inputs,
        ["stats", "--json", "--sample", "4", "--seed", "2"] + inputs,
        ["stats", "--estimate", "--sample", "5", "--seed", "1", "--annotations", ann] + inputs,
        ["stats", "--json", "--estimate", "--per-task", "2", "--annotations", ann] + inputs,
        ["agree", ann],
        ["agree", "--json", ann],
        ["agree", "--level", "trajectory", ann],
        ["agree", "--json", "--with-rules"] + inputs + ["--", ann],
        ["export"] + inputs + ["--annotations", ann, "--out", out + "/a.jsonl",
                               "--report", out + "/a.report.json",
                               "--labels-out", out + "/a.labels.csv"],
        ["export"] + inputs + ["--annotations", ann, "--out", out + "/b.json", "--to", "sharegpt",
                               "--mask-wrong", "--agree", "any", "--keep-unreviewed"],
        ["export"] + inputs + ["--annotations", ann, "--out", out + "/c.jsonl", "--to", "openai",
                               "--truncate-at-first-wrong", "--agree", "unanimous",
                               "--require", "no-wrong", "--labels-out", out + "/c.labels.jsonl"],
        ["export"] + inputs + ["--annotations", ann, "--out", out + "/d.jsonl",
                               "--drop-findings", "warn", "--keep-unreviewed", "--dry-run"],
    ]
    return c


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    before, after = (os.path.abspath(b) for b in sys.argv[1:3])
    sets = [[a] for a in sys.argv[3:]]
    if not sets:
        sets = [["sample_data"]]
        corpus = os.path.join(ROOT, "..", "shared", "corpus")
        if os.path.isdir(corpus):
            sets += [[os.path.join(corpus, d)] for d in sorted(os.listdir(corpus))
                     if os.path.isdir(os.path.join(corpus, d))]
        bench = os.path.join(ROOT, "bench-data", "bench_40m.jsonl")
        if os.path.exists(bench):
            sets.append([bench])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TREV", "NO_COLOR"))}
    work = tempfile.mkdtemp(prefix="trev-same-")
    env["XDG_CONFIG_HOME"] = os.path.join(work, "config")
    env["XDG_DATA_HOME"] = os.path.join(work, "data")
    differences, ran = 0, 0
    for inputs in sets:
        ann = os.path.join(work, "ann")
        shutil.rmtree(ann, ignore_errors=True)
        journals(before, inputs, ann, env)
        for args in commands(inputs, "ANN", "OUT"):
            results = []
            for binary in (before, after):
                out = os.path.join(work, "out")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                a = os.path.join(work, "ann-copy")
                shutil.rmtree(a, ignore_errors=True)
                shutil.copytree(ann, a)
                real = [x.replace("ANN", a).replace("OUT", out) for x in args]
                code, stdout, stderr = run(binary, real, ROOT, env)
                files = {}
                for d in (out, a):
                    for name in sorted(os.listdir(d)):
                        with open(os.path.join(d, name), "rb") as f:
                            files[os.path.basename(d) + "/" + name] = f.read()
                text = lambda b: b.replace(a.encode(), b"ANN").replace(out.encode(), b"OUT")
                results.append((code, text(stdout), text(stderr),
                                {k: text(v) for k, v in files.items()}))
            ran += 1
            if results[0] != results[1]:
                differences += 1
                what = [n for n, x, y in zip(("exit code", "stdout", "stderr", "files"), *results)
                        if x != y]
                print("DIFFERS (%s): trev %s" % (", ".join(what), " ".join(args)))
    shutil.rmtree(work, ignore_errors=True)
    print("%d commands run over %d inputs, %d differ" % (ran, len(sets), differences))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
