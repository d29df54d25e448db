# Shared by the bench scripts (sourced, not run). Everything targets 127.0.0.1 only and every
# load is bounded in time.

QUIRE_BIN="${QUIRE_BIN:-target/release/quire}"   # another build for an A/B: QUIRE_BIN=path
PG_ADMIN_URL="${QUIRE_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}"
export QUIRE_ADMIN_PASSWORD=bench-admin-password QUIRE_DEMO_PASSWORD=bench-demo-password
export QUIRE_BCRYPT_COST=12 RUST_LOG=warn

need() { command -v "$1" >/dev/null || { echo "bench: install $1 (apt-get install $2)" >&2; exit 1; }; }

# begin_run NAME [BACKEND]: sets OUT to a new directory for this run's raw output,
# bench/out/NAME-<date-time>[-BACKEND], and makes sure the release build is current.
begin_run() {
  OUT="bench/out/$1-$(date +%Y%m%d-%H%M%S)${2:+-$2}"; mkdir -p "$OUT"
  cargo build --release --quiet
}

# seeded_db BACKEND NAME POSTS: a fresh database (fresh_db, under $OUT) holding the demo
# data set, 1,000 users and POSTS posts (`quire seed --demo`, batched inserts). The seeding
# time in seconds is written to $OUT/seed-POSTS.s.
seeded_db() {
  fresh_db "$1" "$2" "$OUT"
  /usr/bin/time -f "%e" -o "$OUT/seed-$3.s" "$QUIRE_BIN" seed --demo --users 1000 --posts "$3" >/dev/null
}

# Sets DATABASE_URL to a fresh database named $2 for backend $1 (sqlite|postgres) under $3.
fresh_db() {
  case "$1" in
    sqlite) rm -f "$3/$2.db" "$3/$2.db-wal" "$3/$2.db-shm"; export DATABASE_URL="sqlite://$PWD/$3/$2.db" ;;
    postgres)
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $2" -qc "CREATE DATABASE $2"
      export DATABASE_URL="${PG_ADMIN_URL%/*}/$2" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
  esac
}

# Starts the command after `--` in the background, waits until $1 answers, sets SERVER_PID.
start_server() {
  local probe=$1; shift; shift
  "$@" > "$OUT/server-$(date +%s%N).log" 2>&1 & SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$probe" && return 0; sleep 0.1; done
  echo "bench: server did not answer $probe" >&2; exit 1
}

# Peak resident memory (VmHWM, kB) of a process and its descendants, summed.
peak_rss_kb() {
  local pids total=0 kb
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $pids; do
    kb=$(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  pkill -P "$SERVER_PID" 2>/dev/null || true
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap stop_server EXIT

quire_token() { # base user scope
  curl -sf -X POST "$1/api/auth/token" -d "username=$2&password=bench-demo-password&scope=$3" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'
}

# wrk_row NAME CONNECTIONS [wrk args...]: runs wrk for $SECS s, keeps its output in $OUT and
# prints "| NAME | req/s | p50 | p99 | non-2xx |". Also sets ROW_RPS.
wrk_row() {
  local name=$1 conns=$2; shift 2
  wrk -t2 -c"$conns" -d"${SECS}s" --latency "$@" > "$OUT/$name.txt"
  ROW_RPS=$(awk '/Requests\/sec/ {print $2}' "$OUT/$name.txt")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$ROW_RPS" \
    "$(awk '$1=="50%" {print $2}' "$OUT/$name.txt")" "$(awk '$1=="99%" {print $2}' "$OUT/$name.txt")" \
    "$(awk '/Non-2xx/ {print $5}' "$OUT/$name.txt" | grep . || echo 0)"
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.1f}' if b else 'n/a')" "$1" "$2"; }
