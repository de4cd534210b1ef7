#!/usr/bin/env bash
# key_rotate.sh: `compel key rotate` end to end (security matrix T-CR-3).
# $1 is the compel binary.
#
# init + demo on a temporary SQLite database; over HTTP the demo officer
# reads every person named by a case and every subpoena's item values, and
# searches each person by family name, date of birth and A-number (blind
# indexes). Then the key is rotated, interrupted by SIGKILL after two
# batches of three rows (the hidden --stop-after), and the rotation run
# again to completion. Afterwards: the same reads give identical answers
# and every search still finds its person; the database holds no value
# under the old key id (sqlite3 on the second byte of every sealed
# column); the key file holds only the new key (id 2), mode 0600; a saved
# copy of the old key file opens none of the values (`compel key check`);
# the two audit records are there and `compel audit verify` passes; the
# signing keys' guard trigger is back; a backup made after the rotation is
# refused by `compel restore` with the old key file and restored with the
# new one; a second rotation gives key 3. Bad input changes nothing: a
# key file of another database, a key file readable by others, unknown
# subcommands and options.
set -uo pipefail

compel=$1
tmp=$(mktemp -d)
pid=
failures=0
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"

here=$(cd "$(dirname "$0")" && pwd)

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

path=$tmp/compel.db
db="sqlite:$path"
key=$path.key
printf 'a-long-test-password\n' >"$tmp/pw"
. "$(dirname "$0")/lib/demo_db.sh"
demo_db "$compel" "$path" >"$tmp/demo" 2>&1 ||
    { echo "FAIL: init + demo: $(cat "$tmp/demo")" >&2; exit 1; }

# serve_start / serve_stop: `compel serve` on a free port, $base set.
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

# read_world OUT / all_found FILE: tests/cli/key_world.py.
read_world() { python3 "$here/key_world.py" read "$base" "$1"; }
all_found() { python3 "$here/key_world.py" found "$1"; }

# sealed_with ID: how many sealed values in the database carry key id ID.
sealed_with() {
    local id=$1 cols="" q
    for c in people.family_name people.given_names people.date_of_birth \
        people.identifiers people.aliases users.totp_secret \
        subpoena_items.value webhooks.secret signing_keys.sealed_secret; do
        q="SELECT ${c#*.} AS v FROM ${c%%.*}"
        cols=${cols:+$cols UNION ALL }$q
    done
    sqlite3 "$path" "SELECT count(*) FROM ($cols)
        WHERE v IS NOT NULL AND hex(substr(v, 2, 1)) = printf('%02X', $id)"
}

serve_start
read_world "$tmp/before.json"
serve_stop
if msg=$(all_found "$tmp/before.json"); then
    pass "before: $msg"
else
    fail "before the rotation the searches fail: $msg"
fi
total=$(sealed_with 1)
[ "$total" -gt 0 ] || fail "no value under key 1 before the rotation"

# --- bad input changes nothing --------------------------------------------
cp -p "$key" "$tmp/old.key"
cp "$path" "$tmp/before.db"
"$compel" init --db "sqlite:$tmp/other.db" --admin-email a@o.example \
    --admin-password-file "$tmp/pw" >/dev/null
"$compel" key rotate --db "$db" --key-file "$tmp/other.db.key" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "does not open this database" "$tmp/err" &&
    cmp -s "$key" "$tmp/old.key" && cmp -s "$path" "$tmp/before.db"; then
    pass "another database's key file is refused: $(cat "$tmp/err")"
else
    fail "another database's key file: exit $rc: $(cat "$tmp/err")"
fi
chmod 0644 "$key"
"$compel" key rotate --db "$db" >"$tmp/out" 2>"$tmp/err"
rc=$?
chmod 0600 "$key"
if [ $rc -eq 1 ] && grep -q "readable by group or others" "$tmp/err" &&
    cmp -s "$key" "$tmp/old.key"; then
    pass "a key file readable by others is refused"
else
    fail "a key file readable by others: exit $rc: $(cat "$tmp/err")"
fi
for args in "spin" "rotate --batch 0" "rotate --nope" "status --batch 5" ""; do
    # shellcheck disable=SC2086
    "$compel" key $args --db "$db" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then
        pass "compel key $args: usage error: $(cat "$tmp/err")"
    else
        fail "compel key $args: exit $rc (want 2): $(cat "$tmp/err")"
    fi
done
cmp -s "$key" "$tmp/old.key" || fail "a refused command changed the key file"

# --- an interrupted rotation, then its completion -------------------------
"$compel" key rotate --db "$db" --batch 3 --stop-after 2 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 137 ] && head -1 "$key" | grep -q "^compel-key-v2 2 " &&
    sed -n 2p "$key" | grep -q "^compel-key-retiring 1 "; then
    pass "killed after two batches: the key file holds keys 2 and 1"
else
    fail "the interrupted rotation: exit $rc (want 137, SIGKILL): $(cat "$tmp/err")"
fi
moved=$(sealed_with 2)
left=$(sealed_with 1)
if [ "$moved" -gt 0 ] && [ "$left" -gt 0 ] && [ $((moved + left)) -eq "$total" ]; then
    pass "half done: $moved values under key 2, $left under key 1"
