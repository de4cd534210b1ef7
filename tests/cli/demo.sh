#!/usr/bin/env bash
# demo.sh: `compel demo` end to end. $1 is the compel binary.
#
# init + demo on a temporary database: exit 0 and the table of logins;
# then `compel serve` on port 0 and, over HTTP, the sheriff's records
# custodian logs in with the documented demo password and lists subpoenas:
# only served ones addressed to the sheriff (never drafts, never another
# jurisdiction's); `compel audit verify` passes; a second demo on the same
# database is refused (exit 1, one line); no clock file is left behind.
set -uo pipefail

compel=$1
tmp=$(mktemp -d)
pid=
failures=0
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"

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

db="sqlite:$tmp/compel.db"
printf 'a-long-test-password\n' >"$tmp/pw"
"$compel" init --db "$db" --admin-email admin@test.example \
    --admin-password-file "$tmp/pw" --timezone America/Denver >/dev/null ||
    { echo "FAIL: compel init" >&2; exit 1; }

"$compel" demo --db "$db" >"$tmp/out" 2>"$tmp/err"
rc=$?
# The run's demonstration world for the tests that start from one (ctest
# fixture demo_db, tests/cli/lib/demo_db.sh): copied as demo left it,
# closed and checkpointed, before this test logs anyone in.
if [ $rc -eq 0 ] && [ -n "${COMPEL_DEMO_FIXTURE_OUT:-}" ]; then
    rm -rf "$COMPEL_DEMO_FIXTURE_OUT" && mkdir -p "$COMPEL_DEMO_FIXTURE_OUT" &&
        [ ! -e "$tmp/compel.db-wal" ] &&
        cp "$tmp/compel.db" "$COMPEL_DEMO_FIXTURE_OUT/compel.db" &&
        install -m 0600 "$tmp/compel.db.key" "$COMPEL_DEMO_FIXTURE_OUT/compel.db.key" ||
        fail "cannot leave the demo fixture in $COMPEL_DEMO_FIXTURE_OUT"
fi
[ $rc -eq 0 ] || { echo "FAIL: demo exited $rc: $(cat "$tmp/err")" >&2; exit 1; }
grep -q "compel-demo-2020" "$tmp/out" || fail "the demo password is not printed"
for who in officer@field.demo.example director@field.demo.example \
    deputy@field.demo.example counsel@field.demo.example \
    auditor@field.demo.example records@sheriff.demo.example \
    booking@correction.demo.example counsel@county.demo.example \
    ausa@usao.demo.example; do
    grep -q "$who" "$tmp/out" || fail "the logins table lacks $who"
done
grep -q "custodian *Mile High City and County Sheriff" "$tmp/out" ||
    fail "the logins table lacks the sheriff's custodian row"
ls "$TMPDIR" | grep -q compel-demo-clock && fail "the clock file was left behind"

# The second run is refused with one line, and changes nothing.
cp "$tmp/compel.db" "$tmp/before.db"
"$compel" demo --db "$db" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ $rc -eq 1 ] || fail "a second demo exited $rc, want 1"
[ "$(wc -l <"$tmp/err2")" -eq 1 ] || fail "second demo said: $(cat "$tmp/err2")"
grep -q "already holds cases" "$tmp/err2" || fail "second demo said: $(cat "$tmp/err2")"
ls "$TMPDIR" | grep -q compel-demo-clock && fail "the clock file was left behind (2)"

# The audit trail holds.
if "$compel" audit --help >/dev/null 2>&1; then
    "$compel" audit verify --db "$db" >"$tmp/verify" 2>&1 ||
        fail "audit verify failed: $(cat "$tmp/verify")"
fi

# Over HTTP: the sheriff's custodian sees only the sheriff's served ones.
# The demonstration world's people last worked in 2020: as `make run`
# does, the daily job does not disable them as inactive.
COMPEL_DISABLE_INACTIVE_DAYS=0 \
"$compel" serve --db "$db" --listen 127.0.0.1:0 --log-level error \
    >"$tmp/sout" 2>"$tmp/serr" &
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
code=$(curl -s -c "$tmp/jar" -o "$tmp/login" -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    -d '{"email":"records@sheriff.demo.example","password":"compel-demo-2020"}' \
    "$base/api/v1/session")
[ "$code" = 201 ] || fail "custodian login answered $code: $(cat "$tmp/login")"
code=$(curl -s -b "$tmp/jar" -o "$tmp/list" -w '%{http_code}' \
    "$base/api/v1/subpoenas?limit=500")
[ "$code" = 200 ] || fail "custodian list answered $code: $(cat "$tmp/list")"
orgs=$(curl -s -b "$tmp/jar" "$base/api/v1/me")
python3 - "$tmp/list" "$orgs" <<'PY' || fail "custodian list: $(cat "$tmp/list")"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
me = json.loads(sys.argv[2])
org = me.get("org_id") or me.get("user", {}).get("org_id") or \
    (me.get("org") or {}).get("id")
# The sheriff was served four subpoenas on 13 January 2020 (two referred,
# one extended, one withdrawn); no draft, no other jurisdiction's.
assert len(items) == 4, len(items)
for s in items:
    assert s["recipient_org_id"] == org, s["recipient_org_id"]
    assert s["state"] in ("served", "responded", "referred", "closed",
                          "withdrawn"), s["state"]
PY

# Every demonstration jurisdiction has its own calendar, as one made
# through the API or an import has, so its closures and holidays can be
# recorded.
code=$(curl -s -b "$tmp/jar" -o "$tmp/cals" -w '%{http_code}' "$base/api/v1/calendars")
[ "$code" = 200 ] || fail "calendars answered $code: $(cat "$tmp/cals")"
python3 - "$tmp/cals" "$orgs" <<'PY' || fail "calendars: $(cat "$tmp/cals")"
import json, sys
cals = json.load(open(sys.argv[1]))["items"]
me = json.loads(sys.argv[2])
org = me.get("org_id") or me.get("user", {}).get("org_id") or \
    (me.get("org") or {}).get("id")
mine = [c for c in cals if c.get("org_id") == org]
assert len(mine) == 1, cals
assert any(c.get("kind") == "federal" for c in cals), cals
PY

if [ "$failures" -ne 0 ]; then
    echo "demo.sh: $failures failure(s)" >&2
    exit 1
fi
echo "demo: ok"
