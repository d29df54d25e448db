#!/usr/bin/env bash
# CPU instructions per request, counted by callgrind: a figure that does not move with the
# machine's load, unlike requests/s on a shared VM. Used to measure each change to the hot
# path (docs/performance.md, "Where a Quire read goes").
#
#   bench/instructions.sh [sqlite|postgres] [REQUESTS]       (default sqlite, 2000)
#
# Seeds 1,000 users and 10,000 posts, starts the release server under callgrind with
# instrumentation off, warms it up with wrk, then counts only while one client sends
# REQUESTS sequential requests (keep-alive) of each kind as user0007 (role `user`, scope
# posts:read): with a JWT, and the single read with a personal access token of that scope;
# then, anonymous, the pages `/p/{slug}` and `/` and a 304 revalidation of `/p/{slug}`.
# Prints instructions per request, user space only (the kernel's share is not counted). Under valgrind SHA-256 runs without the CPU's SHA instructions, so token
# hashing weighs more here than on the real CPU. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
backend="${1:-sqlite}"; N="${2:-2000}"
need valgrind valgrind; need callgrind_control valgrind; need wrk wrk
begin_run instructions "$backend"
seeded_db "$backend" quire_instructions 10000

base=http://127.0.0.1:18506
# A token from a normal run first: bcrypt under valgrind takes minutes.
start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18506
token=$(quire_token "$base" user0007 posts:read)
pat=$(curl -sf -X POST "$base/api/tokens" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench","scopes":["posts:read"],"expires_in_days":1}' \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
stop_server

export QUIRE_WORKERS=2
start_server "$base/healthz" -- valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$PWD/$OUT/callgrind.out" "$QUIRE_BIN" serve --bind 127.0.0.1:18506
echo "| request ($backend, $N sequential requests each) | instructions/request |"
echo "| --- | --- |"
# The anonymous pages of SPEC §10 too, and a revalidation of the post page by its ETag.
slug=$(curl -sf -H "Authorization: Bearer $token" "$base/api/posts/2" \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["slug"])')
etag=$(curl -sfI "$base/p/$slug" | awk 'tolower($1)=="etag:" {sub(/\r$/, ""); print $2}')
for req in "get_post|/api/posts/2|Authorization: Bearer $token" \
  "list_first|/api/posts?limit=20|Authorization: Bearer $token" \
  "get_post_pat|/api/posts/2|Authorization: Bearer $pat" \
  "page_post|/p/$slug|" "page_home|/|" "page_post_304|/p/$slug|If-None-Match: $etag"; do
  IFS='|' read -r name path header <<<"$req"
  wrk -t1 -c8 -d3s ${header:+-H "$header"} "$base$path" >/dev/null
  callgrind_control --zero "$SERVER_PID" >/dev/null 2>&1
  callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
  python3 - "$header" "$path" "$N" <<'PY'
import http.client, sys
header, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
headers = dict([header.split(": ", 1)]) if header else {}
conn = http.client.HTTPConnection("127.0.0.1", 18506)
for _ in range(n):
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse(); resp.read()
    if resp.status not in (200, 304):
        sys.exit(f"{path}: HTTP {resp.status}")
PY
  callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
  rm -f "$OUT"/callgrind.out*
  callgrind_control --dump="$name" "$SERVER_PID" >/dev/null 2>&1
  sleep 1
  total=0
  for f in "$OUT"/callgrind.out*; do
    t=$(awk '/^totals:/ {print $2; exit}' "$f"); total=$((total + ${t:-0}))
  done
  mkdir -p "$OUT/$name"; mv "$OUT"/callgrind.out* "$OUT/$name/"
  echo "| \`GET $path\` | $((total / N)) |"
done
stop_server
echo
echo "profiles: callgrind_annotate --inclusive=yes $OUT/<request>/callgrind.out.<n>"
