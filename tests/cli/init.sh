#!/bin/bash
# init.sh: `compel init` and `compel migrate` from the outside: what is
# created, what is refused, exit codes, and that a refused or failed init
# leaves no files behind. $1 is the compel binary.
set -u

compel=${1:?usage: init.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out
err=$dir/err

pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1"
    [ -s "$err" ] && echo "     stderr: $(cat "$err")"
    failures=$((failures + 1))
}

# refused NAME STATUS PATTERN ARGS...: `compel init ARGS` exits STATUS
# with exactly one stderr line matching PATTERN and nothing on stdout.
refused() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$compel" init "$@" >"$out" 2>"$err"
    local rc=$? lines
    lines=$(wc -l <"$err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] &&
        grep -q -- "$pattern" "$err" && [ ! -s "$out" ]; then
        pass "$name: $(cat "$err")"
    else
        fail "$name: exit $rc (want $want), $lines stderr lines"
    fi
}

# --- a good init with a generated password --------------------------------
db=$dir/a.db
"$compel" init --db "sqlite:$db" --admin-email admin@agency.example \
    >"$out" 2>"$err"
rc=$?
pw=$(sed -n 's/^password: //p' "$out")
if [ "$rc" -eq 0 ] && [ -f "$db" ] && [ "${#pw}" -ge 16 ]; then
    pass "init creates the database and prints a password"
else
    fail "init: exit $rc, password '${pw}'"
fi
if [ "$(grep -c -F -- "$pw" "$out")" -eq 1 ] &&
    ! grep -q -F -- "$pw" "$err"; then
    pass "the password is printed exactly once, on stdout"
else
    fail "the password is not printed exactly once"
fi
if grep -q "admin@agency.example" "$out"; then
    pass "the output names the admin's email"
else
    fail "the output does not name the admin's email"
fi
if [ -f "$db.key" ] && [ "$(stat -c %a "$db.key")" = 600 ]; then
    pass "key file $db.key has mode 0600"
else
    fail "key file missing or mode $(stat -c %a "$db.key" 2>/dev/null)"
fi
if [ "$(stat -c %a "$db")" = 600 ]; then
    pass "the database file has mode 0600"
else
    fail "database mode $(stat -c %a "$db")"
fi

# The database is usable: migrate finds nothing pending.
"$compel" migrate --db "sqlite:$db" >"$out" 2>"$err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^applied 0 pending migrations" "$out" &&
    [ ! -s "$err" ]; then
    pass "migrate afterwards: $(cat "$out")"
else
    fail "migrate afterwards: exit $rc: $(cat "$out")"
fi
# ... and migrate never creates a database.
refused_migrate() {
    "$compel" migrate "$@" >"$out" 2>"$err"
    echo $?
}
rc=$(refused_migrate --db "sqlite:$dir/missing.db")
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
    [ ! -e "$dir/missing.db" ]; then
    pass "migrate refuses a missing database: $(cat "$err")"
else
    fail "migrate on a missing database: exit $rc"
fi
rc=$(refused_migrate --nope)
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$err")" -eq 1 ]; then
    pass "migrate: unknown flag is a usage error"
else
    fail "migrate --nope: exit $rc"
fi
"$compel" migrate --help >"$out" 2>"$err"
if [ $? -eq 0 ] && grep -q -- "--db" "$out"; then
    pass "migrate --help"
else
    fail "migrate --help"
fi

# --- refusals ------------------------------------------------------------
sum_before=$(sha256sum "$db" "$db.key")
refused "refuses an existing database" 1 "already exists" \
    --db "sqlite:$db" --admin-email other@agency.example
if [ "$(sha256sum "$db" "$db.key")" = "$sum_before" ]; then
    pass "the existing database and key file are untouched"
else
    fail "the existing database or key file changed"
fi

touch "$dir/taken.key"
refused "refuses an existing key file" 1 "key file" \
    --db "sqlite:$dir/k.db" --key-file "$dir/taken.key" \
    --admin-email admin@agency.example
[ ! -e "$dir/k.db" ] && pass "no database left after the key refusal" ||
    fail "a database was created despite the key refusal"

printf 'tooshort\n' >"$dir/weak"
refused "weak password file" 2 "at least 12" \
    --db "sqlite:$dir/w.db" --admin-email admin@agency.example \
    --admin-password-file "$dir/weak"
# 11 characters and a newline: the newline is stripped, so it is too short.
printf 'abcdefghijk\n' >"$dir/weak11"
refused "the trailing newline does not count" 2 "at least 12" \
    --db "sqlite:$dir/w.db" --admin-email admin@agency.example \
    --admin-password-file "$dir/weak11"
if [ ! -e "$dir/w.db" ] && [ ! -e "$dir/w.db.key" ]; then
    pass "a usage error creates no files"
else
    fail "files were created despite a usage error"
