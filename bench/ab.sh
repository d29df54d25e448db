#!/usr/bin/env bash
# A/B of two Quire builds in one run: the authorized single read and the first list page,
# rounds interleaved (A, B, A, B, …) because this kind of machine drifts from one minute to
# the next. Each build serves its own freshly seeded database (1,000 users, 10,000 posts)
# on BACKEND; the reader is user0007 (role `user`, scope posts:read). Prints every round and
# the medians with B/A.
#
#   bench/ab.sh BIN_A BIN_B [sqlite|postgres] [SECONDS] [ROUNDS]   (default sqlite 10 s, 5)
#
# A build may also be given as `BIN:VAR=value,VAR=value` to run it with extra environment
# (an A/B of a runtime setting with one binary).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 2 ] || { echo "usage: bench/ab.sh BIN_A BIN_B [sqlite|postgres] [SECONDS] [ROUNDS]" >&2; exit 2; }
A=$1; B=$2; backend="${3:-sqlite}"; SECS="${4:-10}"; ROUNDS="${5:-5}"
need wrk wrk
OUT="bench/out/ab-$(date +%Y%m%d-%H%M%S)-$backend"; mkdir -p "$OUT"

declare -A URL
for side in A B; do
  spec=${!side}; bin=${spec%%:*}
  QUIRE_BIN=$bin seeded_db "$backend" "quire_ab_${side,,}" 10000
  URL[$side]=$DATABASE_URL
done

run_side() { # SIDE ROUND
  local side=$1 round=$2 spec bin envs base=http://127.0.0.1:18504 token
  spec=${!side}; bin=${spec%%:*}; envs=""
  [[ "$spec" == *:* ]] && envs=${spec#*:}
  export DATABASE_URL=${URL[$side]}
  # shellcheck disable=SC2086
  start_server "$base/healthz" -- env ${envs//,/ } "$bin" serve --bind 127.0.0.1:18504
  token=$(quire_token "$base" user0007 posts:read)
  wrk_row "$side.get.r$round" 64 -H "Authorization: Bearer $token" "$base/api/posts/2"
  printf '%s\tget\t%s\n' "$side" "$ROW_RPS" >> "$OUT/rps.tsv"
  wrk_row "$side.list.r$round" 64 -H "Authorization: Bearer $token" "$base/api/posts?limit=20"
  printf '%s\tlist\t%s\n' "$side" "$ROW_RPS" >> "$OUT/rps.tsv"
  printf '%s\t%s\n' "$side" "$(peak_rss_kb "$SERVER_PID")" >> "$OUT/rss.tsv"
  stop_server
}

echo "A = $A"; echo "B = $B"; echo "backend $backend, wrk -t2 -c64, ${SECS}s per row, $ROUNDS rounds"
echo "| row | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then run_side A "$round"; run_side B "$round"
  else run_side B "$round"; run_side A "$round"; fi
done

python3 - "$OUT" <<'PY'
import statistics, sys
out = sys.argv[1]
rps = {}
for line in open(f"{out}/rps.tsv"):
    side, row, value = line.split("\t")
    rps.setdefault((side, row), []).append(float(value))
rss = {}
for line in open(f"{out}/rss.tsv"):
    side, kb = line.split("\t")
    rss[side] = max(rss.get(side, 0), int(kb))
print()
print("| row | A median req/s | B median req/s | B / A |")
print("| --- | --- | --- | --- |")
for row in ("get", "list"):
    a, b = statistics.median(rps[("A", row)]), statistics.median(rps[("B", row)])
    print(f"| {row} | {a:,.0f} | {b:,.0f} | {b / a:.3f} |")
print(f"| peak RSS (VmHWM) | {rss['A'] / 1024:.1f} MiB | {rss['B'] / 1024:.1f} MiB | |")
print(f"\nraw wrk output: {out}")
PY
