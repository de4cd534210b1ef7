#!/usr/bin/env bash
# migrate_store.sh: `compel migrate-store` moves an office from SQLite to
# PostgreSQL (docs/operations.md). $1 is the compel binary.
#
# A SQLite database with the demonstration world (init + demo) is moved
# into a throwaway PostgreSQL cluster (tests/pg/pgtest.sh). Checked from
# the outside, with sqlite3 and psql: every table's row count is equal,
# sample rows (subpoenas, audit hashes, sealed personal fields, the
# report aggregates) are byte-equal, `compel audit verify` passes on the
# target, and `compel serve` on the target answers a login and a case read
# with the same body as on the source. Bad input is refused with a clear
# message and writes nothing: missing flags, --from not sqlite, --to not
# PostgreSQL, an unreachable target, a key file that is not the source's,
# a target that already holds an office, and a second run on the target.
set -uo pipefail

compel=$1
here=$(cd "$(dirname "$0")" && pwd)
pgtest="$here/../pg/pgtest.sh"
tmp=$(mktemp -d)
chmod 0755 "$tmp" # the cluster runs as another user when we are root
pids=()
failures=0
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"

cleanup() {
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    bash "$pgtest" stop "$tmp/pg"
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The tables a move copies: all of SQLite's but the migrations' own, the
# report constants and deferral marks, and SQLite's packed histograms
# (report_hist, made from report_days by its triggers; PostgreSQL reads
# report_days itself).
tables() {
    sqlite3 "$tmp/compel.db" "SELECT name FROM sqlite_schema
        WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
        AND name NOT IN ('schema_migrations', 'report_levels',
                         'report_deferred', 'report_hist') ORDER BY name"
}
psql_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
pg_tables() {
    psql_q "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
}

db="sqlite:$tmp/compel.db"
printf 'a-long-test-password\n' >"$tmp/pw"
. "$(dirname "$0")/lib/demo_db.sh"
demo_db "$compel" "$tmp/compel.db" 2>"$tmp/err" ||
    { echo "FAIL: init + demo: $(cat "$tmp/err")" >&2; exit 1; }

url=$(bash "$pgtest" start "$tmp/pg") ||
    { echo "FAIL: cannot start a PostgreSQL cluster" >&2; exit 1; }
base_url=${url%/compel}
pw=${url#postgresql://compel:}
pw=${pw%%@*}

# expect_refusal STATUS PATTERN ARGS...: migrate-store exits STATUS and
# its last line on standard error matches PATTERN.
expect_refusal() {
    local want=$1 pattern=$2 rc
    shift 2
    "$compel" migrate-store "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "migrate-store $* exited $rc, want $want: $(cat "$tmp/err")"
    elif ! tail -n 1 "$tmp/err" | grep -q -- "$pattern"; then
        fail "migrate-store $*: the refusal says: $(cat "$tmp/err")"
    fi
    if grep -qF -- "$pw" "$tmp/err" "$tmp/out"; then
        fail "migrate-store $*: the database password was printed"
    fi
}

# ---- bad input: refused, nothing written -----------------------------------
expect_refusal 2 "--from sqlite:PATH is required" --to "$url"
expect_refusal 2 "--to postgresql://... is required" --from "$db"
expect_refusal 2 "only SQLite databases are moved" --from "$url" --to "$url"
expect_refusal 2 "give the new PostgreSQL database" --from "$db" \
    --to "sqlite:$tmp/other.db"
[ -e "$tmp/other.db" ] && fail "a refused run created $tmp/other.db"
expect_refusal 1 "cannot connect to the PostgreSQL server" --from "$db" \
    --to "postgresql://compel:secret@127.0.0.1:1/compel"
grep -q secret "$tmp/err" && fail "the password was printed: $(cat "$tmp/err")"
# Another office's key file does not open this office's personal fields.
"$compel" init --db "sqlite:$tmp/k.db" --admin-email admin@test.example \
    --admin-password-file "$tmp/pw" >/dev/null || fail "init of a second db"
expect_refusal 1 "is not this database's key" --from "$db" --to "$url" \
    --key-file "$tmp/k.db.key"
[ "$(pg_tables "$url")" = 0 ] || fail "a refused run left tables in the target"
# A database that already holds an office is refused, unchanged.
psql_q "$base_url/postgres" "CREATE DATABASE other" || fail "createdb other"
"$compel" init --db "$base_url/other" --admin-email admin@other.example \
    --admin-password-file "$tmp/pw" --key-file "$tmp/other.key" >/dev/null ||
    fail "init of the other PostgreSQL database"
before=$(psql_q "$base_url/other" "SELECT count(*) FROM audit")
expect_refusal 1 "the target is not empty: table meta holds 1 row" \
    --from "$db" --to "$base_url/other"
grep -q "nothing was written" "$tmp/err" || fail "refusal: $(cat "$tmp/err")"
[ "$(psql_q "$base_url/other" "SELECT count(*) FROM audit")" = "$before" ] ||
    fail "the refused run changed the other database"

# ---- the move ----------------------------------------------------------------
if ! "$compel" migrate-store --from "$db" --to "$url" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL: migrate-store: $(cat "$tmp/err")" >&2
    exit 1
fi
head=$(sqlite3 "$tmp/compel.db" "SELECT seq || ' hash ' || lower(hex(hash))
    FROM audit ORDER BY seq DESC LIMIT 1")
grep -q "head seq $head, as in the source" "$tmp/out" ||
    fail "the summary lacks the audit head ($head): $(cat "$tmp/out")"
grep -q "use this same key file" "$tmp/out" ||
    fail "the summary does not name the key file: $(cat "$tmp/out")"
grep -q '\*\*\*@127.0.0.1' "$tmp/out" || fail "the target URL is not redacted"
grep -qF -- "$pw" "$tmp/out" "$tmp/err" && fail "the database password was printed"

# Every table's row count, from the outside.
n_tables=0
for t in $(tables); do
    s=$(sqlite3 "$tmp/compel.db" "SELECT count(*) FROM $t")
    p=$(psql_q "$url" "SELECT count(*) FROM $t") || p="missing"
    [ "$s" = "$p" ] || fail "table $t: $s rows in SQLite, $p in PostgreSQL"
    n_tables=$((n_tables + 1))
done
[ "$n_tables" -ge 30 ] || fail "only $n_tables tables compared"
[ "$(sqlite3 "$tmp/compel.db" "SELECT count(*) FROM subpoenas")" -gt 0 ] ||
    fail "the demonstration has no subpoenas"

# Sample rows, byte for byte.
same() {
    local what=$1 sq=$2 pg=$3
    if ! diff <(sqlite3 "$tmp/compel.db" "$sq") <(psql_q "$url" "$pg") \
        >"$tmp/diff"; then
        fail "$what differ: $(head -n 5 "$tmp/diff")"
    fi
}
same "subpoenas" "SELECT id, version, state FROM subpoenas ORDER BY id" \
    "SELECT id, version, state FROM subpoenas ORDER BY id"
same "subpoenas' enforcements" \
    "SELECT id, enforcement_id FROM subpoenas WHERE enforcement_id IS NOT NULL ORDER BY id" \
    "SELECT id, enforcement_id FROM subpoenas WHERE enforcement_id IS NOT NULL ORDER BY id"
same "audit rows" \
    "SELECT seq, at, action, coalesce(object_id, ''), lower(hex(prev_hash)), lower(hex(hash)) FROM audit ORDER BY seq" \
    "SELECT seq, at, action, coalesce(object_id, ''), encode(prev_hash, 'hex'), encode(hash, 'hex') FROM audit ORDER BY seq"
same "sealed personal fields" \
    "SELECT id, lower(hex(family_name)), lower(hex(family_name_bidx)) FROM people ORDER BY id" \
    "SELECT id, encode(family_name, 'hex'), encode(family_name_bidx, 'hex') FROM people ORDER BY id"
same "events" \
    "SELECT case_kind, case_id, seq, action, coalesce(details, '') FROM events ORDER BY case_kind, case_id, seq" \
    "SELECT case_kind, case_id, seq, action, coalesce(details, '') FROM events ORDER BY case_kind, case_id, seq"
same "extensions in their order" \
    "SELECT id FROM extensions ORDER BY rowid" \
    "SELECT id FROM extensions ORDER BY rowid"
same "report aggregates" \
    "SELECT org_id, period, served, resolved, honored_reported, honored_observed, coalesce(median_days, -1) FROM report_counts ORDER BY period, org_id" \
    "SELECT org_id, period, served, resolved, honored_reported, honored_observed, coalesce(median_days, -1) FROM report_counts ORDER BY period, org_id"
same "meta" "SELECT key, value FROM meta ORDER BY key" \
    "SELECT key, value FROM meta ORDER BY key"

# The audit chain verifies in the target.
"$compel" audit verify --db "$url" --key-file "$tmp/compel.db.key" \
    >"$tmp/verify" 2>&1 || fail "audit verify on the target: $(cat "$tmp/verify")"
n_audit=$(sqlite3 "$tmp/compel.db" "SELECT count(*) FROM audit")
grep -q "^ok: $n_audit entries verified" "$tmp/verify" ||
    fail "audit verify on the target: $(cat "$tmp/verify")"

# A second run on the (now full) target is refused and changes nothing.
expect_refusal 1 "the target is not empty" --from "$db" --to "$url"
[ "$(psql_q "$url" "SELECT count(*) FROM audit")" = "$n_audit" ] ||
    fail "the refused second run changed the target"

# ---- the service on both: the same answers -----------------------------------
# serve NAME URL: start compel serve; its base URL in $base.
serve() {
    local name=$1 dburl=$2 port= p
    # The demonstration world's people last worked in 2020: keep the
    # daily job from disabling them as inactive (docs/demo.md).
    "$compel" serve --db "$dburl" --key-file "$tmp/compel.db.key" \
        --disable-inactive-days 0 \
        --listen 127.0.0.1:0 --log-level error >"$tmp/$name.out" \
        2>"$tmp/$name.err" &
    p=$!
    pids+=("$p")
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^compel: serving on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' \
            "$tmp/$name.out")
        [ -n "$port" ] && break
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] ||
        { echo "FAIL: serve on $name: $(cat "$tmp/$name.err")" >&2; exit 1; }
    base=http://127.0.0.1:$port
}

# fetch NAME: log in as the sheriff's records custodian, list the
# subpoenas and read the first one; the bodies in $tmp/NAME.*.
fetch() {
    local name=$1 code id
    code=$(curl -s -c "$tmp/$name.jar" -o "$tmp/$name.login" -w '%{http_code}' \
        -H 'Content-Type: application/json' \
        -d '{"email":"records@sheriff.demo.example","password":"compel-demo-2020"}' \
        "$base/api/v1/session")
    [ "$code" = 201 ] || fail "$name: login answered $code: $(cat "$tmp/$name.login")"
    code=$(curl -s -b "$tmp/$name.jar" -o "$tmp/$name.list" -w '%{http_code}' \
        "$base/api/v1/subpoenas?limit=500")
    [ "$code" = 200 ] || fail "$name: list answered $code"
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["id"])' \
        "$tmp/$name.list") || { fail "$name: no subpoena listed"; return; }
    code=$(curl -s -b "$tmp/$name.jar" -o "$tmp/$name.case" -w '%{http_code}' \
        "$base/api/v1/subpoenas/$id")
    [ "$code" = 200 ] || fail "$name: case read answered $code: $(cat "$tmp/$name.case")"
}

serve source "$db"
fetch source
serve target "$url"
fetch target
# The login bodies differ only in the session's own ids and times.
python3 - "$tmp" <<'PY' || fail "the two services answer differently"
import json, sys
d = sys.argv[1]
VOLATILE = {"csrf_token", "expires_at", "created_at", "last_seen_at",
            "session_id", "token"}
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
for part, volatile in (("login", True), ("list", False), ("case", False)):
    a = json.load(open(f"{d}/source.{part}"))
    b = json.load(open(f"{d}/target.{part}"))
    if volatile:
        a, b = strip(a), strip(b)
    if a != b:
        print(f"{part}: source {json.dumps(a)[:300]}\n"
              f"      target {json.dumps(b)[:300]}", file=sys.stderr)
        sys.exit(1)
PY

if [ "$failures" -ne 0 ]; then
    echo "migrate_store.sh: $failures failure(s)" >&2
    exit 1
fi
echo "migrate_store: ok ($n_tables tables, $n_audit audit entries)"