fi
refused "missing --admin-email" 2 "admin-email" --db "sqlite:$dir/m.db"
refused "bad email" 2 "admin-email" --db "sqlite:$dir/m.db" \
    --admin-email "not an email"
refused "unknown flag" 2 "unknown option" --db "sqlite:$dir/m.db" \
    --admin-email admin@agency.example --frobnicate
refused "unknown time zone" 2 "timezone" --db "sqlite:$dir/m.db" \
    --admin-email admin@agency.example --timezone Mars/Olympus_Mons
refused "missing password file" 1 "cannot read" --db "sqlite:$dir/m.db" \
    --admin-email admin@agency.example --admin-password-file "$dir/nope"
refused "a PostgreSQL server that is not there" 1 "postgresql" \
    --db "postgresql://127.0.0.1:1/compel" --key-file "$dir/pg.key" \
    --admin-email admin@agency.example
if [ ! -e "$dir/m.db" ] && [ ! -e "$dir/pg.key" ]; then
    pass "refused inits left no files"
else
    fail "a refused init left files behind"
fi

# A failure midway removes what was made: the key file is created first,
# then the database cannot be created in a missing directory.
refused "failure midway" 1 "cannot create" \
    --db "sqlite:$dir/no/such/dir/x.db" --key-file "$dir/mid.key" \
    --admin-email admin@agency.example
[ ! -e "$dir/mid.key" ] && pass "the key file of a failed init is removed" ||
    fail "the key file of a failed init was left behind"

"$compel" init --help >"$out" 2>"$err"
rc=$?
missing=""
for flag in --db --admin-email --admin-password-file --admin-name \
    --key-file --org-name --timezone --help; do
    grep -q -- "$flag" "$out" || missing="$missing $flag"
done
if [ "$rc" -eq 0 ] && [ -z "$missing" ]; then
    pass "--help lists every flag"
else
    fail "--help: exit $rc, missing:$missing"
fi

# --- a password file and $COMPEL_DB ---------------------------------------
printf 'correct horse battery staple\n' >"$dir/pw"
COMPEL_DB="sqlite:$dir/env.db" "$compel" init \
    --admin-email Counsel@Agency.example --admin-password-file "$dir/pw" \
    --org-name "Denver Field Office" --timezone America/Denver \
    --key-file "$dir/env.key" >"$out" 2>"$err"
rc=$?
if [ "$rc" -eq 0 ] && [ -f "$dir/env.db" ] && [ -f "$dir/env.key" ] &&
    ! grep -q "correct horse" "$out" && ! grep -q "^password:" "$out" &&
    grep -q "Denver Field Office" "$out"; then
    pass "init with a password file and \$COMPEL_DB prints no password"
else
    fail "init with a password file: exit $rc: $(cat "$out")"
fi
COMPEL_DB="sqlite:$dir/env.db" "$compel" migrate >"$out" 2>"$err"
if [ $? -eq 0 ] && grep -q "^applied 0 pending" "$out"; then
    pass "migrate uses \$COMPEL_DB"
else
    fail "migrate with \$COMPEL_DB: $(cat "$out")"
fi

# --- the cost of password hashes ------------------------------------------
# Production's default is 64 MiB and 3 passes; COMPEL_PASSWORD_HASH_COST=
# minimum (what scripts/check sets for the suite) is OWASP's floor; any
# other value is refused before anything is made.
cost_of() { # DB_FILE -> the Argon2id parameters of the admin's hash
    sqlite3 "$1" "SELECT password_hash FROM users" | cut -d'$' -f4
}
env -u COMPEL_PASSWORD_HASH_COST "$compel" init --db "sqlite:$dir/std.db" \
    --admin-email admin@agency.example --admin-password-file "$dir/pw" \
    >"$out" 2>"$err"
got=$(cost_of "$dir/std.db")
[ "$got" = "m=65536,t=3,p=1" ] && pass "by default a password hash costs 64 MiB and 3 passes" ||
    fail "default hash cost: $got $(cat "$err")"
COMPEL_PASSWORD_HASH_COST=minimum "$compel" init --db "sqlite:$dir/min.db" \
    --admin-email admin@agency.example --admin-password-file "$dir/pw" \
    >"$out" 2>"$err"
got=$(cost_of "$dir/min.db")
[ "$got" = "m=19456,t=2,p=1" ] && pass "COMPEL_PASSWORD_HASH_COST=minimum: 19 MiB and 2 passes" ||
    fail "minimum hash cost: $got $(cat "$err")"
COMPEL_PASSWORD_HASH_COST=low "$compel" init --db "sqlite:$dir/low.db" \
    --admin-email admin@agency.example --admin-password-file "$dir/pw" \
    >"$out" 2>"$err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "COMPEL_PASSWORD_HASH_COST must be standard or minimum" "$err" &&
    [ ! -e "$dir/low.db" ]; then
    pass "an unknown hash cost is refused, and nothing is made"
else
    fail "COMPEL_PASSWORD_HASH_COST=low: exit $rc: $(cat "$err")"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all passed"
