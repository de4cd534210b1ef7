#!/bin/bash
# pg_durability.sh: compel refuses a PostgreSQL server that gives up
# durability (fsync=off, full_page_writes=off, synchronous_commit=off),
# naming the setting to change, and writes nothing; on a durable one,
# init prints no password and migrate finds nothing pending. The cluster is a
# throwaway one from tests/pg/pgtest.sh. $1 is the compel binary.
set -u

compel=${1:?usage: pg_durability.sh /path/to/compel}
here=$(cd "$(dirname "$0")" && pwd)
pgtest="$here/../pg/pgtest.sh"
failures=0
base=$(mktemp -d)
chmod 0755 "$base"
cleanup() {
    for c in $clusters; do bash "$pgtest" stop "$base/$c"; done
    rm -rf "$base"
}
trap cleanup EXIT

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}
pass() { echo "ok   $*"; }

# start NAME [OPTIONS]: a cluster in $base/NAME; its URL in $url.
start() {
    url=$(COMPEL_PG_OPTIONS=${2:-} bash "$pgtest" start "$base/$1") || {
        echo "FAIL cannot start a PostgreSQL cluster"
        exit 1
    }
    clusters="$clusters $1"
}
clusters=
printf '%s\n' 'correct horse battery staple' >"$base/pw"

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$url" -c "$1"; }
tables() { sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }

# refused SETTING: `compel init` exits non-zero, names SETTING, and the
# database stays empty.
refused() {
    local setting=$1 out
    out=$("$compel" init --db "$url" --admin-email admin@agency.test \
        --admin-password-file "$base/pw" --key-file "$base/k" 2>&1 >/dev/null)
    local status=$?
    if [ "$status" -eq 0 ]; then
        fail "init accepted a server with $setting=off"
    elif ! grep -q "$setting=off" <<<"$out"; then
        fail "the refusal does not name $setting: $out"
    elif [ "$(tables)" != "0" ]; then
        fail "the refused init left tables behind"
    else
        pass "refused with $setting=off: $out"
    fi
}

start nofsync "-c fsync=off"
[ "$(sql 'SHOW fsync')" = off ] || fail "the test could not turn fsync off"
refused fsync

start nofpw "-c full_page_writes=off"
[ "$(sql 'SHOW full_page_writes')" = off ] ||
    fail "the test could not turn full_page_writes off"
refused full_page_writes

# synchronous_commit can be set for one database: the session's effective
# value is what counts.
start durable
sql "ALTER DATABASE compel SET synchronous_commit = off"
refused synchronous_commit
sql "ALTER DATABASE compel RESET synchronous_commit"

# With every setting back, init succeeds; what it prints names the
# database without its password.
out=$("$compel" init --db "$url" --admin-email admin@agency.test \
    --admin-password-file "$base/pw" --key-file "$base/k" 2>&1)
status=$?
secret=$(sed -E 's|^postgresql://[^:]*:([^@]*)@.*|\1|' <<<"$url")
if [ "$status" -ne 0 ]; then
    fail "init on a durable server failed: $out"
elif [ -z "$secret" ] || grep -qF -- "$secret" <<<"$out"; then
    fail "init printed the database password: $out"
elif ! grep -q 'created postgresql://compel:\*\*\*@' <<<"$out"; then
    fail "init does not say what it created: $out"
else
    pass "a durable server is accepted, and its password is not printed"
fi

# `compel migrate` on the database init made: nothing is pending.
out=$("$compel" migrate --db "$url" 2>&1)
if [ $? -ne 0 ] || ! grep -q "^applied 0 pending migrations" <<<"$out"; then
    fail "migrate on an up-to-date PostgreSQL database: $out"
else
    pass "migrate on an up-to-date PostgreSQL database applies nothing"
fi

[ "$failures" -eq 0 ] || exit 1
