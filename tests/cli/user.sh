#!/bin/bash
# user.sh: `compel user` and `compel backup` from the outside. Users made,
# unlocked, disabled and enabled on the command line are checked where it
# matters: by logging in to a running `compel serve` with curl. Then a
# backup taken while the server runs is restored and holds the users and a
# verifying audit trail. $1 is the compel binary.
set -u

compel=${1:?usage: user.sh /path/to/compel}
failures=0
dir=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
db="sqlite:$dir/c.db"
pw="correct horse battery staple"

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

# usage NAME EXIT PATTERN ARGS...: exits EXIT with one stderr line matching
# PATTERN and nothing on stdout.
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

echo "$pw" >"$dir/pw"
echo "too short" >"$dir/short"
"$compel" init --db "$db" --admin-email admin@agency.test \
    --admin-password-file "$dir/pw" --org-name "Denver Field Office" \
    >/dev/null 2>"$dir/err" || {
    fail "init: $(cat "$dir/err")"
    exit 1
}

# --- add ---------------------------------------------------------------------
if "$compel" user --db "$db" add --email Officer@Agency.test \
    --name "Olive Officer" --org "Denver Field Office" --roles officer \
    --password-file "$dir/pw" >"$dir/out" 2>"$dir/err" &&
    grep -q "created user Officer@Agency.test" "$dir/out" && [ ! -s "$dir/err" ]; then
    pass "add an officer by organization name"
else
    fail "add officer: $(cat "$dir/err" "$dir/out")"
fi
"$compel" user --db "$db" add --email signer@agency.test --name "Sam Signer" \
    --org "Denver Field Office" --roles signer,officer \
    --title "Field Office Director" >"$dir/gen" 2>"$dir/err"
genpw=$(sed -n 's/^password: //p' "$dir/gen")
if [ ${#genpw} -ge 12 ] && grep -q "shown only once" "$dir/gen"; then
    pass "add without a password file prints a generated password once"
else
    fail "generated password: $(cat "$dir/gen" "$dir/err")"
fi

refused "duplicate email, any case" 1 "already exists" \
    user --db "$db" add --email OFFICER@agency.test --name X \
    --org "Denver Field Office" --roles officer --password-file "$dir/pw"
refused "role the org kind forbids" 2 "may hold only these roles" \
    user --db "$db" add --email c@agency.test --name X \
    --org "Denver Field Office" --roles custodian --password-file "$dir/pw"
refused "unknown role" 2 "'sheriff' is not a role" \
    user --db "$db" add --email c@agency.test --name X \
    --org "Denver Field Office" --roles officer,sheriff
refused "unknown org" 1 "no organization has the id or name 'Nowhere'" \
    user --db "$db" add --email c@agency.test --name X --org Nowhere \
    --roles officer
refused "short password" 2 "password-file" \
    user --db "$db" add --email c@agency.test --name X \
    --org "Denver Field Office" --roles officer --password-file "$dir/short"
printf 'Password2024!\n' >"$dir/common"
refused "common password" 2 "list of common or breached passwords" \
    user --db "$db" add --email c@agency.test --name X \
    --org "Denver Field Office" --roles officer --password-file "$dir/common"
COMPEL_PASSWORD_BLOCKLIST="$dir/no-such-list" refused "unreadable list" 2 \
    "password_blocklist: cannot read $dir/no-such-list" \
    user --db "$db" add --email c@agency.test --name X \
    --org "Denver Field Office" --roles officer --password-file "$dir/pw"
refused "bad email" 2 "is not an email address" \
    user --db "$db" add --email "not an email" --name X \
    --org "Denver Field Office" --roles officer
refused "missing fields" 2 "add needs --email, --name, --org and --roles" \
    user --db "$db" add --email c@agency.test
refused "unknown subcommand" 2 "unknown subcommand 'remove'" \
    user --db "$db" remove c@agency.test
refused "option of another subcommand" 2 "takes no option '--roles'" \
    user --db "$db" unlock c@agency.test --roles officer
refused "unlock needs an email" 2 "needs the user's email" \
    user --db "$db" unlock
refused "unknown user" 1 "no user has the email nobody@agency.test" \
    user --db "$db" disable nobody@agency.test
refused "missing database" 1 "missing.db" \
    user --db "sqlite:$dir/missing.db" list

# --- list ----------------------------------------------------------------------
"$compel" user list --db "$db" >"$dir/list" 2>"$dir/err"
if grep -q "^signer@agency.test .*Denver Field Office *officer,signer *active$" \
    "$dir/list" && grep -q "^3 users$" "$dir/list"; then
    pass "list shows the users, their roles and state"
else
    fail "list: $(cat "$dir/list" "$dir/err")"
fi

# --- against a running server --------------------------------------------------
"$compel" serve --db "$db" --listen 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|^compel: serving on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$dir/serve.out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || {
    fail "serve did not start: $(cat "$dir/serve.err")"
    exit 1
}
base=http://127.0.0.1:$port
login() { # EMAIL PASSWORD -> HTTP status
    curl -s -o "$dir/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$base/api/v1/session"
}

code=$(login officer@agency.test "$pw")
[ "$code" = 201 ] && pass "the officer added on the command line logs in" ||
    fail "officer login: $code $(cat "$dir/login.json")"
code=$(login signer@agency.test "$genpw")
[ "$code" = 201 ] && pass "the signer logs in with the generated password" ||
    fail "signer login: $code $(cat "$dir/login.json")"

for _ in 1 2 3 4 5; do login officer@agency.test "wrong password here" >/dev/null; done
code=$(login officer@agency.test "$pw")
[ "$code" = 423 ] && pass "five failures lock the account" || fail "lockout: $code"
grep -qi "^officer@agency.test .* locked$" <("$compel" user --db "$db" list) &&
    pass "list says locked" || fail "list does not say locked"
out=$("$compel" user --db "$db" unlock officer@agency.test 2>&1)
[ "$out" = "unlocked officer@agency.test" ] && pass "unlock" || fail "unlock: $out"
code=$(login officer@agency.test "$pw")
[ "$code" = 201 ] && pass "logs in after unlock" || fail "after unlock: $code"
cookie=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"officer@agency.test\",\"password\":\"$pw\"}" \
    "$base/api/v1/session" | awk '$6 ~ /session/ {print $6 "=" $7}')

out=$("$compel" user --db "$db" disable officer@agency.test 2>&1)
case $out in
"disabled officer@agency.test; "[1-9]*" session"*" ended") pass "disable ends sessions: $out" ;;
*) fail "disable: $out" ;;
esac
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" "$base/api/v1/me")
[ "$code" = 401 ] && pass "a session of the disabled user no longer works" ||
    fail "session after disable: $code ($cookie)"
