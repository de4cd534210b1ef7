#!/bin/bash
# purge.sh: `compel purge` from the outside, on SQLite (docs/operations.md
# "Retention and legal hold"; security.md T-AUD-11). Synthetic closed
# detainers aged 364 days, 366 days, 4 years 364 days and 5 years 1 day
# before the purge's moment (a clock file two years ahead, so that the
# audit records `compel init` wrote are old as well), one of them on legal
# hold, and one still open: with one year for cases and audit records,
# exactly the aged-out, unheld closed ones go with their timeline and
# documents; the held and the open ones keep everything; the run appends
# one audit record with its counts; `compel audit verify` still holds
# (from the horizon) and names a checkpoint older than the horizon; a
# horizon forged outside the purge is caught; --dry-run changes nothing;
# the database refuses deletions outside the purge (of the append-only
# tables, and of anything of a held case); bad arguments exit 2
# with one line and change nothing. $1 is the compel binary.
set -u

compel=${1:?usage: purge.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
err=$dir/err

pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1"
    [ -s "$out" ] && echo "     stdout: $(cat "$out")"
    [ -s "$err" ] && echo "     stderr: $(cat "$err")"
    failures=$((failures + 1))
}

db=$dir/p.db
url=sqlite:$db
q() { sqlite3 "$db" "$1"; }

"$compel" init --db "$url" --admin-email admin@agency.example \
    >"$out" 2>"$err" || {
    fail "compel init failed"
    exit 1
}
# A checkpoint of the first two records: it will predate the horizon.
"$compel" audit checkpoint --db "$url" --out "$dir/old.cp" >"$out" 2>"$err" ||
    fail "checkpoint"
# Audit records of their own: a few users added now.
org=$(sqlite3 "$db" "SELECT id FROM organizations LIMIT 1;")
for i in 1 2 3; do
    "$compel" user add --db "$url" --email "u$i@agency.example" \
        --name "User $i" --org "$org" --roles officer >"$out" 2>"$err" ||
        fail "user add $i"
done

# The purge's moment: midnight UTC two years from today, in microseconds.
as_of_day=$(date -u -d "$(date -u +%Y-%m-%d) +2 years" +%Y-%m-%d)
as_of_s=$(date -u -d "$as_of_day" +%s)
echo "${as_of_s}000000" >"$dir/clock"
# ago Y D: the instant Y calendar years and D days before the moment (us).
ago() {
    echo "$(date -u -d "$as_of_day -$1 years -$2 days" +%s)000000"
}

admin=$(q "SELECT id FROM users LIMIT 1;")
org=$(q "SELECT id FROM organizations LIMIT 1;")
id22() { head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22; }
fac=$(id22)
person=$(id22)
# The report triggers of detainers call a function of compel's own, which
# the sqlite3 tool lacks: this copy does without them (not under test).
for t in $(q "SELECT name FROM sqlite_master WHERE type = 'trigger' AND
              tbl_name = 'detainers' AND sql LIKE '%compel_local_date%';"); do
    q "DROP TRIGGER $t;"
done
q "INSERT INTO facilities (id, created_at, updated_at, org_id, name, timezone)
   VALUES ('$fac', 1, 1, '$org', 'Test Jail', 'America/Denver');
   INSERT INTO people (id, created_at, updated_at, family_name,
       family_name_bidx) VALUES ('$person', 1, 1, x'00', x'01');"

# detainer NAME STATE AT: a detainer last changed at AT, with one event
# and one document then; its id in ${ids[NAME]}.
declare -A ids
n=0
detainer() {
    local id
    id=$(id22)
    n=$((n + 1))
    q "INSERT INTO detainers (id, created_at, updated_at, number, person_id,
         facility_id, agency_org_id, lodged_by, form, basis, hold_rule, state)
       VALUES ('$id', $3, $3, printf('DET-2020-%06d', $n), '$person', '$fac',
         '$org', '$admin', 'I-247A', 'final_order', '48h-clock', '$2');
       INSERT INTO events (case_kind, case_id, seq, action, at)
       VALUES ('detainer', '$id', 1, 'release', $3);
       INSERT INTO documents (id, created_at, updated_at, case_kind, case_id,
         kind, filename, content_type, sha256, size, uploaded_by, content)
       VALUES ('$(id22)', $3, $3, 'detainer', '$id', 'other', 'a.pdf',
         'application/pdf', zeroblob(32), 1, '$admin', x'41');"
    ids[$1]=$id
}
detainer d364 released "$(ago 0 364)"
detainer d366 released "$(ago 0 366)"
detainer y4d364 transferred "$(ago 4 364)"
detainer y5d1 cancelled "$(ago 5 1)"
detainer held released "$(ago 5 1)"
detainer open lodged "$(ago 5 1)"
q "INSERT INTO case_holds (id, case_kind, case_id, placed_by, placed_role,
     placed_at, reason) VALUES ('$(id22)', 'detainer', '${ids[held]}',
     '$admin', 'agency_counsel', 1, 'litigation');"

