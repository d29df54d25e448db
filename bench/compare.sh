#!/usr/bin/env bash
# Side by side, in one run, on the same data shape (1,000 users, 10,000 posts, even ids
# published; the reader is user0007 with role `user`, token scope posts:read):
#   - the FastAPI reference (../shared/reference/fastapi_seed) with 1 and 2 uvicorn workers,
#   - the bare actix-web ceiling (../shared/reference/actix_limit), without and with HS256,
#   - its PostgreSQL twin (../shared/reference/actix_pg_limit: HS256 plus one prepared
#     primary-key query through tokio-postgres, the least an authorized PostgreSQL read does),
#   - Quire on SQLite and on PostgreSQL: the JSON single read with a JWT and with a personal
#     access token, the first list page, and on SQLite the anonymous HTML pages `/p/{slug}`
#     and `/` and a 304 revalidation of `/p/{slug}` by its ETag (SPEC §10); on PostgreSQL
#     without TLS, like actix_pg_limit, and the single read once more with libpq's default
#     (TLS when the server offers it).
# Each server runs alone while wrk (2 threads, 64 connections, SECONDS each) loads it from a
# second process on 127.0.0.1; then it is stopped and its peak RSS recorded. The whole
# sequence runs ROUNDS times, interleaved, because this kind of machine drifts by a third
# from one minute to the next: each round's ratios are printed, then the median of every
# figure over the rounds and the ratios of those medians.
#
#   bench/compare.sh [SECONDS] [ROUNDS]   (default 10 s, 3 rounds)
#
# QUIRE_REFERENCE_DIR overrides the reference directory (default ../shared/reference, from
# the project root; it is only read). The reference's venv, its seeded blog.db (1,000 bcrypt
# cost-12 hashes: about 5 minutes) and the actix_limit build are cached in bench/out/ref.
# Needs wrk and python3 (with venv); PostgreSQL at $QUIRE_BENCH_PG as in bench/load.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SECS="${1:-10}"; ROUNDS="${2:-3}"
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "bench/compare.sh: ROUNDS must be a number, at least 1" >&2; exit 2; }
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
CARGO_TARGET_DIR="$CACHE/actix_pg_limit-target" cargo build --release --quiet \
  --manifest-path "$REF/actix_pg_limit/Cargo.toml"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS quire_compare_limit" -qc "CREATE DATABASE quire_compare_limit"
PG_LIMIT_URL="${PG_ADMIN_URL%/*}/quire_compare_limit"

# Every row's req/s goes to $OUT/rps.tsv (row, round, req/s); peak RSS to $OUT/rss.tsv.
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$ROW_RPS" >> "$OUT/rps.tsv"; }
record_rss() { printf '%s\t%s\n' "$1" "$(peak_rss_kb "$SERVER_PID")" >> "$OUT/rss.tsv"; }
# row NAME ROUND [wrk args...]: one wrk run, printed and recorded.
row() { local name=$1 round=$2; shift 2; wrk_row "$name.r$round" 64 "$@"; record "$name" "$round"; }

