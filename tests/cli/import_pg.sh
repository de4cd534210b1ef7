#!/usr/bin/env bash
# import_pg.sh: `compel import detainers` on PostgreSQL, on a throwaway
# cluster (tests/pg/pgtest.sh), where new detainers are staged: kept as
# COPY rows, sent in one COPY into a temporary table and inserted from it
# with one INSERT ... SELECT per stage (pg_bulk.c). $1 is the compel
# binary.
#
# - 70,000 detainers, more than one stage holds (STAGE_CHUNK, 65,536 in
#   src/bulk/import.c), all arrive, numbered in file order, with text
#   that COPY must escape (backslashes, a "\N" that is not NULL) intact.
# - Importing the same file again creates nothing.
# - Staged detainers whose generated numbers turn out to be taken (the
#   case counter set back) are reported on their lines, and nothing of
#   the file is imported, in a small file and in the first of two stages.
set -uo pipefail

compel=$1
here=$(cd "$(dirname "$0")" && pwd)
pgtest="$here/../pg/pgtest.sh"
tmp=$(mktemp -d)
chmod 0755 "$tmp" # the cluster runs as another user when we are root
failures=0
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"
out=$tmp/out
err=$tmp/err

cleanup() {
    [ -d "$tmp/pg" ] && bash "$pgtest" stop "$tmp/pg"
    rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "ok   $*"; }
fail() {
    echo "FAIL $*"
    [ -s "$out" ] && echo "     stdout: $(head -5 "$out")"
    [ -s "$err" ] && echo "     stderr: $(head -5 "$err")"
    failures=$((failures + 1))
}

db=$(bash "$pgtest" start "$tmp/pg") ||
    { echo "FAIL: cannot start a PostgreSQL cluster" >&2; exit 1; }
key=$tmp/compel.key
psql_q() { psql "$db" -Atc "$1"; }
run() {
    "$compel" "$@" >"$out" 2>"$err"
    rc=$?
}
# What an import may change, as one text: every detainer (but its random
# id) and the case counters.
state() {
    psql_q "SELECT number, external_ref, person_id, facility_id, state,
                   basis, reason FROM detainers ORDER BY number;
            SELECT kind, year, last FROM case_counters ORDER BY kind, year"
}

"$compel" init --db "$db" --key-file "$key" --admin-email admin@agency.test \
    --timezone America/Denver >"$out" 2>"$err" ||
    { fail "init"; exit 1; }
cat >"$tmp/j.csv" <<'CSV'
name,state,timezone
Denver County,CO,America/Denver
CSV
cat >"$tmp/f.csv" <<'CSV'
jurisdiction,jurisdiction_state,name
Denver County,CO,Downtown Detention Center
CSV
cat >"$tmp/p.csv" <<'CSV'
external_ref,family_name,given_names,date_of_birth,a_number,aliases
P-1,Doe,Jane,1980-02-29,A-012-345-678,Jane D; J. Doe
CSV
office=(--office "Agency Field Office" --as admin@agency.test)
run import --db "$db" --key-file "$key" jurisdictions "$tmp/j.csv"
[ $rc = 0 ] || fail "jurisdictions import"
run import --db "$db" --key-file "$key" facilities "$tmp/f.csv"
[ $rc = 0 ] || fail "facilities import"
run import --db "$db" --key-file "$key" "${office[@]}" people "$tmp/p.csv"
[ $rc = 0 ] || fail "people import"

# FIRST COUNT: detainers BIG-FIRST.. lodged through 2024; every 1,000th
# is declined with a reason that COPY must escape (control characters,
# tabs and line breaks included, are refused by the import itself).
big() {
    awk -v first="$1" -v n="$2" 'BEGIN {
        print "external_ref,person_ref,jurisdiction,jurisdiction_state," \
              "facility,basis,state,lodged_at,acknowledged_at,decided_at," \
              "outcome_source,decline_reason"
        for (i = first; i < first + n; i++) {
            t = sprintf("2024-%02d-%02dT12:00:00Z",
                        1 + int((i % 300000) / 30000), 1 + (i % 28))
            if (i % 1000 == 7)
                printf "BIG-%d,P-1,Denver County,CO," \
                       "Downtown Detention Center,final_order,declined," \
                       "%s,%s,%s,reported,\"back\\slash, \\N, " \
                       "\"\"quoted\"\"\"\n", i, t, t, t
            else
                printf "BIG-%d,P-1,Denver County,CO," \
                       "Downtown Detention Center,final_order,lodged," \
                       "%s,,,,\n", i, t
        }
    }'
}
big 0 70000 >"$tmp/big.csv"
run import --db "$db" --key-file "$key" "${office[@]}" detainers "$tmp/big.csv"
in_order=$(psql_q "SELECT count(*) FROM detainers
    WHERE number = 'DET-2024-' || lpad((substr(external_ref, 5)::int + 1)::text, 6, '0')")
reasons=$(psql_q "SELECT count(*) FROM detainers
    WHERE reason = E'back\\\\slash, \\\\N, \"quoted\"'")
if [ $rc = 0 ] && grep -q "created 70000" "$out" && [ "$in_order" = 70000 ] &&
    [ "$reasons" = 70 ]; then
    pass "70,000 detainers over two stages, in file order, text intact"
else
    fail "70,000 detainers over two stages, in file order, text intact ($in_order, $reasons)"
fi

before=$(state)
run import --db "$db" --key-file "$key" "${office[@]}" detainers "$tmp/big.csv"
if [ $rc = 0 ] && grep -q "created 0, unchanged 70000" "$out" &&
    [ "$(state)" = "$before" ]; then
    pass "importing the same file again creates nothing"
else
    fail "importing the same file again creates nothing"
fi

# The case counter set back behind BIG-1's number: both new detainers
# get taken numbers, found only when their stage is inserted, and each
# is reported on its line.
psql_q "UPDATE case_counters SET last = 1 WHERE kind = 'DET' AND year = 2024" >/dev/null
before=$(state)
cat >"$tmp/late.csv" <<'CSV'
external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,state,lodged_at
D-20,P-1,Denver County,CO,Downtown Detention Center,final_order,lodged,2024-04-05T14:30:00Z
D-21,P-1,Denver County,CO,Downtown Detention Center,final_order,lodged,2024-04-06T14:30:00Z
CSV
run import --db "$db" --key-file "$key" "${office[@]}" detainers "$tmp/late.csv"
if [ $rc = 1 ] &&
    grep -q "line 2, column number: number DET-2024-000002 is taken by another detainer" "$err" &&
    grep -q "line 3, column number: number DET-2024-000003 is taken by another detainer" "$err" &&
    grep -q ": 2 errors in 2 rows; nothing was imported" "$err" &&
    [ "$(state)" = "$before" ]; then
    pass "a staged detainer whose number is taken fails the import"
else
    fail "a staged detainer whose number is taken fails the import"
fi

psql_q "UPDATE case_counters SET last = 69999 WHERE kind = 'DET' AND year = 2024" >/dev/null
before=$(state)
big 70000 70000 >"$tmp/big2.csv"
run import --db "$db" --key-file "$key" "${office[@]}" detainers "$tmp/big2.csv"
if [ $rc = 1 ] && grep -q "line 2, column number: number DET-2024-070000 is taken" "$err" &&
    grep -q ": 1 error in 70000 rows; nothing was imported" "$err" &&
    [ "$(state)" = "$before" ]; then
    pass "a number taken in the first stage fails the whole import"
else
    fail "a number taken in the first stage fails the whole import"
fi

[ $failures = 0 ] || { echo "$failures failed"; exit 1; }
