#!/bin/bash
# report.sh: `compel report jurisdictions` from the outside, on detainers
# imported with `compel import` (docs/import.md): the table, CSV and JSON
# formats, the --public export, a date range in the jurisdictions' own
# time zones, and usage errors (exit 2, one line). $1 is the compel binary.
#
# The data, counted by hand:
#   Alpha County (CO, America/Denver, MST = UTC-7):
#     D-1 lodged 2024-03-01T17:00Z (10:00 on 1 March in Denver), honored
#         2024-03-01T20:00Z, reported
#     D-2 lodged 2024-03-02T17:00Z, declined 2024-03-03T18:00Z, reported
#     D-3 lodged 2024-03-05T17:00Z, not decided
#   Beta County (IL, America/Chicago, CST = UTC-6):
#     D-4 lodged 2024-03-01T03:00Z, which is 21:00 on 29 February 2024 in
#         Chicago (2024 is a leap year): it counts on 29 February, outside
#         March.
# All time: Alpha lodged 3, honored 1, declined 1; Beta lodged 1.
# March 2024: Alpha lodged 3; Beta lodged 0.
set -u

compel=${1:?usage: report.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/c.db"

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}

check() { # NAME CONDITION-RESULT DETAIL
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else fail "$1: $3"; fi
}

echo "correct horse battery staple" >"$dir/pw"
"$compel" init --db "$db" --admin-email admin@agency.test \
    --admin-password-file "$dir/pw" >/dev/null 2>"$dir/err" ||
    { fail "init: $(cat "$dir/err")"; exit 1; }

cat >"$dir/j.csv" <<'CSV'
name,state,timezone
Alpha County,CO,America/Denver
Beta County,IL,America/Chicago
CSV
cat >"$dir/f.csv" <<'CSV'
jurisdiction,jurisdiction_state,name
Alpha County,CO,Alpha County Jail
Beta County,IL,Beta County Jail
CSV
cat >"$dir/p.csv" <<'CSV'
external_ref,family_name,given_names
P-1,Testperson,Ann
CSV
cat >"$dir/d.csv" <<'CSV'
external_ref,person_ref,jurisdiction,jurisdiction_state,facility,basis,state,lodged_at,acknowledged_at,decided_at,outcome_source,decline_reason
D-1,P-1,Alpha County,CO,Alpha County Jail,final_order,honored,2024-03-01T17:00:00Z,2024-03-01T18:00:00Z,2024-03-01T20:00:00Z,reported,
D-2,P-1,Alpha County,CO,Alpha County Jail,final_order,declined,2024-03-02T17:00:00Z,2024-03-02T18:00:00Z,2024-03-03T18:00:00Z,reported,county policy
D-3,P-1,Alpha County,CO,Alpha County Jail,final_order,lodged,2024-03-05T17:00:00Z,,,,
D-4,P-1,Beta County,IL,Beta County Jail,final_order,lodged,2024-03-01T03:00:00Z,,,,
CSV
for k in jurisdictions facilities people detainers; do
    f=$dir/${k:0:1}.csv
    if ! "$compel" import --db "$db" --as admin@agency.test \
        --office "Agency Field Office" "$k" "$f" >"$dir/out" 2>"$dir/err"; then
        fail "import $k: $(cat "$dir/err" "$dir/out")"
        exit 1
    fi
done

# table: a header line, a column line, one line per jurisdiction by name
"$compel" report --db "$db" jurisdictions >"$dir/out" 2>"$dir/err"
rc=$?
check "table exit 0, quiet" $((rc + $(wc -c <"$dir/err"))) "exit $rc $(cat "$dir/err")"
line=$(grep '^Alpha County' "$dir/out" | tr -s ' ')
case $line in
"Alpha County CO 3 1 1 "*) echo "ok   table Alpha: $line" ;;
*) fail "table Alpha: '$line'" ;;
esac
[ "$(sed -n 3p "$dir/out" | cut -c1-12)" = "Alpha County" ] &&
    [ "$(sed -n 4p "$dir/out" | cut -c1-11)" = "Beta County" ]
check "table sorted by name" $? "$(cat "$dir/out")"

# CSV: header of dotted names, one row per jurisdiction
"$compel" report --db "$db" jurisdictions --format csv >"$dir/out" 2>"$dir/err"
check "csv exit 0" $? "$(cat "$dir/err")"
head -n 1 "$dir/out" | grep -q '^org_id,name,state,detainers.lodged,detainers.honored.total,'
check "csv header" $? "$(head -n 1 "$dir/out")"
[ "$(wc -l <"$dir/out")" -eq 3 ]
check "csv rows" $? "$(cat "$dir/out")"
grep -q ',Alpha County,CO,3,1,1,0,0,1,1,0,0,' "$dir/out"
check "csv Alpha" $? "$(cat "$dir/out")"
grep -q ',Beta County,IL,1,0,0,0,0,0,0,0,0,' "$dir/out"
check "csv Beta" $? "$(cat "$dir/out")"

# JSON over March 2024: D-4 is on 29 February in Chicago
"$compel" report --db "$db" jurisdictions --format json --from 2024-03-01 \
    --to 2024-03-31 >"$dir/out" 2>"$dir/err"
check "json exit 0" $? "$(cat "$dir/err")"
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["from"], d["to"], " ".join("%s=%d" % (j["name"], j["detainers"]["lodged"])
      for j in d["jurisdictions"]))' "$dir/out")
[ "$got" = "2024-03-01 2024-03-31 Alpha County=3 Beta County=0" ]
check "json March 2024" $? "$got"

# the public export: no org_id column, counts below 5 empty
"$compel" report --db "$db" jurisdictions --format csv --public >"$dir/out"
! head -n 1 "$dir/out" | grep -q org_id && grep -q '^Alpha County,CO,,' "$dir/out"
check "public csv" $? "$(cat "$dir/out")"

# usage errors: exit 2, one line on stderr, nothing on stdout
usage() { # NAME PATTERN ARGS...
    local name=$1 pattern=$2
    shift 2
    "$compel" report --db "$db" "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
        grep -q -- "$pattern" "$dir/err" && [ ! -s "$dir/out" ]; then
        echo "ok   $name: $(cat "$dir/err")"
    else
        fail "$name: exit $rc: $(cat "$dir/err")"
    fi
}
usage "bad date" "--from: from must be a date" jurisdictions --from 2024-02-30
usage "bad to" "--to: to must be a date" jurisdictions --to tomorrow
usage "from after to" "is after to" jurisdictions --from 2024-03-02 --to 2024-03-01
usage "bad format" "--format must be" jurisdictions --format xml
usage "no report" "say which report" --format csv
usage "unknown report" "unknown report 'cases'" cases

[ "$failures" -eq 0 ] && echo "all report.sh checks passed"
exit $((failures > 0))
