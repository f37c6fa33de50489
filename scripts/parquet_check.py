#!/usr/bin/env python3
"""Parquet for trev, read and written by pyarrow (an independent reader of the format).

  parquet_check.py make SRC.json[l] OUT.parquet [--rows-per-group N]
      write the records of a JSON Lines file or a JSON array as a Parquet file, a column per
      top-level key (pyarrow infers the types: `conversations` and `messages` become lists of
      structs), N rows per row group (default 10 000), snappy-compressed.

  parquet_check.py check TREV_BIN FILE_OR_DIR.parquet…
      read every row with pyarrow and count, per file, the rows and the turns of each one's
      `conversations`/`messages`/`trajectory`/`traj` list by the source's role (`from`, else
      `role`): agent (`gpt`, `assistant`, `ai`, `agent`, `function_call`), system, and the
      rest (the instruction and the environment). Then run `TREV_BIN stats --json` on the
      same paths and compare its totals per file: trajectories, turns, agent and system turns,
      instruction + environment turns. Exits 1 on a difference, naming it.

Needs `pip install pyarrow`. Run by hand (the Rust tests generate their own Parquet files with
the parquet crate and check them against the rows they wrote).
"""

import json
import pathlib
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

AGENT = {"gpt", "assistant", "ai", "agent", "function_call"}
TURNS = ("messages", "conversations", "trajectory", "traj")


def records(path):
    text = pathlib.Path(path).read_text()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def make(src, out, rows_per_group):
    table = pa.Table.from_pylist(records(src))
    pq.write_table(table, out, row_group_size=rows_per_group, compression="snappy")
    meta = pq.ParquetFile(out).metadata
    print(f"{out}: {meta.num_rows} rows in {meta.num_row_groups} row groups")


def count(path):
    got = {"trajectories": 0, "turns": 0, "agent": 0, "system": 0, "other": 0}
    pf = pq.ParquetFile(path)
    for group in range(pf.num_row_groups):
        for row in pf.read_row_group(group).to_pylist():
            got["trajectories"] += 1
            turns = next((row[c] for c in TURNS if isinstance(row.get(c), list)), [])
            for turn in turns:
                got["turns"] += 1
                role = turn.get("from") or turn.get("role") or ""
                if role in AGENT:
                    got["agent"] += 1
                elif role == "system":
                    got["system"] += 1
                else:
                    got["other"] += 1
    return got


def check(trev, paths):
    files = []
    for p in map(pathlib.Path, paths):
        files += sorted(p.rglob("*.parquet")) if p.is_dir() else [p]
    out = subprocess.run(
        [trev, "stats", "--json", *map(str, files)], capture_output=True, text=True
    )
    totals = {}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        if row.get("task") == "*":
            t = row["turns"]
            totals[row["file"]] = {
                "trajectories": row["trajectories"],
                "turns": sum(t.values()),
                "agent": t["agent"],
                "system": t["system"],
                "other": t["instruction"] + t["environment"],
            }
    bad = 0
    for f in files:
        want, got = count(f), totals.get(str(f))
        status = "ok" if want == got else "DIFFERS"
        bad += want != got
        print(f"{f}: pyarrow {want}; trev {got}: {status}")
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "make":
        n = int(argv[argv.index("--rows-per-group") + 1]) if "--rows-per-group" in argv else 10_000
        make(argv[1], argv[2], n)
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