purge() {
    COMPEL_TEST_CLOCK_FILE=$dir/clock "$compel" purge --db "$url" "$@" \
        >"$out" 2>"$err"
    rc=$?
}
dump() {
    sqlite3 "$db" ".dump" | grep -v '^INSERT INTO sqlite_stat'
}

# --- bad arguments change nothing ----------------------------------------
before=$(dump)
for args in "--audit-years 0" "--case-years 101" "--as-of 2020-13-01" \
    "--as-of 2999-01-01" "--bogus" "extra"; do
    # shellcheck disable=SC2086
    purge $args
    if [ "$rc" -eq 2 ] && [ "$(grep -vc 'COMPEL_TEST_CLOCK_FILE' "$err")" -eq 1 ] &&
        [ ! -s "$out" ]; then
        pass "refused: $args"
    else
        fail "refused: $args: exit $rc (want 2)"
    fi
done
"$compel" purge --db "sqlite:$dir/none.db" >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 1 ] && pass "a missing database: exit 1" ||
    fail "a missing database: exit $rc"
[ "$(dump)" = "$before" ] && pass "nothing changed by refusals" ||
    fail "a refused run changed the database"

# --- the database refuses deletions outside the purge: the append-only
# tables always, a held case's rows even inside a purge -------------------
for sql in "DELETE FROM detainers WHERE id = '${ids[held]}'" \
    "DELETE FROM events WHERE case_id = '${ids[y5d1]}'" \
    "DELETE FROM documents WHERE case_id = '${ids[held]}'" \
    "DELETE FROM audit WHERE seq = 1" \
    "DELETE FROM case_holds" \
    "INSERT INTO audit_horizon VALUES (1, 1, zeroblob(32), 1)"; do
    if sqlite3 "$db" "$sql" 2>/dev/null; then
        fail "the database let through: $sql"
    else
        pass "refused by the database: ${sql%% WHERE*}"
    fi
done

head=$(q "SELECT max(seq) FROM audit;")

# --- a dry run ------------------------------------------------------------
before=$(dump)
purge --dry-run --audit-years 1 --case-years 1
if [ "$rc" -eq 0 ] && grep -q "^would purge: audit=$((head - 1)) detainers=3 subpoenas=0 enforcements=0 documents=3 events=3 disclosures=0 deadlines=0$" "$out"; then
    pass "dry run: $(head -1 "$out")"
else
    fail "dry run: exit $rc"
fi
[ "$(dump)" = "$before" ] && pass "the dry run changed nothing" ||
    fail "the dry run changed the database"

