#!/bin/bash
# audit.sh: `compel audit verify` and `compel audit checkpoint` from the
# outside: a fresh installation verifies, a checkpoint is written once and
# verifies, and copies of the database tampered with through the sqlite3
# tool (an intruder with the file) are caught: a changed entry is named, a
# cut-off entry is caught with the checkpoint. Usage errors exit 2 with one
# line; a bad or foreign checkpoint file exits 1. $1 is the compel binary.
set -u

compel=${1:?usage: audit.sh /path/to/compel}
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

# run ARGS...: run `compel audit ARGS`, leaving the status in $rc.
run() {
    "$compel" audit "$@" >"$out" 2>"$err"
    rc=$?
}

# one_err_line: standard error holds exactly one line.
one_err_line() { [ "$(wc -l <"$err")" -eq 1 ]; }

# usage_error NAME ARGS...: exit 2, one stderr line, nothing on stdout.
usage_error() {
    local name=$1
    shift
    run "$@"
    if [ "$rc" -eq 2 ] && one_err_line && [ ! -s "$out" ]; then
        pass "$name: $(cat "$err")"
    else
        fail "$name: exit $rc (want 2)"
    fi
}

# copy_db NAME: copy the database and its key file to $dir/NAME.db(.key).
copy_db() {
    cp "$db" "$dir/$1.db"
    [ -f "$db-wal" ] && cp "$db-wal" "$dir/$1.db-wal"
    cp -p "$db.key" "$dir/$1.db.key"
}

# tamper NAME SQL: run SQL on copy NAME with the append-only triggers gone.
tamper() {
    sqlite3 "$dir/$1.db" "DROP TRIGGER audit_never_edited;
        DROP TRIGGER audit_never_deleted; $2"
}

db=$dir/a.db
"$compel" init --db "sqlite:$db" --admin-email admin@agency.example \
    >"$out" 2>"$err" || {
    fail "compel init failed"
    exit 1
}

# --- a fresh installation -------------------------------------------------
# init records two entries: the office and its administrator.
run verify --db "sqlite:$db"
if [ "$rc" -eq 0 ] && [ "$(cat "$out")" = "ok: 2 entries verified" ] &&
    [ ! -s "$err" ]; then
    pass "verify a new database: $(cat "$out")"
else
    fail "verify a new database: exit $rc"
fi
if COMPEL_DB="sqlite:$db" "$compel" audit verify >"$out" 2>"$err" &&
    grep -q "^ok: 2 entries verified$" "$out"; then
    pass "verify uses \$COMPEL_DB"
else
    fail "verify with \$COMPEL_DB"
fi

# --- checkpoints ------------------------------------------------------------
cpfile=$dir/cp.txt
run checkpoint --db "sqlite:$db" --out "$cpfile"
if [ "$rc" -eq 0 ] && [ -f "$cpfile" ] && grep -q "^size: 2$" "$out" &&
    grep -Eq "^head: [0-9a-f]{64}$" "$out" && [ ! -s "$err" ] &&
    [ "$(head -n 1 "$cpfile")" = "compel-audit-checkpoint/v1" ] &&
    [ "$(sed -n 3p "$cpfile")" = 2 ]; then
    pass "checkpoint written: $(tr '\n' ' ' <"$out")"
else
    fail "checkpoint: exit $rc"
