#!/bin/bash
# backup.sh: the restore drill of `compel backup` and `compel restore`
# (issue 7; security matrix T-BK-1, T-BK-2). $1 is the compel binary.
#
# init + demo, a signed audit checkpoint, a backup; the backup holds none
# of the plaintext canaries that the database holds; it is restored into a
# new path and checked from the outside: PRAGMA integrity_check,
# `compel audit verify` against the checkpoint, row counts per table equal
# (sqlite3 on both files). Then what must be refused, with nothing written
# at the target: one flipped byte in the header, the sealed metadata, the
# middle and the last byte; a file cut short inside a chunk and exactly
# after a whole chunk; another key file; bytes appended; a checkpoint newer
# than the backup; an existing database without --force, or with a -wal
# file; PostgreSQL URLs. --force replaces an existing database.
set -u

compel=${1:?usage: backup.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT
db="$dir/live/c.db"
key="$dir/live/c.db.key"
mkdir -p "$dir/live" "$dir/offsite" "$dir/restore"

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

# refused NAME EXIT PATTERN ARGS...: exits EXIT with one stderr line
# matching PATTERN and nothing on stdout.
refused() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$compel" "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
        grep -q -- "$pattern" "$dir/err" && [ ! -s "$dir/out" ]; then
        pass "$name: $(cat "$dir/err")"
    else
        fail "$name: exit $rc (want $want): $(cat "$dir/err" "$dir/out")"
    fi
}

# nothing_at DIR NAME: no database, companion or temporary file in DIR.
nothing_at() {
    local left
    left=$(ls -A "$1")
    [ -z "$left" ] && pass "$2: nothing written in $(basename "$1")" ||
        fail "$2: left in $1: $left"
}

# counts FILE: "table rows" for every table, by sqlite3.
counts() {
    sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND
                  name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name" |
        while read -r t; do
            echo "$t $(sqlite3 "$1" "SELECT count(*) FROM \"$t\"")"
        done
}

printf 'a-long-test-password\n' >"$dir/pw"
. "$(dirname "$0")/lib/demo_db.sh"
demo_db "$compel" "$db" 2>"$dir/err" || {
    fail "init + demo: $(cat "$dir/err")"
    exit 1
}
"$compel" audit checkpoint --db "sqlite:$db" --out "$dir/offsite/cp.txt" \
    >/dev/null 2>"$dir/err" || fail "checkpoint: $(cat "$dir/err")"

# --- backup ------------------------------------------------------------------
bk="$dir/offsite/c.backup"
"$compel" backup --db "sqlite:$db" --out "$bk" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$dir/err" ] &&
    grep -q "^integrity_check of the copy: ok$" "$dir/out" &&
    grep -q "^rows recorded: [1-9][0-9]* in [1-9][0-9]* tables$" "$dir/out" &&
    grep -q "^audit trail verified in the copy: [1-9][0-9]* entries$" "$dir/out" &&
    grep -q "keep a copy of $key apart" "$dir/out"; then
    pass "backup: $(head -1 "$dir/out")"
else
    fail "backup: exit $rc: $(cat "$dir/out" "$dir/err")"
fi
[ "$(stat -c %a "$bk")" = 600 ] && pass "the backup is mode 600" ||
    fail "backup mode $(stat -c %a "$bk")"
left=$(ls -A "$dir/live" | grep -v -x -e c.db -e c.db.key)
[ -z "$left" ] && pass "no plaintext temporary file left next to the database" ||
    fail "left next to the database: $left"
[ ! -e "$bk.tmp" ] && pass "no $bk.tmp left" || fail "$bk.tmp left"
[ "$(head -c 13 "$bk")" = compel-backup ] && pass "the backup starts compel-backup" ||
    fail "backup magic: $(head -c 13 "$bk" | od -c | head -1)"

# T-BK-2: plaintext canaries held by the database are not in the backup.
name=$(sqlite3 "$db" "SELECT name FROM users WHERE email LIKE 'officer@%'")
for canary in "SQLite format 3" "$name" "records@county.demo.example" \
    "Tualatin Valley County Sheriff"; do
    in_db=$(grep -c -a -F -- "$canary" "$db")
    in_bk=$(grep -c -a -F -- "$canary" "$bk")
    if [ -n "$canary" ] && [ "$in_db" -gt 0 ] && [ "$in_bk" -eq 0 ]; then
        pass "canary '$canary': in the database, 0 hits in the backup"
    else
        fail "canary '$canary': $in_db lines in the database, $in_bk in the backup"
    fi
done