# --- the purge -----------------------------------------------------------
purge --audit-years 1 --case-years 1
if [ "$rc" -eq 0 ] && grep -q "^purged: audit=$((head - 1)) detainers=3 " "$out" &&
    grep -q "^audit horizon: entry $((head - 1))$" "$out" &&
    grep -q "^audited: 1 batch, last record $((head + 1))$" "$out"; then
    pass "purge: $(tr '\n' ' ' <"$out")"
else
    fail "purge: exit $rc"
fi
left() { q "SELECT count(*) FROM detainers WHERE id = '${ids[$1]}';"; }
rows() {
    q "SELECT (SELECT count(*) FROM events WHERE case_id = '${ids[$1]}') ||
       (SELECT count(*) FROM documents WHERE case_id = '${ids[$1]}');"
}
# Closed cases, one year: 364 days kept; 366 days and older gone.
for k in d364 held open; do
    if [ "$(left "$k")" = 1 ] && [ "$(rows "$k")" = 11 ]; then
        pass "kept with its timeline and documents: $k"
    else
        fail "not kept: $k ($(left "$k") row, $(rows "$k"))"
    fi
done
for k in d366 y4d364 y5d1; do
    if [ "$(left "$k")" = 0 ] && [ "$(rows "$k")" = 00 ]; then
        pass "purged with its timeline and documents: $k"
    else
        fail "not purged: $k"
    fi
done
# One record of the run, with its counts and the horizon.
detail=$(q "SELECT detail FROM audit WHERE action = 'retention.purge';")
if [ "$(q "SELECT count(*) FROM audit WHERE action = 'retention.purge';")" = 1 ] &&
    [[ "$detail" == *"audit=$((head - 1)) detainers=3 subpoenas=0"* ]] &&
    [[ "$detail" == *" horizon=$((head - 1)):"* ]]; then
    pass "the run is audited: ${detail:0:60}..."
else
    fail "purge audit record: $detail"
fi

# --- verification after the purge -----------------------------------------
"$compel" audit verify --db "$url" >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 0 ] && grep -q "^ok: 2 entries verified$" "$out" &&
    pass "verify after the purge: $(cat "$out")" ||
    fail "verify after the purge: exit $rc"
"$compel" audit verify --db "$url" --checkpoint "$dir/old.cp" >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "^bad: entry 2: checkpoint_purged$" "$out" &&
    pass "a checkpoint older than the horizon: $(cat "$out")" ||
    fail "old checkpoint: exit $rc"
"$compel" audit checkpoint --db "$url" --out "$dir/new.cp" >"$out" 2>"$err"
"$compel" audit verify --db "$url" --checkpoint "$dir/new.cp" >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 0 ] && pass "a checkpoint after the purge verifies" ||
    fail "new checkpoint: exit $rc"

# A second run at the same moment removes no case, and of the trail only
# the record that was the head (the last record always stays).
purge --audit-years 1 --case-years 1
[ "$rc" -eq 0 ] && grep -q "^purged: audit=1 detainers=0 " "$out" &&
    "$compel" audit verify --db "$url" >/dev/null 2>&1 &&
    pass "a second run: $(head -1 "$out")" || fail "second run"

# An intruder who removes entries and forges the horizon without a purge
# record naming it is caught.
cp "$db" "$dir/t.db"
[ -f "$db-wal" ] && cp "$db-wal" "$dir/t.db-wal"
cp -p "$db.key" "$dir/t.db.key"
sqlite3 "$dir/t.db" "DROP TRIGGER audit_never_deleted;
    DROP TRIGGER audit_horizon_forward;
    UPDATE audit_horizon SET seq = seq + 1,
        hash = (SELECT hash FROM audit WHERE seq = (SELECT min(seq) FROM audit));
    DELETE FROM audit WHERE seq = (SELECT min(seq) FROM audit);"
"$compel" audit verify --db "sqlite:$dir/t.db" >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "horizon_unaudited" "$out" &&
    pass "a forged horizon: $(cat "$out")" || fail "forged horizon: exit $rc"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all passed"
