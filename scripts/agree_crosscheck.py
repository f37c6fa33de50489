#!/usr/bin/env python3
"""Cross-check `trev agree --json` against the reference libraries.

Generates seeded random journals (several annotators, missing labels, later lines that
override earlier ones, clears, 2 and 3 labels, degenerate cases), runs
`TREV agree --json DIR`, and compares every number with scikit-learn (`cohen_kappa_score`),
statsmodels (`fleiss_kappa` on `aggregate_raters`) and the `krippendorff` package (nominal,
value domain = the label set) to 1e-9. Then the same at `--level category`: journals whose
wrong turns carry categories (some outside the default set, some wrong turns without one, some
right turns), where the statistics are over the categories of turns both annotators marked
wrong, plus each category's specific agreement (computed here by hand). Exits 1 on any
mismatch.

    python3 -m pip install scikit-learn statsmodels krippendorff
    cargo build && python3 scripts/agree_crosscheck.py target/debug/trev
"""

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import warnings
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

TOL = 1e-9
# Numbers compared, and how many were bit-identical to the reference (trev sums in numpy's
# order, so all of them should be; the contract is TOL).
TALLY = {"numbers": 0, "identical": 0}
NAMES = ["alice", "bob", "judge-gpt", "Zoë", "Émile", "carol", "dave_2"]
# trev's default category set, in order (the labels come first at --level category).
CATEGORIES = ["format-error", "invalid-action", "repetition-loop", "spec-violation",
              "hallucination", "observation-misuse", "plan-error", "reasoning-action-mismatch",
              "termination-error", "environment-fault"]


def scenario(rng, case):
    """Final labels {annotator: {item: label}} and the label list for one random case."""
    k = 2 if case % 2 == 0 else 3
    labels = ["right", "wrong", "unsure"][:k]
    annotators = rng.sample(NAMES, rng.randint(2, 5))
    items = [(f"traj_{rng.randint(0, 30)}", rng.randint(0, 12)) for _ in range(rng.randint(3, 60))]
    items = sorted(set(items))
    missing = rng.choice([0.0, 0.1, 0.3, 0.6])
    # Skewed label preferences per annotator, plus a shared "truth" so agreement is not nil.
    truth = {item: rng.choice(labels) for item in items}
    final = {}
    for a in annotators:
        fidelity = rng.random()
        final[a] = {}
        for item in items:
            if rng.random() < missing:
                continue
            final[a][item] = truth[item] if rng.random() < fidelity else rng.choice(labels)
    if case % 17 == 5:  # everyone uses one label: kappas and alpha are undefined
        for a in annotators:
            final[a] = {item: labels[0] for item in final[a]}
    if case % 19 == 7:  # two annotators who share no item
        annotators = annotators[:2]
        half = len(items) // 2
        final = {annotators[0]: {i: truth[i] for i in items[:half]},
                 annotators[1]: {i: truth[i] for i in items[half:]}}
    final = {a: m for a, m in final.items() if m}
    return labels, final


def journal_lines(rng, annotator, marks, labels, categories=False):
    """Lines whose replay (later wins, null clears) gives `marks`, with noise before. With
    `categories`, each mark is a wrong turn with that category, and right turns and wrong
    turns without a category (left out at the category level) are added."""
    lines = []

    def line(traj, turn, label, sec):
        event = {"v": 1, "at": f"2026-11-22T10:{sec // 60 % 60:02d}:{sec % 60:02d}Z",
                 "annotator": annotator, "trajectory": traj, "turn": turn, "label": label}
        if categories and label is not None and turn is not None:
            event["label"] = "wrong"
            event["category"] = label
        return json.dumps(event, ensure_ascii=False)

    if categories:
        sec = 0
        for n in range(rng.randint(0, 4)):
            for label in ("right", "wrong"):  # not categorised: not compared
                lines.append(json.dumps({"annotator": annotator, "trajectory": f"noise_{n}",
                                         "turn": rng.randint(0, 3), "label": label}))
        for (traj, turn) in marks:
            if rng.random() < 0.2:  # marked right first, then wrong with a category
                lines.append(json.dumps({"annotator": annotator, "trajectory": traj,
                                         "turn": turn, "label": "right"}))

    sec = 0
    for (traj, turn), label in marks.items():
        if rng.random() < 0.2:  # an earlier, overridden label
            lines.append(line(traj, turn, rng.choice(labels), sec))
            sec += 1
        lines.append(line(traj, turn, label, sec))
        sec += 1
    for _ in range(rng.randint(0, 3)):  # marks set then cleared
        traj, turn = f"cleared_{rng.randint(0, 99)}", rng.randint(0, 5)
        if (traj, turn) in marks:
            continue
        lines.append(line(traj, turn, rng.choice(labels), sec))
        lines.append(line(traj, turn, None, sec + 1))
        sec += 2
    if rng.random() < 0.5:  # a trajectory verdict: not a turn item
        lines.append(line("traj_0", None, rng.choice(["accept", "reject"]), sec))
    return lines


def specific(labels, final):
    """Per label: uses in pairs of labels on one item, uses matched, and their share."""
    annotators = sorted(final)
    used = {l: 0 for l in labels}
    agreed = {l: 0 for l in labels}
    for a, b in combinations(annotators, 2):
        for item in final[a]:
            if item in final[b]:
                x, y = final[a][item], final[b][item]
                used[x] += 1
                used[y] += 1
                if x == y:
                    agreed[x] += 2
    return {l: {"used": used[l], "agreed": agreed[l],
                "specific_agreement": agreed[l] / used[l] if used[l] else None}
            for l in sorted(labels)}