fi
mode=$(stat -c %a "$cpfile")
if [ $((8#$mode & 8#022)) -eq 0 ]; then
    pass "the checkpoint file (mode $mode) is writable by its owner only"
else
    fail "the checkpoint file has mode $mode"
fi
before=$(sha256sum <"$cpfile")
run checkpoint --db "sqlite:$db" --out "$cpfile"
if [ "$rc" -eq 1 ] && one_err_line && grep -q "refusing to overwrite" "$err" &&
    [ "$(sha256sum <"$cpfile")" = "$before" ]; then
    pass "checkpoint refuses an existing file: $(cat "$err")"
else
    fail "checkpoint over an existing file: exit $rc"
fi

run verify --db "sqlite:$db" --checkpoint "$cpfile"
if [ "$rc" -eq 0 ] && grep -q "^ok: 2 entries verified$" "$out" &&
    grep -q "^checkpoint: the first 2 entries match" "$out"; then
    pass "verify with the checkpoint"
else
    fail "verify with the checkpoint: exit $rc"
fi
run verify --db "sqlite:$db" --key-file "$db.key" --checkpoint "$cpfile"
if [ "$rc" -eq 0 ]; then
    pass "verify with an explicit --key-file"
else
    fail "verify with --key-file: exit $rc"
fi

# --- a changed entry --------------------------------------------------------
copy_db changed
tamper changed "UPDATE audit SET action = 'user.delete' WHERE seq = 2;"
run verify --db "sqlite:$dir/changed.db"
if [ "$rc" -eq 1 ] && [ "$(cat "$out")" = "bad: entry 2: hash_mismatch" ] &&
    one_err_line && grep -q "entry 2 " "$err"; then
    pass "a changed action is named: $(cat "$err")"
else
    fail "changed action: exit $rc"
fi
copy_db first
tamper first "UPDATE audit SET detail = 'compel inib' WHERE seq = 1;"
run verify --db "sqlite:$dir/first.db"
if [ "$rc" -eq 1 ] && [ "$(cat "$out")" = "bad: entry 1: hash_mismatch" ]; then
    pass "a changed detail in entry 1 is named"
else
    fail "changed detail: exit $rc"
fi

# --- a cut-off entry ----------------------------------------------------------
copy_db cut
tamper cut "DELETE FROM audit WHERE seq = 2;"
run verify --db "sqlite:$dir/cut.db"
if [ "$rc" -eq 0 ] && [ "$(cat "$out")" = "ok: 1 entry verified" ]; then
    pass "without a checkpoint, a cut-off tail is not visible (by design)"
else
    fail "cut tail without a checkpoint: exit $rc"
fi
run verify --db "sqlite:$dir/cut.db" --checkpoint "$cpfile"
if [ "$rc" -eq 1 ] && [ "$(cat "$out")" = "bad: entry 2: truncated" ] &&
    one_err_line && grep -q "truncated" "$err"; then
    pass "with the checkpoint, the cut is caught: $(cat "$err")"
else
    fail "cut tail with the checkpoint: exit $rc"
fi

# --- bad checkpoint files -----------------------------------------------------
printf 'compel-audit-checkpoint/v1\nnot a checkpoint\n' >"$dir/junk.txt"
run verify --db "sqlite:$db" --checkpoint "$dir/junk.txt"
if [ "$rc" -eq 1 ] && one_err_line && grep -q "junk.txt" "$err" &&
    [ ! -s "$out" ]; then
    pass "a malformed checkpoint file: $(cat "$err")"
else
    fail "malformed checkpoint: exit $rc"
fi
sed 's/^2$/3/' "$cpfile" >"$dir/edited.txt"
run verify --db "sqlite:$db" --checkpoint "$dir/edited.txt"
if [ "$rc" -eq 1 ] && one_err_line && grep -q "signature" "$err"; then
    pass "an edited checkpoint does not verify"
else
    fail "edited checkpoint: exit $rc"
fi
run verify --db "sqlite:$db" --checkpoint "$dir/missing.txt"
if [ "$rc" -eq 1 ] && one_err_line && grep -q "missing.txt" "$err"; then
    pass "a missing checkpoint file: $(cat "$err")"
else
    fail "missing checkpoint: exit $rc"
fi
# Another installation's checkpoint is signed with another key.
"$compel" init --db "sqlite:$dir/other.db" --admin-email a@b.example \
    >/dev/null 2>&1
run checkpoint --db "sqlite:$dir/other.db" --out "$dir/other.txt"
run verify --db "sqlite:$db" --checkpoint "$dir/other.txt"
if [ "$rc" -eq 1 ] && one_err_line && grep -q "signature" "$err"; then
    pass "another installation's checkpoint is rejected"
else
    fail "foreign checkpoint: exit $rc"
fi
# ... and verified with its own key, it names another database.
run verify --db "sqlite:$db" --key-file "$dir/other.db.key" \
    --checkpoint "$dir/other.txt"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$out")" = "bad: checkpoint: origin_mismatch" ] && one_err_line && grep -q "another database" "$err"; then
    pass "a checkpoint of another database: $(cat "$err")"
else
    fail "origin mismatch: exit $rc"
fi

# --- usage --------------------------------------------------------------------
usage_error "no subcommand"
usage_error "unknown subcommand" frobnicate
usage_error "unknown option" verify --db "sqlite:$db" --bogus
usage_error "missing value" verify --db "sqlite:$db" --checkpoint
usage_error "--out on verify" verify --db "sqlite:$db" --out x
usage_error "--checkpoint on checkpoint" checkpoint --db "sqlite:$db" \
    --checkpoint x --out "$dir/new.txt"
usage_error "checkpoint without --out" checkpoint --db "sqlite:$db"
usage_error "stray argument" verify --db "sqlite:$db" extra
usage_error "unknown URL scheme" verify --db "mysql://x"
usage_error "no key file for a non-sqlite URL" checkpoint \
    --db "postgresql://db/compel" --out "$dir/new.txt"
if [ ! -e "$dir/new.txt" ]; then
    pass "no checkpoint file was written by a refused command"
else
    fail "a refused command wrote a checkpoint file"
fi
run verify --db "sqlite:$dir/nonexistent.db"
if [ "$rc" -eq 1 ] && one_err_line && [ ! -e "$dir/nonexistent.db" ]; then
    pass "verify never creates a database: $(cat "$err")"
else
    fail "verify of a missing database: exit $rc"
fi
# A database whose schema is behind (a migration not applied): verify and
# checkpoint refuse in one line that says to migrate, and change nothing.
copy_db old
sqlite3 "$dir/old.db" "DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)"
before=$(sqlite3 "$dir/old.db" "SELECT count(*) FROM audit")
for sub in verify checkpoint; do
    if [ "$sub" = checkpoint ]; then
        run checkpoint --db "sqlite:$dir/old.db" --out "$dir/old.cp"
    else
        run verify --db "sqlite:$dir/old.db"
    fi
    if [ "$rc" -eq 1 ] && one_err_line &&
        grep -q "needs migrating (1 migration pending): run \`compel migrate\` first" "$err" &&
        [ ! -e "$dir/old.cp" ] &&
        [ "$(sqlite3 "$dir/old.db" "SELECT count(*) FROM audit")" = "$before" ]; then
        pass "audit $sub on an unmigrated database: $(cat "$err")"
    else
        fail "audit $sub on an unmigrated database: exit $rc"
    fi
done
for sub in "" verify checkpoint; do
    # shellcheck disable=SC2086
    run $sub --help
    if [ "$rc" -eq 0 ] && grep -q "^usage: compel audit" "$out"; then
        pass "audit $sub --help"
    else
        fail "audit $sub --help: exit $rc"
    fi
done
run verify --help
missing=""
for flag in --db --key-file --checkpoint --help; do
    grep -q -- "$flag" "$out" || missing="$missing $flag"
done
run checkpoint --help
for flag in --db --key-file --out --help; do
    grep -q -- "$flag" "$out" || missing="$missing $flag"
done
if [ -z "$missing" ]; then
    pass "--help lists every flag"
else
    fail "--help is missing:$missing"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all passed"
