#!/usr/bin/env bash
# Side by side, in one run, on the same data shape (1,000 users, 10,000 posts, even ids
# published; the reader is user0007 with role `user`, token scope posts:read):
#   - the FastAPI reference (../shared/reference/fastapi_seed) with 1 and 2 uvicorn workers,
#   - the bare actix-web ceiling (../shared/reference/actix_limit), without and with HS256,
#   - Quire on SQLite and on PostgreSQL.
# Each server runs alone while wrk (2 threads, 64 connections, SECONDS each) loads it from a
# second process on 127.0.0.1; then it is stopped and its peak RSS recorded.
#
#   bench/compare.sh [SECONDS]            (default 10)
#
# QUIRE_REFERENCE_DIR overrides the reference directory (default ../shared/reference, from
# the project root; it is only read). The reference's venv, its seeded blog.db (1,000 bcrypt
# cost-12 hashes: about 5 minutes) and the actix_limit build are cached in bench/out/ref.
# Needs wrk and python3 (with venv); PostgreSQL at $QUIRE_BENCH_PG as in bench/load.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SECS="${1:-10}"
need wrk wrk
REF=$(cd "${QUIRE_REFERENCE_DIR:-../shared/reference}" && pwd)
CACHE="$PWD/bench/out/ref"
mkdir -p "$CACHE"
begin_run compare

# --- the references, built and seeded once ---------------------------------------------
if [ ! -x "$CACHE/venv/bin/uvicorn" ]; then
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q -r "$REF/fastapi_seed/requirements.txt"
fi
if [ ! -f "$CACHE/blog.db" ]; then
  echo "seeding the FastAPI reference (bcrypt cost 12 for 1,000 users; minutes)" >&2
  rm -f "$CACHE/blog.tmp.db"
  (cd "$REF/fastapi_seed" && PYTHONDONTWRITEBYTECODE=1 DATABASE_URL="sqlite:///$CACHE/blog.tmp.db" \
    "$CACHE/venv/bin/python" seed.py >&2)
  mv "$CACHE/blog.tmp.db" "$CACHE/blog.db"
fi
CARGO_TARGET_DIR="$CACHE/actix_limit-target" cargo build --release --quiet \
  --manifest-path "$REF/actix_limit/Cargo.toml"

declare -A RPS RSS
record() { RPS[$1]=$ROW_RPS; }

echo "| server / request (wrk -t2 -c64, ${SECS}s) | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"

# --- FastAPI reference, 1 and 2 workers --------------------------------------------------
for workers in 1 2; do
  base=http://127.0.0.1:18501
  start_server "$base/docs" -- env PYTHONDONTWRITEBYTECODE=1 DATABASE_URL="sqlite:///$CACHE/blog.db" \
    DB_POOL_SIZE=64 DB_MAX_OVERFLOW=0 "$CACHE/venv/bin/uvicorn" app.main:app --app-dir "$REF/fastapi_seed" \
    --host 127.0.0.1 --port 18501 --workers "$workers" --loop uvloop --http httptools \
    --no-access-log --log-level warning
  ref_token=$(curl -sf -X POST "$base/token" -d 'username=user0007&password=pw-user0007&scope=posts:read' \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
  curl -sf -o /dev/null -H "Authorization: Bearer $ref_token" "$base/posts/2"
  wrk_row "fastapi_w${workers}_get_post" 64 -H "Authorization: Bearer $ref_token" "$base/posts/2"
  record "fastapi_w${workers}_get_post"
  wrk_row "fastapi_w${workers}_list_first" 64 -H "Authorization: Bearer $ref_token" "$base/posts?limit=20"
  record "fastapi_w${workers}_list_first"
  RSS[fastapi_w$workers]=$(peak_rss_kb "$SERVER_PID")
  stop_server
done

# --- actix_limit: the ceiling, without and with JWT verification -------------------------
base=http://127.0.0.1:18502
start_server "$base/posts/1" -- env BIND=127.0.0.1:18502 JWT_SECRET=bench-secret-change-me-0123456789abcdef \
  "$CACHE/actix_limit-target/release/actix_limit"
wrk_row ceiling_plain 64 "$base/posts/2"; record ceiling_plain
wrk_row ceiling_jwt 64 -H "Authorization: Bearer $ref_token" "$base/jwt/posts/2"; record ceiling_jwt
RSS[ceiling]=$(peak_rss_kb "$SERVER_PID")
stop_server

# --- Quire on both backends --------------------------------------------------------------
for backend in sqlite postgres; do
  seeded_db "$backend" quire_compare 10000
  base=http://127.0.0.1:18503
  start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18503
  token=$(quire_token "$base" user0007 posts:read)
  wrk_row "quire_${backend}_get_post" 64 -H "Authorization: Bearer $token" "$base/api/posts/2"
  record "quire_${backend}_get_post"
  wrk_row "quire_${backend}_list_first" 64 -H "Authorization: Bearer $token" "$base/api/posts?limit=20"
  record "quire_${backend}_list_first"
  RSS[quire_$backend]=$(peak_rss_kb "$SERVER_PID")
  stop_server
done

echo
echo "| server | peak RSS (VmHWM, summed over worker processes) |"
echo "| --- | --- |"
for k in fastapi_w1 fastapi_w2 ceiling quire_sqlite quire_postgres; do
  echo "| $k | $(python3 -c "print(f'{${RSS[$k]}/1024:.1f} MiB')") |"
done

best() { python3 -c "import sys; print(max(float(x) for x in sys.argv[1:]))" "$@"; }
ref_get=$(best "${RPS[fastapi_w1_get_post]}" "${RPS[fastapi_w2_get_post]}")
ref_list=$(best "${RPS[fastapi_w1_list_first]}" "${RPS[fastapi_w2_list_first]}")
echo
echo "| ratio (same run) | SQLite | PostgreSQL | target |"
echo "| --- | --- | --- | --- |"
echo "| single read / best reference | $(ratio "${RPS[quire_sqlite_get_post]}" "$ref_get")× | $(ratio "${RPS[quire_postgres_get_post]}" "$ref_get")× | ≥ 50× |"
echo "| single read / JWT ceiling | $(python3 -c "print(f'{100*${RPS[quire_sqlite_get_post]}/${RPS[ceiling_jwt]}:.0f} %')") | $(python3 -c "print(f'{100*${RPS[quire_postgres_get_post]}/${RPS[ceiling_jwt]}:.0f} %')") | ≥ 60 % |"
echo "| list first page / best reference | $(ratio "${RPS[quire_sqlite_list_first]}" "$ref_list")× | $(ratio "${RPS[quire_postgres_list_first]}" "$ref_list")× | ≥ 30× |"
echo
echo "raw wrk output: $OUT"