code=$(login officer@agency.test "$pw")
[ "$code" = 401 ] && pass "a disabled user cannot log in" || fail "disabled login: $code"
out=$("$compel" user --db "$db" enable officer@agency.test 2>&1)
[ "$out" = "enabled officer@agency.test" ] && pass "enable" || fail "enable: $out"
code=$(login officer@agency.test "$pw")
[ "$code" = 201 ] && pass "logs in after enable" || fail "after enable: $code"

# --- the audit trail records each change, made by the system -----------------
admin_cookie=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@agency.test\",\"password\":\"$pw\"}" \
    "$base/api/v1/session" | awk '$6 ~ /session/ {print $6 "=" $7}')
# The admin may not read the audit log; an auditor made here can.
"$compel" user --db "$db" add --email auditor@agency.test --name "Ann Auditor" \
    --org "Denver Field Office" --roles auditor --password-file "$dir/pw" >/dev/null
aud=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"auditor@agency.test\",\"password\":\"$pw\"}" \
    "$base/api/v1/session" | awk '$6 ~ /session/ {print $6 "=" $7}')
curl -s -b "$aud" "$base/api/v1/audit?limit=200" >"$dir/audit.json"
n=$(grep -o '"detail":"compel user: [^"]*"' "$dir/audit.json" | wc -l)
# created officer, signer, auditor; unlock; disable; enable = 6
[ "$n" -eq 6 ] && pass "6 audit records by compel user" ||
    fail "audit records by compel user: $n: $(head -c 2000 "$dir/audit.json")"
[ -n "$admin_cookie" ] || fail "admin login for the audit check"

# --- backup while the server runs ------------------------------------------------
"$compel" backup --db "$db" --out "$dir/copy.db" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^audit trail verified in the copy: [1-9][0-9]* entries$" "$dir/out" &&
    grep -q "keep a copy of $dir/c.db.key apart" "$dir/out"; then
    pass "backup of a live database: $(head -1 "$dir/out")"
else
    fail "backup: exit $rc: $(cat "$dir/out" "$dir/err")"
fi
[ "$(stat -c %a "$dir/copy.db")" = 600 ] && pass "the copy is mode 600" ||
    fail "copy mode $(stat -c %a "$dir/copy.db")"
# The backup is encrypted (tests/cli/backup.sh is its drill): restore it.
"$compel" restore --in "$dir/copy.db" --db "sqlite:$dir/restored.db" \
    --key-file "$dir/c.db.key" >/dev/null 2>"$dir/err" ||
    fail "restore the backup: $(cat "$dir/err")"
cp "$dir/c.db.key" "$dir/restored.db.key"
"$compel" user --db "sqlite:$dir/restored.db" list >"$dir/clist" 2>"$dir/err"
grep -q "^4 users$" "$dir/clist" && pass "the copy holds the users" ||
    fail "copy users: $(cat "$dir/clist" "$dir/err")"
out=$("$compel" audit verify --db "sqlite:$dir/restored.db" 2>&1)
case $out in ok:*) pass "compel audit verify on the copy: $out" ;; *) fail "verify copy: $out" ;; esac
refused "backup over an existing file" 1 "already exists; refusing to overwrite" \
    backup --db "$db" --out "$dir/copy.db"
refused "backup needs --out" 2 "--out FILE is required" backup --db "$db"
refused "backup of postgresql" 2 "only sqlite: databases" \
    backup --db "postgresql://localhost/compel" --out "$dir/pg.db"
refused "backup of a missing database" 1 "missing.db" \
    backup --db "sqlite:$dir/missing.db" --out "$dir/m.db"
[ ! -e "$dir/m.db" ] && pass "a failed backup leaves no file" || fail "m.db left behind"

[ "$failures" -eq 0 ] && echo "all user.sh checks passed"
exit $((failures > 0))
