#!/usr/bin/env bash
# key_rotate_pg.sh: `compel key rotate` on PostgreSQL, on a throwaway
# cluster (tests/pg/pgtest.sh). $1 is the compel binary.
#
# init + demo on the cluster; the demo officer's reads over HTTP (people,
# searches by family name, date of birth and A-number, item values:
# tests/cli/key_world.py) are kept; the key is rotated, killed after two
# batches of four rows (the hidden --stop-after), and rotated again to the
# end. Then: every value is under key 2 (`compel key status`), the key file
# holds only key 2, the saved old key file opens none of the values and
# the new one all (`compel key check`), the reads are identical, the audit
# trail verifies with its two key records, and the signing keys' guard
# trigger is enabled again and refuses an edit.
set -uo pipefail

compel=$1
here=$(cd "$(dirname "$0")" && pwd)
pgtest="$here/../pg/pgtest.sh"
tmp=$(mktemp -d)
chmod 0755 "$tmp" # the cluster runs as another user when we are root
pid=
failures=0
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    [ -d "$tmp/pg" ] && bash "$pgtest" stop "$tmp/pg"
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

db=$(bash "$pgtest" start "$tmp/pg") ||
    { echo "FAIL: cannot start a PostgreSQL cluster" >&2; exit 1; }
key=$tmp/compel.key
psql_q() { psql "$db" -Atc "$1"; }
printf 'a-long-test-password\n' >"$tmp/pw"
# The demonstration world (the run's fixture, or init + demo), moved to the
# cluster: the same rows `compel demo` would write there, in seconds.
. "$here/lib/demo_db.sh"
demo_db "$compel" "$tmp/src.db" >"$tmp/demo" 2>&1 ||
    { echo "FAIL: init + demo: $(cat "$tmp/demo")" >&2; exit 1; }
"$compel" migrate-store --from "sqlite:$tmp/src.db" --to "$db" >>"$tmp/demo" 2>&1 ||
    { echo "FAIL: migrate-store: $(cat "$tmp/demo")" >&2; exit 1; }
cp "$tmp/src.db.key" "$key" && chmod 0600 "$key"

serve_start() {
    : >"$tmp/sout"
    "$compel" serve --db "$db" --key-file "$key" --listen 127.0.0.1:0 \
        --disable-inactive-days 0 \
        --log-level error >"$tmp/sout" 2>"$tmp/serr" &
    pid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^compel: serving on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/sout")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "FAIL: serve did not start: $(cat "$tmp/serr")" >&2; exit 1; }
    base=http://127.0.0.1:$port
}
serve_stop() {
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

# under ID: the status lines' counts for key ID, summed.
under() {
    "$compel" key status --db "$db" --key-file "$key" |
        grep -o "key $1: [0-9]*" | awk '{n += $3} END {print n + 0}'
}

serve_start
python3 "$here/key_world.py" read "$base" "$tmp/before.json"
serve_stop
if msg=$(python3 "$here/key_world.py" found "$tmp/before.json"); then
    pass "before: $msg"
else
    fail "before the rotation: $msg"
fi
total=$(under 1)
[ "$total" -gt 0 ] || fail "no value under key 1 before the rotation"
cp -p "$key" "$tmp/old.key"

"$compel" key rotate --db "$db" --key-file "$key" --batch 4 --stop-after 2 \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
moved=$(under 2)
if [ $rc -eq 137 ] && [ "$moved" -gt 0 ] && [ "$moved" -lt "$total" ] &&
    "$compel" key status --db "$db" --key-file "$key" | grep -q "retiring key 1"; then
    pass "killed after two batches: $moved of $total values under key 2"
else
    fail "the interrupted rotation: exit $rc, $moved of $total under key 2"
fi
if "$compel" key rotate --db "$db" --key-file "$key" >"$tmp/out" 2>"$tmp/err" &&
    grep -q "^key: resuming: key 2 current, key 1 retiring$" "$tmp/out" &&
    [ "$(under 2)" -eq "$total" ] && [ "$(under 1)" -eq 0 ]; then
    pass "resumed and finished: $(tail -1 "$tmp/out")"
else
    fail "the rerun: $(cat "$tmp/out" "$tmp/err")"
fi
if [ "$(wc -l <"$key")" -eq 1 ] && head -1 "$key" | grep -q "^compel-key-v2 2 " &&
    [ "$(stat -c %a "$key")" = 600 ]; then
    pass "the key file holds only key 2, mode 0600"
else
    fail "the key file: $(stat -c %a "$key") $(cut -c1-20 "$key")"
fi
if "$compel" key check --db "$db" --key-file "$key" >"$tmp/out" 2>&1 &&
    ! "$compel" key check --db "$db" --key-file "$tmp/old.key" >"$tmp/out2" 2>&1 &&
    grep -q "^bad: $total of $total " "$tmp/out2"; then
    pass "the new key opens all $total values, the old key none"
else
    fail "key check: $(cat "$tmp/out" "$tmp/out2")"
fi

serve_start
python3 "$here/key_world.py" read "$base" "$tmp/after.json"
serve_stop
if cmp -s "$tmp/before.json" "$tmp/after.json"; then
    pass "every person, search and item value reads back identical"
else
    fail "the API answers changed: $(diff "$tmp/before.json" "$tmp/after.json" | head -5)"
fi
"$compel" audit verify --db "$db" --key-file "$key" >"$tmp/out" 2>&1 ||
    fail "audit verify: $(cat "$tmp/out")"
actions=$(psql_q "SELECT action || ' ' || object_id FROM audit
    WHERE action LIKE 'key.%' ORDER BY seq" | tr '\n' ',')
[ "$actions" = "key.rotate_begin 2,key.rotate_done 2," ] ||
    fail "audit records of the rotation: $actions"
[ "$(psql_q "SELECT tgenabled FROM pg_trigger
    WHERE tgname = 'signing_keys_only_retired'")" = O ] ||
    fail "the signing keys' guard trigger is not enabled"
psql_q "UPDATE signing_keys SET sealed_secret = '\\x00'" >/dev/null 2>&1 &&
    fail "the signing keys' guard no longer refuses an edit"

if [ "$failures" -ne 0 ]; then
    echo "key_rotate_pg.sh: $failures failure(s)" >&2
    exit 1
fi
echo "key_rotate_pg: ok"
