#!/bin/bash
# bench_import.sh: import N detainer rows from CSV (default 1,000,000;
# --smoke: 5,000) and compare the rate with SQLite's own `.import` of the
# same file into a plain table, measured in the same run. The goal
# (issue 4): compel's rate >= 0.5x SQLite's.
#
# It also measures the floor that compel's own table sets: SQLite itself
# copying the rows compel imported, with one INSERT ... SELECT from a
# temporary table, into a copy of the database taken before the import
# (the same `detainers` table: its random text primary key, UNIQUE case
# number, secondary indexes, CHECKs and foreign keys; its report triggers
# dropped, which compel's import defers anyway). No compel code runs in
# it, so its ratio to `.import` bounds what any import into this schema
# can reach on this machine.
#
#   bash bench/bench_import.sh /path/to/compel [--smoke | ROWS]
#
# Build compel in Release for numbers that mean anything.
set -eu

compel=${1:?usage: bench_import.sh /path/to/compel [--smoke|ROWS]}
rows=${2:-1000000}
[ "$rows" = "--smoke" ] && rows=5000
people=$(( rows < 10000 ? rows / 10 + 1 : 2000 ))
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$compel" init --db "sqlite:$dir/c.db" --admin-email admin@bench.test \
    --timezone America/Denver >/dev/null 2>&1

python3 - "$dir" "$rows" "$people" <<'PY'
import sys
d, rows, people = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{d}/j.csv", "w") as f:
    f.write("name,state,timezone\nBench County,CO,America/Denver\n")
with open(f"{d}/f.csv", "w") as f:
    f.write("jurisdiction,jurisdiction_state,name\n")
    for i in range(10):
        f.write(f"Bench County,CO,Jail {i}\n")
with open(f"{d}/p.csv", "w") as f:
    f.write("external_ref,family_name,given_names,date_of_birth,a_number,"
            "aliases\n")
    for i in range(people):
        f.write(f"P-{i},Family{i},Given{i},1980-01-{1 + i % 28:02d},,\n")
bases = ["final_order", "pending_proceedings", "biometric_match",
         "statements"]
with open(f"{d}/d.csv", "w") as f:
    f.write("external_ref,person_ref,jurisdiction,jurisdiction_state,"
            "facility,basis,state,lodged_at\n")
    for i in range(rows):
        # Spread over ten years so that no year needs more than 999,999
        # case numbers: 2014-01-01 plus i * 5 minutes.
        t = 1388534400 + i * 300
        import time
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        f.write(f"D-{i},P-{i % people},Bench County,CO,Jail {i % 10},"
                f"{bases[i % 4]},lodged,{ts}\n")
PY

"$compel" import --db "sqlite:$dir/c.db" jurisdictions "$dir/j.csv" >/dev/null
"$compel" import --db "sqlite:$dir/c.db" facilities "$dir/f.csv" >/dev/null
"$compel" import --db "sqlite:$dir/c.db" --office "Agency Field Office" \
    --as admin@bench.test people "$dir/p.csv" >/dev/null

now() { date +%s.%N; }

cp "$dir/c.db" "$dir/floor.db"

t0=$(now)
sqlite3 "$dir/plain.db" ".mode csv" ".import $dir/d.csv t"
t1=$(now)
"$compel" import --db "sqlite:$dir/c.db" --office "Agency Field Office" \
    --as admin@bench.test detainers "$dir/d.csv" >/dev/null
t2=$(now)

# The floor: the imported rows staged in a temporary table (not timed),
# then one timed INSERT ... SELECT into the copy taken before the import,
# in one transaction, foreign keys on, compel's bulk page cache (64 MiB).
floor_s=$(sqlite3 "$dir/floor.db" <<EOF | awk '/^Run Time/ {t = $4} END {print t}'
PRAGMA foreign_keys = ON;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;
.output $dir/drop.sql
SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master
 WHERE type = 'trigger' AND tbl_name = 'detainers';
.output /dev/null
.read $dir/drop.sql
ATTACH '$dir/c.db' AS imported;
CREATE TEMP TABLE stage AS SELECT * FROM imported.detainers;
DETACH imported;
.output stdout
.timer on
BEGIN; INSERT INTO detainers SELECT * FROM temp.stage; COMMIT;
EOF
)
[ "$(sqlite3 "$dir/floor.db" 'SELECT count(*) FROM detainers')" = "$rows" ] ||
    { echo "bench_import: the floor did not copy $rows rows" >&2; exit 1; }

python3 - "$rows" "$t0" "$t1" "$t2" "$floor_s" <<'PY'
import sys
rows, t0, t1, t2, floor_s = int(sys.argv[1]), *map(float, sys.argv[2:])
plain = rows / (t1 - t0)
ours = rows / (t2 - t1)
floor = rows / floor_s
ratio = ours / plain
print(f"sqlite .import : {rows} rows in {t1 - t0:.2f} s = {plain:,.0f} rows/s")
print(f"compel import  : {rows} rows in {t2 - t1:.2f} s = {ours:,.0f} rows/s")
print(f"sqlite INSERT..SELECT into compel's detainers table (the floor): "
      f"{floor_s:.2f} s = {floor:,.0f} rows/s, {floor / plain:.2f}x .import; "
      f"compel reaches {ours / floor:.2f}x the floor")
print(f"ratio {ratio:.2f} (goal >= 0.50): {'PASS' if ratio >= 0.5 else 'FAIL'}")
PY