# --- the drill: restore into a new path and check it from the outside ---------
new="$dir/restore/n.db"
"$compel" restore --in "$bk" --db "sqlite:$new" --key-file "$key" \
    --checkpoint "$dir/offsite/cp.txt" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$dir/err" ] &&
    grep -q "^authenticated: $bk " "$dir/out" &&
    grep -q "^integrity_check: ok$" "$dir/out" &&
    grep -q "^row counts: [1-9][0-9]* rows in [1-9][0-9]* tables, equal to the backup's record$" "$dir/out" &&
    grep -q "^audit trail: ok: [1-9][0-9]* entries verified" "$dir/out" &&
    grep -q "^checkpoint: the first [1-9][0-9]* entries match it" "$dir/out" &&
    grep -q "^restored to $new$" "$dir/out"; then
    pass "restore: $(tr '\n' ';' <"$dir/out")"
else
    fail "restore: exit $rc: $(cat "$dir/out" "$dir/err")"
fi
[ "$(ls -A "$dir/restore")" = n.db ] && pass "only n.db in the target directory" ||
    fail "target directory: $(ls -A "$dir/restore")"
[ "$(stat -c %a "$new")" = 600 ] && pass "the restored database is mode 600" ||
    fail "restored mode $(stat -c %a "$new")"
out=$(sqlite3 "$new" "PRAGMA integrity_check" 2>&1)
[ "$out" = ok ] && pass "sqlite3 integrity_check of the restored database: ok" ||
    fail "integrity_check: $out"
out=$("$compel" audit verify --db "sqlite:$new" --key-file "$key" \
    --checkpoint "$dir/offsite/cp.txt" 2>&1)
case $out in
ok:*"checkpoint: the first"*) pass "compel audit verify against the checkpoint: $(echo "$out" | tr '\n' ';')" ;;
*) fail "audit verify of the restored database: $out" ;;
esac
counts "$db" >"$dir/counts.live"
counts "$new" >"$dir/counts.restored"
ntables=$(wc -l <"$dir/counts.live")
if [ "$ntables" -gt 20 ] && cmp -s "$dir/counts.live" "$dir/counts.restored"; then
    pass "row counts equal in all $ntables tables ($(awk '{s += $2} END {print s}' "$dir/counts.live") rows)"
else
    fail "row counts differ: $(diff "$dir/counts.live" "$dir/counts.restored" | head -5)"
fi
cp "$key" "$dir/restore/n.db.key"
"$compel" user --db "sqlite:$new" list >"$dir/out" 2>"$dir/err"
grep -q "officer@field.demo.example" "$dir/out" &&
    pass "the restored database opens with its key file: $(tail -1 "$dir/out")" ||
    fail "user list on the restored database: $(cat "$dir/err" "$dir/out")"
rm -f "$dir/restore/n.db.key"

# --- refusals: nothing is written at the target -------------------------------
size=$(stat -c %s "$bk")
meta_len=$(od -An -tu4 -j36 -N4 "$bk" | tr -d ' ')
target="$dir/t/x.db"
mkdir -p "$dir/t"
# flip OFFSET: a copy of the backup with the byte at OFFSET inverted.
flip() {
    cp "$bk" "$dir/bad"
    local b
    b=$(od -An -tu1 -j "$1" -N1 "$bk" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 255)))" |
        dd of="$dir/bad" bs=1 seek="$1" conv=notrunc status=none
    cmp -s "$bk" "$dir/bad" && fail "flip $1 changed nothing"
}
for at in 0 13 20 30 40 $((64 + meta_len / 2)) $((size / 2)) $((size - 1)); do
    flip "$at"
    refused "one flipped byte at offset $at of $size" 1 "refused:" \
        restore --in "$dir/bad" --db "sqlite:$target" --key-file "$key"
    nothing_at "$dir/t" "flipped byte at $at"
done
head -c $((size - 1)) "$bk" >"$dir/bad"
refused "the last byte cut off" 1 "refused: it does not authenticate" \
    restore --in "$dir/bad" --db "sqlite:$target" --key-file "$key"
nothing_at "$dir/t" "last byte cut off"
head -c $((64 + meta_len + 65536 + 17)) "$bk" >"$dir/bad"
refused "cut after the first whole chunk" 1 "refused: it was cut short" \
    restore --in "$dir/bad" --db "sqlite:$target" --key-file "$key"
nothing_at "$dir/t" "cut after a chunk"
{ cat "$bk"; printf 'x'; } >"$dir/bad"
refused "a byte appended" 1 "refused:" \
    restore --in "$dir/bad" --db "sqlite:$target" --key-file "$key"
nothing_at "$dir/t" "byte appended"
printf 'compel-key-v1 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    >"$dir/other.key"
chmod 600 "$dir/other.key"
refused "another key file" 1 "refused: it does not authenticate" \
    restore --in "$bk" --db "sqlite:$target" --key-file "$dir/other.key"
nothing_at "$dir/t" "another key file"
refused "a file that is not a backup" 1 "refused: it is not a compel backup" \
    restore --in "$db" --db "sqlite:$target" --key-file "$key"
nothing_at "$dir/t" "not a backup"

