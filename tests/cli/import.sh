#!/bin/bash
# import.sh: `compel import` and `compel export` from the outside: a good
# file imports, importing it again creates nothing, a file with three bad
# rows reports all three (line and column) and changes nothing (database
# dump compared), an unknown column is named, a missing file and usage
# errors give their exit codes, and export -> import into a fresh database
# -> export gives the same bytes. $1 is the compel binary.
set -u

compel=${1:?usage: import.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
err=$dir/err

pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1"
    [ -s "$out" ] && echo "     stdout: $(head -5 "$out")"
    [ -s "$err" ] && echo "     stderr: $(head -5 "$err")"
    failures=$((failures + 1))
}
run() {
    "$compel" "$@" >"$out" 2>"$err"
    rc=$?
}
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO "\?audit' ; }

make_db() {
    "$compel" init --db "sqlite:$1" --admin-email admin@agency.test \
        --timezone America/Denver >/dev/null 2>&1
}

cat >"$dir/j.csv" <<'CSV'
name,state,timezone
Washington County,OR,America/Los_Angeles
"Washington County",UT,America/Denver
Denver County,CO,America/Denver
CSV
cat >"$dir/f.csv" <<'CSV'
jurisdiction,jurisdiction_state,name
Washington County,OR,Washington County Jail
Denver County,CO,Downtown Detention Center
CSV
cat >"$dir/p.csv" <<'CSV'
external_ref,family_name,given_names,date_of_birth,a_number,aliases
P-1,Doe,Jane,1980-02-29,A-012-345-678,Jane D; J. Doe
P-2,Roe,"Richard ""Dick""",,,
CSV
cat >"$dir/d.csv" <<'CSV'
external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,state,lodged_at,acknowledged_at,decided_at,outcome_source,decline_reason
D-1,P-1,Washington County,OR,Washington County Jail,final_order,lodged,2024-03-05T14:30:00Z,,,,
D-2,P-2,Denver County,CO,Downtown Detention Center,statements,declined,2024-01-02T10:00:00-07:00,2024-01-02T19:00:00Z,2024-01-03T09:00:00Z,reported,"policy, sanctuary"
CSV
office=(--office "Agency Field Office" --as admin@agency.test)

db=$dir/a.db
make_db "$db"
run import --db "sqlite:$db" jurisdictions "$dir/j.csv"
[ $rc = 0 ] && grep -q "created 3, unchanged 0" "$out" &&
    pass "jurisdictions import" || fail "jurisdictions import"
run import --db "sqlite:$db" facilities "$dir/f.csv"
[ $rc = 0 ] && grep -q "created 2" "$out" && pass "facilities import" ||
    fail "facilities import"
run import --db "sqlite:$db" "${office[@]}" people "$dir/p.csv"
[ $rc = 0 ] && grep -q "created 2" "$out" && pass "people import" ||
    fail "people import"
run import --db "sqlite:$db" "${office[@]}" detainers "$dir/d.csv"
[ $rc = 0 ] && grep -q "created 2" "$out" && pass "detainers import" ||
    fail "detainers import"

before=$(dump "$db")
for k in j:jurisdictions f:facilities; do
    run import --db "sqlite:$db" "${k#*:}" "$dir/${k%%:*}.csv"
    [ $rc = 0 ] && grep -q "created 0" "$out" ||
        fail "re-import ${k#*:} creates nothing"
done
run import --db "sqlite:$db" "${office[@]}" detainers "$dir/d.csv"
[ $rc = 0 ] && grep -q "created 0, unchanged 2" "$out" &&
    [ "$(dump "$db")" = "$before" ] && pass "re-import creates nothing" ||
    fail "re-import creates nothing"

cat >"$dir/bad.csv" <<'CSV'
external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,state,lodged_at
D-10,P-1,Washington County,OR,Washington County Jail,final_order,lodged,2024-03-05T14:30:00Z
D-11,P-1,Washington County,OR,Washington County Jail,hunch,lodged,2024-03-05T14:30:00Z
D-12,P-404,Washington County,OR,Washington County Jail,final_order,lodged,2024-03-05T14:30:00Z
D-13,P-1,Washington County,OR,Nowhere Jail,final_order,lodged,2024-03-05T14:30:00Z
CSV
run import --db "sqlite:$db" "${office[@]}" detainers "$dir/bad.csv"
if [ $rc = 1 ] && grep -q "line 3, column basis:" "$err" &&
    grep -q "line 4, column person_ref:" "$err" &&
    grep -q "line 5, column facility:" "$err" &&
    grep -q "3 errors in 4 rows; nothing was imported" "$err" &&
    [ "$(dump "$db")" = "$before" ]; then
    pass "three bad rows reported, nothing imported"
else
    fail "three bad rows reported, nothing imported"
fi

printf 'name,state,timezone,county_seat\nX,CO,America/Denver,Y\n' >"$dir/u.csv"
run import --db "sqlite:$db" jurisdictions "$dir/u.csv"
[ $rc = 1 ] && grep -q 'line 1, column county_seat: unknown column' "$err" &&
    pass "unknown column named" || fail "unknown column named"

run import --db "sqlite:$db" jurisdictions "$dir/missing.csv"
[ $rc = 1 ] && [ "$(wc -l <"$err")" = 1 ] && pass "missing file exits 1" ||
    fail "missing file exits 1"
run import --db "sqlite:$db" counties "$dir/j.csv"
[ $rc = 2 ] && pass "unknown kind exits 2" || fail "unknown kind exits 2"
run import --db "sqlite:$db" people "$dir/p.csv"
[ $rc = 2 ] && grep -q -- "--office" "$err" && pass "people need --office" ||
    fail "people need --office"
