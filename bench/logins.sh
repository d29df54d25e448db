#!/usr/bin/env bash
# Reads during a login storm: the p99 of authorized single-post reads alone, then the same
# reads while a second wrk hammers POST /api/auth/token (bcrypt cost 12, valid passwords of
# 1,000 different users). bcrypt (the `bcrypt` crate) runs on Quire's own password
# threads, at most half the cores, at a lower priority, so reads keep the rest.
#
#   bench/logins.sh [sqlite|postgres] [SECONDS]      (default sqlite, 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
backend="${1:-sqlite}"; SECS="${2:-10}"
need wrk wrk
begin_run logins "$backend"
seeded_db "$backend" quire_logins 10000
base=http://127.0.0.1:18504
start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18504
token=$(quire_token "$base" user0007 posts:read)
cat > "$OUT/storm.lua" <<'LUA'
-- Valid logins, cycling through the demo users (no failures, so no throttling).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
n = 0
request = function()
  n = n + 1
  local user = string.format("user%04d", 10 + n % 990)
  return wrk.format(nil, nil, nil, "username=" .. user .. "&password=bench-demo-password&scope=posts:read")
end
LUA
echo "| reads of GET /api/posts/2 ($backend, wrk -t2 -c32, ${SECS}s) | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
wrk_row reads_alone 32 -H "Authorization: Bearer $token" "$base/api/posts/2"
alone_p99=$(awk '$1=="99%" {print $2}' "$OUT/reads_alone.txt")
wrk -t1 -c16 -d"$((SECS + 2))s" --latency -s "$OUT/storm.lua" "$base/api/auth/token" > "$OUT/storm.txt" & storm=$!
sleep 1
wrk_row reads_during_storm 32 -H "Authorization: Bearer $token" "$base/api/posts/2"
wait "$storm"
storm_p99=$(awk '$1=="99%" {print $2}' "$OUT/reads_during_storm.txt")
printf '| (the storm: POST /api/auth/token, wrk -t1 -c16) | %s | %s | %s | %s |\n' \
  "$(awk '/Requests\/sec/ {print $2}' "$OUT/storm.txt")" "$(awk '$1=="50%" {print $2}' "$OUT/storm.txt")" \
  "$(awk '$1=="99%" {print $2}' "$OUT/storm.txt")" "$(awk '/Non-2xx/ {print $5}' "$OUT/storm.txt" | grep . || echo 0)"
to_ms() { python3 -c "import sys,re; v,u=re.match(r'([\d.]+)(\w+)',sys.argv[1]).groups(); print(float(v)*{'us':0.001,'ms':1,'s':1000}[u])" "$1"; }
echo
echo "read p99 during the storm / alone: $(ratio "$(to_ms "$storm_p99")" "$(to_ms "$alone_p99")")× (target ≤ 2×)"
echo "peak RSS: $(( $(peak_rss_kb "$SERVER_PID") / 1024 )) MiB; raw output: $OUT"
# Before bcrypt paused, the kernel's autogroup decided whether PostgreSQL's backends on the
# same host kept up (docs/performance.md, "Logins during reads"); the setting is recorded.
echo "kernel.sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo unknown)"