else
    fail "after the kill: $moved under key 2, $left under key 1, of $total"
fi
"$compel" key status --db "$db" >"$tmp/status" 2>&1
grep -q "retiring key 1" "$tmp/status" || fail "status: $(cat "$tmp/status")"

"$compel" key rotate --db "$db" --batch 3 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^key: resuming: key 2 current, key 1 retiring$" "$tmp/out" &&
    grep -q "all under key 2; key 1 destroyed$" "$tmp/out"; then
    pass "the rerun resumed and finished: $(tail -1 "$tmp/out")"
else
    fail "the rerun: exit $rc: $(cat "$tmp/out" "$tmp/err")"
fi

# --- after the rotation ------------------------------------------------------
if [ "$(sealed_with 1)" -eq 0 ] && [ "$(sealed_with 2)" -eq "$total" ]; then
    pass "no value under key 1 is left; all $total under key 2"
else
    fail "after the rotation: $(sealed_with 1) under key 1, $(sealed_with 2) under key 2"
fi
if [ "$(wc -l <"$key")" -eq 1 ] && head -1 "$key" | grep -q "^compel-key-v2 2 [0-9a-f]\{64\}$" &&
    [ "$(stat -c %a "$key")" = 600 ] && [ ! -e "$key.tmp" ]; then
    pass "the key file holds only key 2, mode 0600"
else
    fail "the key file after rotation: $(stat -c %a "$key"), $(cut -c1-20 "$key")"
fi
old_hex=$(awk '{print $2}' "$tmp/old.key")
grep -q "$old_hex" "$key" && fail "the old key is still in the key file"
if "$compel" key check --db "$db" >"$tmp/out" 2>"$tmp/err" &&
    grep -q "^ok: $total encrypted values open with " "$tmp/out"; then
    pass "the new key opens every value: $(cat "$tmp/out")"
else
    fail "key check with the new key: $(cat "$tmp/out" "$tmp/err")"
fi
"$compel" key check --db "$db" --key-file "$tmp/old.key" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^bad: $total of $total encrypted values do not open" "$tmp/out"; then
    pass "the retired key (a saved copy) opens none: $(cat "$tmp/out")"
else
    fail "key check with the old key: exit $rc: $(cat "$tmp/out" "$tmp/err")"
fi

serve_start
read_world "$tmp/after.json"
serve_stop
if cmp -s "$tmp/before.json" "$tmp/after.json"; then
    pass "every person, search and item value reads back identical"
else
    fail "the API answers changed: $(diff "$tmp/before.json" "$tmp/after.json" | head -5)"
fi

if "$compel" audit verify --db "$db" >"$tmp/out" 2>&1; then
    pass "audit verify: $(cat "$tmp/out")"
else
    fail "audit verify: $(cat "$tmp/out")"
fi
actions=$(sqlite3 "$path" "SELECT action || ' ' || object_id FROM audit
    WHERE action LIKE 'key.%' ORDER BY seq" | tr '\n' ',')
[ "$actions" = "key.rotate_begin 2,key.rotate_done 2," ] ||
    fail "audit records of the rotation: $actions"
[ "$(sqlite3 "$path" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
    AND name = 'signing_keys_only_retired'")" = 1 ] ||
    fail "the signing keys' guard trigger is gone"
sqlite3 "$path" "UPDATE signing_keys SET sealed_secret = x'00'" 2>/dev/null &&
    fail "the signing keys' guard no longer refuses an edit"

# --- a backup made after the rotation, with the old and the new key -------
"$compel" backup --db "$db" --out "$tmp/after.bak" >/dev/null 2>"$tmp/err" ||
    fail "backup after the rotation: $(cat "$tmp/err")"
"$compel" restore --in "$tmp/after.bak" --db "sqlite:$tmp/r1.db" \
    --key-file "$tmp/old.key" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && [ ! -e "$tmp/r1.db" ]; then
    pass "the old key file cannot restore a later backup: $(cat "$tmp/err")"
else
    fail "restore with the old key: exit $rc: $(cat "$tmp/err")"
fi
if "$compel" restore --in "$tmp/after.bak" --db "sqlite:$tmp/r2.db" \
    --key-file "$key" >"$tmp/out" 2>"$tmp/err" &&
    "$compel" key check --db "sqlite:$tmp/r2.db" --key-file "$key" >/dev/null; then
    pass "the new key file restores it, and opens its values"
else
    fail "restore with the new key: $(cat "$tmp/err")"
fi

# --- a second rotation -------------------------------------------------------
if "$compel" key rotate --db "$db" >"$tmp/out" 2>"$tmp/err" &&
    head -1 "$key" | grep -q "^compel-key-v2 3 " &&
    [ "$(sealed_with 3)" -eq "$total" ] &&
    "$compel" key check --db "$db" >/dev/null; then
    pass "a second rotation: key 3, $(tail -1 "$tmp/out")"
else
    fail "the second rotation: $(cat "$tmp/out" "$tmp/err")"
fi
"$compel" audit verify --db "$db" >/dev/null 2>&1 || fail "audit verify after the second rotation"

if [ "$failures" -ne 0 ]; then
    echo "key_rotate.sh: $failures failure(s)" >&2
    exit 1
fi
echo "key_rotate: ok"