def expected(labels, final):
    annotators = sorted(final)
    items = sorted({i for m in final.values() for i in m})
    code = {l: n for n, l in enumerate(labels)}
    k = len(labels)
    out = {"labels": labels, "annotators": annotators}
    per = {a: len(final[a]) for a in annotators}
    rated = {i: [a for a in annotators if i in final[a]] for i in items}
    out["counts"] = {
        "items": len(items),
        "annotations": sum(per.values()),
        "items_all_annotators": sum(1 for i in items if len(rated[i]) == len(annotators)),
        "items_pairable": sum(1 for i in items if len(rated[i]) >= 2),
        "per_annotator": per,
    }
    pairs, agree, compared, means = {}, 0, 0, []
    for a, b in combinations(annotators, 2):
        shared = [i for i in items if i in final[a] and i in final[b]]
        y1 = [final[a][i] for i in shared]
        y2 = [final[b][i] for i in shared]
        conf = [[0] * k for _ in range(k)]
        for x, y in zip(y1, y2):
            conf[code[x]][code[y]] += 1
        same = sum(x == y for x, y in zip(y1, y2))
        agree += same
        compared += len(shared)
        if shared:
            means.append(same / len(shared))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kappa = float(cohen_kappa_score(y1, y2, labels=labels))
        else:
            kappa = None
        pairs.setdefault(a, {})[b] = {
            "n": len(shared),
            "percent_agreement": same / len(shared) if shared else None,
            "cohen_kappa": None if kappa is None or math.isnan(kappa) else kappa,
            "confusion": conf,
        }
    out["percent_agreement"] = {
        "pooled": agree / compared if compared else None,
        "mean_pairwise": sum(means) / len(means) if means else None,
    }
    complete = [[code[final[a][i]] for a in annotators] for i in items
                if len(rated[i]) == len(annotators)]
    fk = None
    if len(annotators) >= 2 and complete:
        table, _ = aggregate_raters(np.array(complete), n_cat=k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fk = float(fleiss_kappa(table))
        fk = None if math.isnan(fk) else fk
    out["fleiss_kappa"] = fk
    data = [[code[final[a][i]] if i in final[a] else np.nan for i in items] for a in annotators]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alpha = float(krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                                             value_domain=list(range(k)),
                                             level_of_measurement="nominal"))
        alpha = None if math.isnan(alpha) else alpha
    except ValueError:  # no unit with two values
        alpha = None
    out["krippendorff_alpha_nominal"] = alpha
    out["pairs"] = pairs
    return out


def compare(path, want, got, problems):
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(want) != list(got):
            problems.append(f"{path}: keys {list(got) if isinstance(got, dict) else got!r}"
                            f" != {list(want)}")
            return
        for key in want:
            compare(f"{path}.{key}", want[key], got[key], problems)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            problems.append(f"{path}: {got!r} != {want!r}")
            return
        for n, (w, g) in enumerate(zip(want, got)):
            compare(f"{path}[{n}]", w, g, problems)
    elif isinstance(want, float):
        TALLY["numbers"] += 1
        TALLY["identical"] += got == want
        if not isinstance(got, (int, float)) or isinstance(got, bool) or \
                abs(got - want) > TOL * max(1.0, abs(want)):
            problems.append(f"{path}: trev {got!r}, reference {want!r}")
    elif want != got or type(want) is not type(got):
        problems.append(f"{path}: trev {got!r}, reference {want!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trev", help="path of the trev binary (e.g. target/debug/trev)")
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures, checked = 0, 0
    for case in range(args.cases * 3 // 2):
        categories = case >= args.cases  # the last third: --level category
        labels, final = scenario(rng, case)
        if categories:
            k = len(labels) + rng.randint(0, 1)
            pool = CATEGORIES + ["acme-unknown"]
            names = rng.sample(pool, k)
            rename = dict(zip(["right", "wrong", "unsure", "x"], names))
            labels = names[:len(labels)]
            final = {a: {i: rename[l] for i, l in m.items()} for a, m in final.items()}
        with tempfile.TemporaryDirectory() as tmp:
            for n, (annotator, marks) in enumerate(sorted(final.items())):
                lines = journal_lines(rng, annotator, marks, labels, categories)
                Path(tmp, f"journal{n}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            command = [args.trev, "agree", tmp, "--json"]
            if categories:
                command += ["--level", "category"]
            if case % 3 == 0:
                command += ["--label-set", ",".join(labels)]
            run = subprocess.run(command, capture_output=True, text=True)
            if run.returncode != 0:
                print(f"case {case}: exit {run.returncode}: {run.stderr.strip()}")
                failures += 1
                continue
            got = json.loads(run.stdout)
        first = CATEGORIES if categories else ["right", "wrong"]
        if case % 3 != 0:  # trev's default order: right, wrong (or the default categories),
            # then the others seen, sorted
            seen = {label for marks in final.values() for label in marks.values()}
            labels = first + sorted(seen - set(first))
        want = expected(labels, final)
        if categories:
            want["by_category"] = specific(labels, final)
        problems = []
        compare("", want, got, problems)
        checked += 1
        if problems:
            failures += 1
            print(f"case {case} (seed {args.seed}): {len(problems)} mismatches")
            for p in problems[:10]:
                print(f"  {p}")
    print(f"agree cross-check: {checked} cases compared ({args.cases // 2} at --level category), {failures} failed "
          f"(scikit-learn, statsmodels, krippendorff; tolerance {TOL}); "
          f"{TALLY['identical']} of {TALLY['numbers']} statistics bit-identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
