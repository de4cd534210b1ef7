#!/bin/bash
# deadline.sh: `compel deadline` from the outside: outputs and exit codes of
# good and bad invocations. $1 is the compel binary. Expected dates are
# reasoned from the real calendar in the comments.
set -u

compel=${1:?usage: deadline.sh /path/to/compel}
failures=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# ok NAME EXPECTED-FIRST-LINE ARGS...: exit 0, first line of stdout as given.
ok() {
    local name=$1 want=$2
    shift 2
    "$compel" deadline "$@" >"$out" 2>"$err"
    local rc=$? got
    got=$(head -n 1 "$out")
    if [ "$rc" -eq 0 ] && [ "$got" = "$want" ] && [ ! -s "$err" ]; then
        echo "ok   $name: $got"
    else
        echo "FAIL $name: exit $rc, got '$got', want '$want'; stderr: $(cat "$err")"
        failures=$((failures + 1))
    fi
}

# usage NAME PATTERN ARGS...: exit 2, exactly one line on stderr matching
# PATTERN, nothing on stdout.
usage() {
    local name=$1 pattern=$2
    shift 2
    "$compel" deadline "$@" >"$out" 2>"$err"
    local rc=$? lines
    lines=$(wc -l <"$err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$err" &&
        [ ! -s "$out" ]; then
        echo "ok   $name: $(cat "$err")"
    else
        echo "FAIL $name: exit $rc, $lines stderr lines: $(cat "$err")"
        failures=$((failures + 1))
    fi
}

# contains NAME TEXT: the last good run's stdout has the line TEXT.
contains() {
    if grep -qxF -- "$2" "$out"; then
        echo "ok   $1"
    else
        echo "FAIL $1: no line '$2' in:"
        cat "$out"
        failures=$((failures + 1))
    fi
}

# Served Monday 13 January 2020, 14 days: Monday 27 January (MLK Day, the
# 20th, is an intermediate day and counts).
ok subpoena-14-days 2020-01-27 --from 2020-01-13 --days 14
ok subpoena-14-days-explicit-rule 2020-01-27 --from 2020-01-13 --days 14 \
    --rule frcp6-days
# Ends Friday 3 July 2020, Independence Day observed: Monday 6 July.
ok observed-july-4 2020-07-06 --from 2020-06-19 --days 14
# Ends Monday 2 January 2023, New Year's Day observed: Tuesday 3 January.
ok observed-new-year 2023-01-03 --from 2022-12-19 --days 14
# Juneteenth: 19 June 2020 was not yet a holiday; 19 June 2023 was.
ok juneteenth-2020 2020-06-19 --from 2020-06-05 --days 14
ok juneteenth-2023 2023-06-20 --from 2023-06-05 --days 14
# 24 December 2019 (EO 13900 closure), then Christmas: Thursday 26.
ok no-closure 2019-12-24 --from 2019-12-10 --days 14
ok eo-13900 2019-12-26 --from 2019-12-10 --days 14 \
    --closure "2019-12-24:Christmas Eve (EO 13900)" --explain
contains eo-13900-version "calendar: federal version 2"
contains eo-13900-closure "rolled over: Tuesday 2019-12-24: closure: Christmas Eve (EO 13900) [command line (--closure)]"
contains eo-13900-christmas "rolled over: Wednesday 2019-12-25: legal holiday: Christmas Day [5 U.S.C. 6103(a)]"
contains eo-13900-due "due: Thursday 2019-12-26"
# 14 days before Friday 17 July 2020 is Friday 3 July (observed holiday):
# back to Thursday 2 July.
ok backward 2020-07-02 --from 2020-07-17 --days 14 --before
# 5 business days after Wednesday 25 November 2020 (Thanksgiving the 26th):
# Thursday 3 December.
ok business-days 2020-12-03 --from 2020-11-25 --days 5 --rule business-days
# Hour clocks from Friday 17 January 2020 15:00 MST.
ok 48h-clock 2020-01-19T15:00:00-07:00 --from 2020-01-17T15:00 \
    --tz America/Denver --hours 48 --rule 48h-clock
ok frcp6-hours 2020-01-21T15:00:00-07:00 --from 2020-01-17T15:00 \
    --tz America/Denver --hours 48 --rule frcp6-hours
ok 48h-excluding 2020-01-22T15:00:00-07:00 --from 2020-01-17T15:00 \
    --tz America/Denver --hours 48 --rule 48h-excluding-weekends-holidays \
    --explain
contains 48h-excluding-mlk "not counted: Monday 2020-01-20: legal holiday: Birthday of Martin Luther King, Jr. [5 U.S.C. 6103(a)]"
contains 48h-excluding-due "due: 2020-01-22T15:00:00-07:00 (Wednesday)"
# The trigger as an RFC 3339 instant: 22:00 UTC is 15:00 MST.
ok rfc3339-trigger 2020-01-19T15:00:00-07:00 --from 2020-01-17T22:00:00Z \
    --tz America/Denver --hours 48 --rule 48h-clock
# Across the start of DST (Sunday 8 March 2020, 02:00): 48 elapsed hours.
ok dst-48h 2020-03-09T13:00:00-06:00 --from 2020-03-07T12:00 \
    --tz America/Denver --hours 48 --rule 48h-clock

# --help lists every flag and exits 0.
"$compel" deadline --help >"$out" 2>"$err"
rc=$?
missing=""
for flag in --from --days --hours --rule --tz --before --closure --explain \
    --help; do
    grep -q -- "$flag" "$out" || missing="$missing $flag"
done
if [ "$rc" -eq 0 ] && [ -z "$missing" ]; then
    echo "ok   help"
else
    echo "FAIL help: exit $rc, missing:$missing"
    failures=$((failures + 1))
fi

usage invalid-date "2021-02-29" --from 2021-02-29 --days 14
usage bad-date-shape "not a valid date" --from 2020-1-13 --days 14
usage unknown-rule "unknown rule" --from 2020-01-13 --days 14 --rule nope
usage negative-days "--days" --from 2020-01-13 --days -3
usage non-numeric-days "--days" --from 2020-01-13 --days ten
usage huge-days "--days" --from 2020-01-13 --days 99999999999999999999
usage negative-hours "--hours" --from 2020-01-17T15:00 --tz America/Denver \
    --hours -1 --rule 48h-clock
usage unknown-zone "unknown time zone" --from 2020-01-17T15:00 \
    --tz Mars/Olympus_Mons --hours 48 --rule 48h-clock
usage zone-traversal "unknown time zone" --from 2020-01-17T15:00 \
    --tz ../../etc/passwd --hours 48 --rule 48h-clock
usage days-with-hour-rule "hour rule" --from 2020-01-13 --days 14 \
    --rule 48h-clock
usage hours-with-day-rule "day rule" --from 2020-01-17T15:00 \
    --tz America/Denver --hours 48 --rule frcp6-days
usage hours-without-tz "--tz" --from 2020-01-17T15:00 --hours 48 \
    --rule 48h-clock
usage hours-without-rule "--rule" --from 2020-01-17T15:00 \
    --tz America/Denver --hours 48
usage hours-date-only "date-time" --from 2020-01-17 --tz America/Denver \
    --hours 48 --rule 48h-clock
usage missing-from "--from is required" --days 14
usage missing-period "--days or --hours" --from 2020-01-13
usage both-periods "not both" --from 2020-01-13 --days 1 --hours 1
usage unknown-flag "unknown option '--frobnicate'" --from 2020-01-13 \
    --days 14 --frobnicate
usage missing-value "needs a value" --from
usage bad-closure "--closure" --from 2020-01-13 --days 14 \
    --closure 2019-02-30:x
usage duplicate-closure "already" --from 2020-01-13 --days 14 \
    --closure 2019-12-24 --closure 2019-12-24
usage stray-argument "unexpected argument" --from 2020-01-13 --days 14 extra
usage rule-not-in-effect "no version in effect" --from 1980-01-02 --days 10

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
