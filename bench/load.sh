#!/usr/bin/env bash
# Load Quire (release build) from a second process on 127.0.0.1 with wrk, bounded in time.
#
#   bench/load.sh [sqlite|postgres] [POSTS] [SECONDS]
#
# Seeds a fresh database (1,000 users, POSTS posts, default 10000; batched inserts), starts
# `quire serve` in release mode, and reports requests/s, p50 and p99 for:
#   GET /api/posts/{id} (authorized), GET /api/posts?limit=20 (first page and a deep cursor
#   page), POST /api/posts, POST /api/auth/token (bcrypt cost 12).
# Needs wrk (Debian package `wrk`) and, for postgres, the server at $QUIRE_BENCH_PG
# (default postgres://postgres@127.0.0.1:5432/test; a database quire_bench is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
backend="${1:-sqlite}"; posts="${2:-10000}"; SECS="${3:-10}"
need wrk wrk
# The deep page is 20 pages of 100 in, counted in posts the reader sees (about half).
[ "$posts" -ge 5000 ] 2>/dev/null || { echo "bench/load.sh: POSTS must be a number, at least 5000" >&2; exit 2; }
begin_run load "$backend"
seeded_db "$backend" quire_bench "$posts"
echo "seed: $(cat "$OUT/seed-$posts.s") s" >&2
base=http://127.0.0.1:18300
start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18300
reader=$(quire_token "$base" user0007 "posts:read")
writer=$(quire_token "$base" alice "posts:read posts:create")
next_cursor() { curl -sf -H "Authorization: Bearer $reader" "$base/api/posts?limit=100${1:+&cursor=$1}" \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["next_cursor"])'; }
deep=$(next_cursor "")
for _ in $(seq 1 20); do deep=$(next_cursor "$deep"); done   # 20 pages of 100 deep
cat > "$OUT/post.lua" <<'LUA'
-- Keep the -H headers (the bearer token): add to wrk.headers, pass nil to wrk.format.
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  local body = '{"title":"bench ' .. counter .. '-' .. math.random(1, 1e9) .. '","body":"load"}'
  return wrk.format("POST", "/api/posts", nil, body)
end
LUA
cat > "$OUT/token.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "username=user0042&password=bench-demo-password&scope=posts:read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
echo "| request ($backend, $posts posts, ${SECS}s, wrk -t2 -c64) | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
wrk_row get_post 64 -H "Authorization: Bearer $reader" "$base/api/posts/2"
wrk_row list_first 64 -H "Authorization: Bearer $reader" "$base/api/posts?limit=20"
wrk_row list_deep 64 -H "Authorization: Bearer $reader" "$base/api/posts?limit=20&cursor=$deep"
wrk_row create_post 64 -H "Authorization: Bearer $writer" -s "$OUT/post.lua" "$base"
wrk_row token 64 -s "$OUT/token.lua" "$base/api/auth/token"
echo "peak RSS of the server: $(( $(peak_rss_kb "$SERVER_PID") / 1024 )) MiB; raw output: $OUT"