fastapi() { # WORKERS ROUND
  local workers=$1 round=$2 base=http://127.0.0.1:18501 ref_token
  start_server "$base/docs" -- env PYTHONDONTWRITEBYTECODE=1 DATABASE_URL="sqlite:///$CACHE/blog.db" \
    DB_POOL_SIZE=64 DB_MAX_OVERFLOW=0 "$CACHE/venv/bin/uvicorn" app.main:app --app-dir "$REF/fastapi_seed" \
    --host 127.0.0.1 --port 18501 --workers "$workers" --loop uvloop --http httptools \
    --no-access-log --log-level warning
  ref_token=$(curl -sf -X POST "$base/token" -d 'username=user0007&password=pw-user0007&scope=posts:read' \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
  curl -sf -o /dev/null -H "Authorization: Bearer $ref_token" "$base/posts/2"
  row "fastapi_w${workers}_get_post" "$round" -H "Authorization: Bearer $ref_token" "$base/posts/2"
  row "fastapi_w${workers}_list_first" "$round" -H "Authorization: Bearer $ref_token" "$base/posts?limit=20"
  record_rss "fastapi_w$workers"
  REF_TOKEN=$ref_token
  stop_server
}

ceiling() { # ROUND (needs REF_TOKEN: the reference's tokens carry the same HS256 secret)
  local round=$1 base=http://127.0.0.1:18502
  start_server "$base/posts/1" -- env BIND=127.0.0.1:18502 JWT_SECRET=bench-secret-change-me-0123456789abcdef \
    "$CACHE/actix_limit-target/release/actix_limit"
  row ceiling_plain "$round" "$base/posts/2"
  row ceiling_jwt "$round" -H "Authorization: Bearer $REF_TOKEN" "$base/jwt/posts/2"
  record_rss ceiling
  stop_server
}

pg_ceiling() { # ROUND (needs REF_TOKEN, as ceiling)
  local round=$1 base=http://127.0.0.1:18505
  # Its only route needs the token, so start_server's probe is written out here.
  env PG_URL="$PG_LIMIT_URL" BIND=127.0.0.1:18505 JWT_SECRET=bench-secret-change-me-0123456789abcdef \
    "$CACHE/actix_pg_limit-target/release/actix_pg_limit" > "$OUT/server-pg-limit-$round.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null -H "Authorization: Bearer $REF_TOKEN" "$base/jwt/posts/1" && break
    sleep 0.1
  done
  row ceiling_pg_jwt "$round" -H "Authorization: Bearer $REF_TOKEN" "$base/jwt/posts/2"
  record_rss ceiling_pg
  stop_server
}

quire() { # BACKEND ROUND
  local backend=$1 round=$2 base=http://127.0.0.1:18503 token
  export DATABASE_URL=${QUIRE_URL[$backend]}
  start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18503
  token=$(quire_token "$base" user0007 posts:read)
  # A personal access token of the same scope (SPEC §11), made before any row: its write
  # leaves frames in SQLite's WAL, which every later read then consults, so the JWT and
  # the PAT rows both run on a database in that (ordinary, written-to) state.
  pat=$(curl -sf -X POST "$base/api/tokens" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"bench","scopes":["posts:read"],"expires_in_days":1}' \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  row "quire_${backend}_get_post" "$round" -H "Authorization: Bearer $token" "$base/api/posts/2"
  if [ "$backend" = postgres_tls ]; then record_rss "quire_$backend"; stop_server; return; fi
  row "quire_${backend}_list_first" "$round" -H "Authorization: Bearer $token" "$base/api/posts?limit=20"
  row "quire_${backend}_get_post_pat" "$round" -H "Authorization: Bearer $pat" "$base/api/posts/2"
  if [ "$backend" = sqlite ]; then
    # The anonymous HTML pages (SPEC §10) and a revalidation of one by its ETag.
    slug=$(curl -sf -H "Authorization: Bearer $token" "$base/api/posts/2" \
      | python3 -c 'import sys,json; print(json.load(sys.stdin)["slug"])')
    etag=$(curl -sfI "$base/p/$slug" | awk 'tolower($1)=="etag:" {sub(/\r$/, ""); print $2}')
    row "quire_${backend}_page_post" "$round" "$base/p/$slug"
    row "quire_${backend}_page_home" "$round" "$base/"
    row "quire_${backend}_page_post_304" "$round" -H "If-None-Match: $etag" "$base/p/$slug"
  fi
  record_rss "quire_$backend"
  stop_server
}

# Quire's two databases, seeded once; every round only reads them. On PostgreSQL Quire
# connects as actix_pg_limit does, without TLS (its tokio-postgres pool uses NoTls), so the
# two differ in code only; libpq's default (`sslmode=prefer`) would encrypt every round trip
# to a server that offers TLS, as this machine's does: one single-read row, postgres_tls,
# measures that default too.
declare -A QUIRE_URL
for backend in sqlite postgres; do
  seeded_db "$backend" quire_compare 10000
  QUIRE_URL[$backend]=$DATABASE_URL
done
QUIRE_URL[postgres_tls]=${QUIRE_URL[postgres]}
QUIRE_URL[postgres]="${QUIRE_URL[postgres]}?sslmode=disable"

echo "| server / request (wrk -t2 -c64, ${SECS}s), round | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq 1 "$ROUNDS"); do
  fastapi 1 "$round"
  fastapi 2 "$round"
  ceiling "$round"
  pg_ceiling "$round"
  quire sqlite "$round"
  quire postgres "$round"
  quire postgres_tls "$round"
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rps = {}
for line in open(f"{out}/rps.tsv"):
    name, rnd, value = line.split("\t")
    rps.setdefault(name, {})[int(rnd)] = float(value)
rss = {}
for line in open(f"{out}/rss.tsv"):
    name, kb = line.split("\t")
    rss[name] = max(rss.get(name, 0), int(kb))

def on_sqlite(backend, target):
    """Issue 16's targets against FastAPI and actix_limit are for SQLite; on PostgreSQL
    those ratios are shown, not judged (its own ceiling is actix_pg_limit)."""
    return target if backend == "sqlite" else None

def ratios(get):
    ref_get = max(get("fastapi_w1_get_post"), get("fastapi_w2_get_post"))
    ref_list = max(get("fastapi_w1_list_first"), get("fastapi_w2_list_first"))
    return [
        (f"quire_{b}_get_post / best reference", get(f"quire_{b}_get_post") / ref_get, "x", on_sqlite(b, 50))
        for b in ("sqlite", "postgres")
    ] + [
        (f"quire_{b}_get_post / JWT ceiling", 100 * get(f"quire_{b}_get_post") / get("ceiling_jwt"), " %", on_sqlite(b, 60))
        for b in ("sqlite", "postgres")
    ] + [
        ("quire_postgres_get_post / PostgreSQL JWT ceiling",
         100 * get("quire_postgres_get_post") / get("ceiling_pg_jwt"), " %", 54),
        ("quire_postgres_tls_get_post / PostgreSQL JWT ceiling",
         100 * get("quire_postgres_tls_get_post") / get("ceiling_pg_jwt"), " %", None),
    ] + [
        (f"quire_{b}_list_first / best reference", get(f"quire_{b}_list_first") / ref_list, "x", on_sqlite(b, 30))
        for b in ("sqlite", "postgres")
    ] + [
        (f"quire_{b}_get_post_pat / quire_{b}_get_post", 100 * get(f"quire_{b}_get_post_pat") / get(f"quire_{b}_get_post"), " %", 90)
        for b in ("sqlite", "postgres")
    ] + [
        (f"quire_sqlite_{page} / quire_sqlite_get_post", 100 * get(f"quire_sqlite_{page}") / get("quire_sqlite_get_post"), " %", target)
        for page, target in (("page_post", 50), ("page_home", 50), ("page_post_304", 90))
    ]

print()
print("| ratio, each round | " + " | ".join(f"round {r}" for r in range(1, rounds + 1)) + " | target |")
print("| --- |" + " --- |" * (rounds + 1))
per_round = [ratios(lambda n, r=r: rps[n][r]) for r in range(1, rounds + 1)]
for i, (label, _, unit, target) in enumerate(per_round[0]):
    cells = " | ".join(f"{rr[i][1]:.1f}{unit}" for rr in per_round)
    print(f"| {label} | {cells} | {'-' if target is None else f'>= {target}{unit}'} |")

median = {n: statistics.median(v.values()) for n, v in rps.items()}
print()
print(f"| median of {rounds} rounds | requests/s | peak RSS (VmHWM, max over rounds) |")
print("| --- | --- | --- |")
for name, value in median.items():
    server = name
    for suffix in ("_get_post_pat", "_get_post", "_list_first", "_page_post_304", "_page_post", "_page_home"):
        server = server.rsplit(suffix, 1)[0]
    server = "ceiling_pg" if server.startswith("ceiling_pg") else "ceiling" if server.startswith("ceiling") else server
    print(f"| {name} | {value:,.0f} | {rss.get(server, 0) / 1024:.1f} MiB |")
print()
print("| ratio of the medians | value | target | met |")
print("| --- | --- | --- | --- |")
for label, value, unit, target in ratios(lambda n: median[n]):
    if target is None:
        print(f"| {label} | {value:.1f}{unit} | - | - |")
        continue
    met = "yes" if value >= target else "no"
    print(f"| {label} | {value:.1f}{unit} | >= {target}{unit} | {met} |")
print(f"\nraw wrk output: {out}")
PY
