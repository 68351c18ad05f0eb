#!/usr/bin/env bash
# Issue 5's file-store target, measured the way docs/benchmarks/store.md (round 8) does: the plain FileChannel
# loop and the file store in alternating JMH forks, round after round, each store figure divided by the mean of
# the plain loop's two forks of the same round; per-round ratios and their median per configuration at the end.
#
#   jscluster-bench/scripts/store-ratio.sh [rounds] [configs]
#
# rounds  (default 5) rounds of: plain loop, every store configuration, plain loop; odd rounds run the
#         configurations in the given order, even rounds in reverse (what ran just before a fork matters).
# configs (default "4:120000 0:120000 4:100") writeBehind:syncIntervalMs pairs; 120000 is nats-server's default
#         sync interval (2 min), 100 the benchmark fixture's.
# SIZE (environment, default 128) is the payload size in bytes.
# Needs the shaded jar (mvn -B -ntp -q -pl jscluster-bench -am package -DskipTests); serialises every JMH run
# with flock /tmp/jmh.lock. Results (JMH CSV and text) go to a fresh directory it prints first.
set -euo pipefail
ROUNDS=${1:-5}
CONFIGS=${2:-"4:120000 0:120000 4:100"}
SIZE=${SIZE:-128}
JAR=${JAR:-$(cd "$(dirname "$0")/.." && pwd)/target/jscluster-benchmarks.jar}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/store-ratio.XXXX")
echo "results in $OUT"
P=(-f 1 -wi 2 -i 5 -w 1s -r 2s -prof 'perfnorm:events=task-clock' -rf csv)
run() { flock /tmp/jmh.lock java -jar "$JAR" "$@" > "${@: -1}.txt" 2>&1; }
plain() {
  run 'io.jscluster.bench.store.PlainFileChannelBenchmark.writeRecord' -p size="$SIZE" -p sync=none "${P[@]}" \
      -rff "$OUT/plain$1-$2.csv"
}
store() {
  run 'io.jscluster.bench.store.StoreWriteBenchmark.(storeMessage|storeAtBatch)' -p size="$SIZE" -p store=file \
      -p writeBehind="${1%%:*}" -p syncIntervalMs="${1##*:}" "${P[@]}" -rff "$OUT/store-wb${1%%:*}-si${1##*:}-$2.csv"
}
read -r -a order <<< "$CONFIGS"
for i in $(seq 1 "$ROUNDS"); do
  echo "round $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  plain A "$i"
  if (( i % 2 == 1 )); then list=("${order[@]}"); else list=(); for ((k=${#order[@]}-1; k>=0; k--)); do list+=("${order[k]}"); done; fi
  for c in "${list[@]}"; do store "$c" "$i"; done
  plain B "$i"
done
# One line per round and store figure: config, benchmark, ratio to the round's plain mean, process CPU ns/op.
for i in $(seq 1 "$ROUNDS"); do
  plainMean=$(cat "$OUT"/plain?-"$i".csv | awk -F, '$1 ~ /writeRecord"$/ {s+=$5; n++} END {print s/n}')
  for f in "$OUT"/store-*-"$i".csv; do
    cfg=$(basename "$f" | sed -E "s/^store-(.*)-$i\.csv$/\1/")
    awk -F, -v p="$plainMean" -v c="$cfg" -v r="$i" '
      $1 ~ /task-clock/ {split($1, a, "[.:]"); cpu[a[length(a)-1]] = $5 * 1e6; next}
      $1 ~ /store(Message|AtBatch)"$/ {gsub(/"/, "", $1); n = split($1, a, "."); score[a[n]] = $5}
      END {for (b in score) printf "%s %s round %s %.1f%% %.0f ns/op\n", c, b, r, 100 * score[b] / p, cpu[b]}' "$f"
  done
done | sort | tee "$OUT/ratios.txt"
echo "median ratio per configuration:"
awk '{k = $1 " " $2; v[k] = v[k] " " $5} END {for (k in v) print k, v[k]}' "$OUT/ratios.txt" | while read -r c b vals; do
  printf '%s %s: median %s (rounds:%s)\n' "$c" "$b" "$(tr ' ' '\n' <<< "$vals" | tr -d % | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) "%"}')" "$vals"
done