# New detainers are staged and go into the table together at the end
# (sq_bulk.c): one whose generated number turns out to be taken (here the
# case counter is set back behind D-2's number) is reported on its line,
# and nothing of the file is imported.
sqlite3 "$db" "UPDATE case_counters SET last = 1 WHERE kind = 'DET' AND year = 2024"
taken=$(sqlite3 "$db" "SELECT number FROM detainers WHERE external_ref = 'D-2'")
before=$(dump "$db")
cat >"$dir/late.csv" <<'CSV'
external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,state,lodged_at
D-20,P-1,Washington County,OR,Washington County Jail,final_order,lodged,2024-04-05T14:30:00Z
D-21,P-2,Washington County,OR,Washington County Jail,final_order,lodged,2024-04-06T14:30:00Z
CSV
run import --db "sqlite:$db" "${office[@]}" detainers "$dir/late.csv"
if [ $rc = 1 ] && [ "$taken" = DET-2024-000002 ] &&
    grep -q "line 2, column number: number $taken is taken by another detainer" "$err" &&
    ! grep -q "line 3" "$err" && [ "$(dump "$db")" = "$before" ]; then
    pass "a staged detainer whose number is taken fails the import"
else
    fail "a staged detainer whose number is taken fails the import"
fi
sqlite3 "$db" "UPDATE case_counters SET last = 2 WHERE kind = 'DET' AND year = 2024"

run import --db "sqlite:$db" "${office[@]}" --dry-run detainers "$dir/bad.csv"
[ $rc = 1 ] && pass "dry run reports errors too" || fail "dry run reports errors"

run export --db "sqlite:$db" detainers --out "$dir/e1.csv"
[ $rc = 0 ] && [ "$(wc -l <"$dir/e1.csv")" = 3 ] && pass "export" ||
    fail "export"
run export --db "sqlite:$db" detainers --state declined
[ $rc = 0 ] && [ "$(wc -l <"$out")" = 2 ] && grep -q ',D-2,' "$out" &&
    pass "export with a filter" || fail "export with a filter"
run export --db "sqlite:$db" detainers --out "$dir/e1.csv"
[ $rc = 1 ] && pass "export never overwrites" || fail "export never overwrites"

# make_world DB: a fresh database with the jurisdictions, facilities and
# people of j.csv, f.csv and p.csv, and no detainer.
make_world() {
    make_db "$1"
    "$compel" import --db "sqlite:$1" jurisdictions "$dir/j.csv" >/dev/null 2>&1
    "$compel" import --db "sqlite:$1" facilities "$dir/f.csv" >/dev/null 2>&1
    "$compel" import --db "sqlite:$1" "${office[@]}" people "$dir/p.csv" \
        >/dev/null 2>&1
}

db2=$dir/b.db
make_world "$db2"
run import --db "sqlite:$db2" "${office[@]}" detainers "$dir/e1.csv"
"$compel" export --db "sqlite:$db2" detainers --out "$dir/e2.csv" 2>/dev/null
[ $rc = 0 ] && cmp -s "$dir/e1.csv" "$dir/e2.csv" &&
    pass "export -> import -> export is byte-identical" ||
    fail "export -> import -> export is byte-identical"

# More rows than one stage holds (STAGE_CHUNK, 65,536 in src/bulk/import.c):
# the stage goes into the table several times in one import. All rows
# arrive, in file order; a number found taken in the first chunk fails the
# whole import, later chunks included.
db3=$dir/c.db
make_world "$db3"
big() { # FIRST COUNT: detainers BIG-FIRST.. lodged through 2024
    awk -v first="$1" -v n="$2" 'BEGIN {
        print "external_ref,person_ref,jurisdiction,jurisdiction_state," \
              "facility,basis,state,lodged_at"
        for (i = first; i < first + n; i++)
            printf "BIG-%d,P-1,Denver County,CO,Downtown Detention Center," \
                   "final_order,lodged,2024-%02d-%02dT12:00:00Z\n", i,
                   1 + int((i % 300000) / 30000), 1 + (i % 28)
    }'
}
big 0 70000 >"$dir/big.csv"
run import --db "sqlite:$db3" "${office[@]}" detainers "$dir/big.csv"
in_order=$(sqlite3 "$db3" "SELECT count(*) FROM detainers
    WHERE CAST(substr(external_ref, 5) AS INTEGER)
        = rowid - (SELECT min(rowid) FROM detainers)")
if [ $rc = 0 ] && grep -q "created 70000" "$out" && [ "$in_order" = 70000 ]; then
    pass "70,000 detainers over several stages, in file order"
else
    fail "70,000 detainers over several stages, in file order ($in_order)"
fi
sqlite3 "$db3" "UPDATE case_counters SET last = 69999 WHERE kind = 'DET' AND year = 2024"
before=$(dump "$db3")
big 70000 70000 >"$dir/big2.csv"
run import --db "sqlite:$db3" "${office[@]}" detainers "$dir/big2.csv"
if [ $rc = 1 ] && grep -q "line 2, column number: number DET-2024-070000 is taken" "$err" &&
    grep -q ": 1 error in 70000 rows; nothing was imported" "$err" &&
    [ "$(dump "$db3")" = "$before" ]; then
    pass "a number taken in the first stage fails the whole import"
else
    fail "a number taken in the first stage fails the whole import"
fi

[ $failures = 0 ] || { echo "$failures failed"; exit 1; }