# A checkpoint taken after the backup covers entries the backup lacks.
"$compel" user --db "sqlite:$db" add --email late@agency.test --name "Late User" \
    --org "Agency Field Office" \
    --roles officer --password-file "$dir/pw" >/dev/null 2>"$dir/err" ||
    fail "user add after the backup: $(cat "$dir/err")"
"$compel" audit checkpoint --db "sqlite:$db" --out "$dir/offsite/cp2.txt" \
    >/dev/null 2>"$dir/err" || fail "checkpoint 2: $(cat "$dir/err")"
# What passed is printed before the audit check that fails.
"$compel" restore --in "$bk" --db "sqlite:$target" --key-file "$key" \
    --checkpoint "$dir/offsite/cp2.txt" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
    grep -q "entry [0-9]*: truncated (against the checkpoint); nothing was written" "$dir/err" &&
    grep -q "^row counts: " "$dir/out" && ! grep -q "^restored" "$dir/out"; then
    pass "a checkpoint newer than the backup: $(cat "$dir/err")"
else
    fail "newer checkpoint: exit $rc: $(cat "$dir/err" "$dir/out")"
fi
nothing_at "$dir/t" "newer checkpoint"

# An existing database is kept without --force, replaced with it.
echo "not a database" >"$target"
refused "restore over an existing database" 1 "already exists; refusing to overwrite it (--force" \
    restore --in "$bk" --db "sqlite:$target" --key-file "$key"
[ "$(cat "$target")" = "not a database" ] && pass "the existing file is untouched" ||
    fail "the existing file changed"
touch "$target-wal"
refused "--force over a database with a -wal file" 1 "x.db-wal exists: a server has the database open" \
    restore --in "$bk" --db "sqlite:$target" --key-file "$key" --force
rm -f "$target-wal"
"$compel" restore --in "$bk" --db "sqlite:$target" --key-file "$key" --force \
    >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^restored to $target (replacing the old database)$" "$dir/out" &&
    [ "$(sqlite3 "$target" "PRAGMA integrity_check")" = ok ] &&
    [ "$(ls -A "$dir/t")" = x.db ]; then
    pass "--force replaces an existing database"
else
    fail "--force: exit $rc: $(cat "$dir/out" "$dir/err"); $(ls -A "$dir/t")"
fi

# --- an interrupted backup leaves no plaintext behind ---------------------------
# A copy of the database with 40 MB more, so that the copy takes a while;
# SIGTERM as soon as the temporary file exists.
mkdir -p "$dir/big"
cp "$db" "$key" "$dir/big/"
sqlite3 "$dir/big/c.db" "CREATE TABLE bulk(x BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
    INSERT INTO bulk SELECT randomblob(1000) FROM n" || fail "bulk table"
"$compel" backup --db "sqlite:$dir/big/c.db" --out "$dir/big.backup" \
    >"$dir/out" 2>"$dir/err" &
bpid=$!
for _ in $(seq 1 3000); do
    compgen -G "$dir/big/.compel-backup-*" >/dev/null && break
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.01
done
kill -TERM "$bpid" 2>/dev/null
wait "$bpid"
rc=$?
left=$(ls -A "$dir/big" | grep -v -x -e c.db -e c.db.key -e c.db-wal -e c.db-shm)
if [ $rc -eq 143 ] && [ -z "$left" ] && [ ! -e "$dir/big.backup" ] &&
    [ ! -e "$dir/big.backup.tmp" ]; then
    pass "a backup stopped by SIGTERM leaves no plaintext copy and no backup"
else
    fail "SIGTERM during backup: exit $rc, left: $left; $(ls "$dir" | grep big)"
fi

# --- usage ---------------------------------------------------------------------
refused "restore of postgresql" 2 "restore PostgreSQL with its own tools" \
    restore --in "$bk" --db "postgresql://localhost/compel" --key-file "$key"
refused "backup of postgresql" 2 "back up PostgreSQL with its own tools" \
    backup --db "postgresql://localhost/compel" --out "$dir/pg.backup"
refused "restore needs --in" 2 "--in FILE is required" restore --db "sqlite:$target"
refused "restore of a missing file" 1 "no such file" \
    restore --in "$dir/none" --db "sqlite:$dir/t/y.db" --key-file "$key"
refused "backup without its key file" 1 "cannot read key file" \
    backup --db "sqlite:$db" --out "$dir/nokey.backup" --key-file "$dir/none.key"
[ ! -e "$dir/nokey.backup" ] && pass "a failed backup leaves no file" ||
    fail "nokey.backup left behind"
"$compel" restore --help | grep -q -- "--checkpoint CP" && pass "restore --help" ||
    fail "restore --help"
"$compel" backup --help | grep -q "encrypted, authenticated" && pass "backup --help" ||
    fail "backup --help"

[ "$failures" -eq 0 ] && echo "all backup.sh checks passed"
exit $((failures > 0))
