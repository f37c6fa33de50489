#!/usr/bin/env bash
# trev's benchmark: generates its data (deterministic), builds in release mode, and reports
# index throughput, time to the first trajectory, stats throughput and peak memory.
# Usage: scripts/bench.sh [DATA_DIR] [JSONL_MB] [ARRAY_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench-data}
python3 scripts/make_bench_data.py "$data" "${2:-1000}" "${3:-200}"
cargo build --release --quiet
jsonl="$data/agentinstruct_1g.jsonl"
array="$data/agentinstruct_200m.json"
# Warm the page cache, as the reference figures were taken warm.
cat "$jsonl" "$array" > /dev/null

echo "== index (background indexer) and first trajectory"
cargo bench --quiet --bench load -- "$jsonl" "$array"

echo "== wc -l (the floor)"
/usr/bin/time -f "wc -l: %e s, peak RSS %M KB" wc -l "$jsonl" > /dev/null

for f in "$jsonl" "$array"; do
  size=$(stat -c %s "$f")
  echo "== trev stats --json $(basename "$f")"
  /usr/bin/time -f "%e %M" -o /tmp/trev-bench-time target/release/trev stats --json "$f" > /dev/null
  read -r secs rss < /tmp/trev-bench-time
  awk -v s="$secs" -v b="$size" -v r="$rss" \
    'BEGIN { printf "stats: %.2f s = %.0f MB/s, peak RSS %.0f MB\n", s, b / 1e6 / s, r / 1024 }'
done

if target/release/trev check --help > /dev/null 2>&1; then
  for f in "$jsonl"; do
    size=$(stat -c %s "$f")
    echo "== trev check --json $(basename "$f") (every built-in rule)"
    /usr/bin/time -f "%e %M" -o /tmp/trev-bench-time target/release/trev check --json --fail-on never "$f" > /dev/null
    read -r secs rss < /tmp/trev-bench-time
    awk -v s="$secs" -v b="$size" -v r="$rss" \
      'BEGIN { printf "check: %.2f s = %.0f MB/s, peak RSS %.0f MB\n", s, b / 1e6 / s, r / 1024 }'
  done
fi

echo "== parse and rules on one core, records in memory (the first 100 MB of the JSONL)"
cargo bench --quiet --bench rules -- "$jsonl" 100

if command -v tmux > /dev/null; then
  echo "== time to the first review screen (tmux, polled every 2 ms)"
  tmux kill-session -t trev-bench 2> /dev/null || true
  start=$(date +%s%N)
  tmux new-session -d -s trev-bench -x 160 -y 48 "target/release/trev $jsonl"
  # The first trajectory is on screen when its header (`turns N (…`) is.
  while ! tmux capture-pane -p -t trev-bench 2> /dev/null | grep -qE "turns [0-9]+ \("; do
    sleep 0.002
    if (( ($(date +%s%N) - start) > 10000000000 )); then echo "no screen after 10 s"; break; fi
  done
  end=$(date +%s%N)
  pid=$(tmux list-panes -t trev-bench -F '#{pane_pid}')
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
  echo "first screen after $(( (end - start) / 1000000 )) ms (includes starting tmux); peak RSS so far $(( rss / 1024 )) MB"
  sleep 2
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
  echo "peak RSS once the 1 GB file is indexed: $(( rss / 1024 )) MB"
  tmux send-keys -t trev-bench q
  sleep 0.2
  tmux kill-session -t trev-bench 2> /dev/null || true
  echo "== frame times (key + draw, release)"
  cargo run --release --quiet --example frame_time
fi
