#!/usr/bin/env bash
# List latency at 10,000 and at 1,000,000 posts, and the query plans behind it.
#
#   bench/scale.sh [sqlite|postgres] [SECONDS]       (default sqlite, 10)
#
# For each size: a fresh database (1,000 users; `quire seed --demo`, batched inserts), the
# release server, and wrk (2 threads, 16 connections: latency, not saturation) on
# GET /api/posts?limit=20 (first page), the same from the middle of the table (a cursor at
# id N/2; cursors are base64url of "p<id>") and GET /api/posts/2, as user0007 (role `user`:
# "published or own", Quire's most involved read). Then the plans of the list's two keyset
# queries and of the single read: the SQL diesel sends for them, written out by hand here
# (src/db/queries/posts.rs `unfiltered_page`, `find_post`), prepared with
# the same parameters and run through EXPLAIN on the same database.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
backend="${1:-sqlite}"; SECS="${2:-10}"
need wrk wrk
begin_run scale "$backend"
cursor_at() { printf 'p%d' "$1" | base64 | tr '+/' '-_' | tr -d '='; }

# explain SQL VALUE...: the plan of SQL, whose parameters are $1, $2, ..., for those values,
# as the server runs it for Quire: a prepared statement, and on PostgreSQL its generic plan
# (Quire's connections set plan_cache_mode = force_generic_plan, src/db/mod.rs).
explain() {
  local sql=$1; shift
  case "$backend" in
    sqlite)
      local args=() i=1 v
      for v in "$@"; do args+=(".parameter set \$$i $v"); i=$((i + 1)); done
      sqlite3 "${DATABASE_URL#sqlite://}" "${args[@]}" "EXPLAIN QUERY PLAN $sql" ;;
    postgres)
      psql "$DATABASE_URL" -qAt -c "SET plan_cache_mode = force_generic_plan" \
        -c "PREPARE q AS $sql" \
        -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) EXECUTE q($(IFS=,; echo "$*"))" ;;
  esac
}

echo "| $backend, wrk -t2 -c16, ${SECS}s | posts | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- |"
for posts in 10000 1000000; do
  seeded_db "$backend" quire_scale "$posts"
  [ "$backend" = postgres ] && psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
  base=http://127.0.0.1:18505
  start_server "$base/healthz" -- "$QUIRE_BIN" serve --bind 127.0.0.1:18505
  token=$(quire_token "$base" user0007 posts:read)
  middle=$(cursor_at $((posts / 2)))
  for req in "list_first|/api/posts?limit=20" "list_middle|/api/posts?limit=20&cursor=$middle" "get_post|/api/posts/2"; do
    name=${req%%|*}; path=${req#*|}
    wrk_row "${name}_$posts" 16 -H "Authorization: Bearer $token" "$base$path" | sed "s/^| \([a-z_]*\)_$posts |/| \1 | $posts |/"
  done
  stop_server
  echo "seeded $posts posts in $(cat "$OUT/seed-$posts.s") s" >> "$OUT/notes.txt"
done
cat "$OUT/notes.txt"

me=$(case "$backend" in
  sqlite) sqlite3 "${DATABASE_URL#sqlite://}" "SELECT id FROM users WHERE username = 'user0007'" ;;
  postgres) psql "$DATABASE_URL" -qAt -c "SELECT id FROM users WHERE username = 'user0007'" ;;
esac)
cols="posts.id, posts.author_id, posts.title, posts.slug, posts.body, posts.status, posts.published_at, posts.created_at, posts.updated_at, users.id, users.username, users.display_name"
from="FROM posts INNER JOIN users ON posts.author_id = users.id"
echo
echo "### plans at 1,000,000 posts ($backend)"
echo
# Absent bounds are sent as the extreme ids (src/db/queries/posts.rs `unfiltered_page`).
max=9223372036854775807; min=-9223372036854775808
range='(posts.id < $2 AND posts.id > $3)'
echo "list, published half, first page:"
explain "SELECT $cols $from WHERE posts.status = \$1 AND $range ORDER BY posts.id DESC LIMIT \$4" "'published'" $max $min 20
echo
echo "list, published half, from the middle:"
explain "SELECT $cols $from WHERE posts.status = \$1 AND $range ORDER BY posts.id DESC LIMIT \$4" "'published'" 500000 $min 20
echo
echo "list, own half (author_id = user0007), above the published page's last id:"
explain "SELECT $cols $from WHERE posts.author_id = \$1 AND $range ORDER BY posts.id DESC LIMIT \$4" "$me" 500000 499960 20
echo
echo "single read, by primary key:"
explain "SELECT $cols $from WHERE posts.id = \$1 LIMIT \$2" 2 1
echo
echo "raw output: $OUT"
