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
backend="${1:-sqlite}"; posts="${2:-10000}"; secs="${3:-10}"
command -v wrk >/dev/null || { echo "bench/load.sh: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/quire
out="bench/out/$(date +%Y%m%d-%H%M%S)-$backend"; mkdir -p "$out"
port=18300
case "$backend" in
  sqlite) url="sqlite://$PWD/$out/bench.db" ;;
  postgres)
    admin="${QUIRE_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}"
    psql "$admin" -qc "DROP DATABASE IF EXISTS quire_bench" -qc "CREATE DATABASE quire_bench"
    url="${admin%/*}/quire_bench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export DATABASE_URL="$url" QUIRE_ADMIN_PASSWORD=bench-admin-password QUIRE_DEMO_PASSWORD=bench-demo-password
export QUIRE_BCRYPT_COST=12 RUST_LOG=warn
/usr/bin/time -f "seed: %e s" "$bin" seed --demo --users 1000 --posts "$posts" >/dev/null
"$bin" serve --bind "127.0.0.1:$port" & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
token() { curl -sf -X POST "$base/api/auth/token" -d "username=$1&password=bench-demo-password&scope=$2" \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'; }
reader=$(token user0007 "posts:read")
writer=$(token alice "posts:read posts:create")
deep=$(curl -sf -H "Authorization: Bearer $reader" "$base/api/posts?limit=100" | python3 -c 'import sys,json; print(json.load(sys.stdin)["next_cursor"])')
for _ in $(seq 1 20); do   # walk 20 pages of 100 deep
  deep=$(curl -sf -H "Authorization: Bearer $reader" "$base/api/posts?limit=100&cursor=$deep" | python3 -c 'import sys,json; print(json.load(sys.stdin)["next_cursor"])')
done
cat > "$out/post.lua" <<'LUA'
-- Keep the -H headers (the bearer token): add to wrk.headers, pass nil to wrk.format.
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  local body = '{"title":"bench ' .. counter .. '-' .. math.random(1, 1e9) .. '","body":"load"}'
  return wrk.format("POST", "/api/posts", nil, body)
end
LUA
cat > "$out/token.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "username=user0042&password=bench-demo-password&scope=posts:read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
run() { # name, extra wrk args...
  local name=$1; shift
  wrk -t2 -c64 -d"${secs}s" --latency "$@" > "$out/$name.txt"
  printf '| %s | %s | %s | %s | %s |\n' "$name" \
    "$(awk '/Requests\/sec/ {print $2}' "$out/$name.txt")" \
    "$(awk '$1=="50%" {print $2}' "$out/$name.txt")" "$(awk '$1=="99%" {print $2}' "$out/$name.txt")" \
    "$(awk '/Non-2xx/ {print $5}' "$out/$name.txt" | grep . || echo 0)"
}
echo "| request ($backend, $posts posts, ${secs}s, wrk -t2 -c64) | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
run get_post -H "Authorization: Bearer $reader" "$base/api/posts/2"
run list_first -H "Authorization: Bearer $reader" "$base/api/posts?limit=20"
run list_deep -H "Authorization: Bearer $reader" "$base/api/posts?limit=20&cursor=$deep"
run create_post -H "Authorization: Bearer $writer" -s "$out/post.lua" "$base"
run token -s "$out/token.lua" "$base/api/auth/token"
echo "peak RSS of the server: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
