#!/usr/bin/env bash
# serve.sh: `compel serve` end to end with curl. $1 is the compel binary.
#
# Creates a database with `compel init`, then starts the server on a free
# loopback port (listen port 0: the kernel picks one and serve prints it)
# from a temporary configuration: /healthz is 200, /readyz 200, and 503
# once the database file is moved away. A missing database stops serve at
# start (exit 1). Checks the security headers on a 200 and on a 404
# problem+json, 405 with Allow, 413 by Content-Length and by chunked
# upload, a port already in use (exit 1), a bad configuration key and a
# bad value (exit 2, naming the key), an unreadable list of common
# passwords (exit 2), and SIGTERM (exit 0, promptly).
set -uo pipefail

compel=$1
tmp=$(mktemp -d)
pid=
failures=0

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_header FILE HEADER-LINE: the dumped headers hold that line.
expect_header() {
    if ! tr -d '\r' <"$1" | grep -qiF -- "$2"; then
        fail "$1 lacks header '$2'"
    fi
}

expect_security_headers() {
    expect_header "$1" "X-Content-Type-Options: nosniff"
    expect_header "$1" "X-Frame-Options: DENY"
    expect_header "$1" "Referrer-Policy: no-referrer"
    expect_header "$1" "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'"
    expect_header "$1" "Cache-Control: no-store"
    expect_header "$1" "X-Request-Id: "
}

printf 'a-long-test-password\n' >"$tmp/pw"
"$compel" init --db "sqlite:$tmp/compel.db" --admin-email admin@test.example \
    --admin-password-file "$tmp/pw" >/dev/null ||
    { echo "FAIL: compel init" >&2; exit 1; }

# Without a database serve refuses to start, with one line naming db.
"$compel" serve --listen 127.0.0.1:0 --db "sqlite:$tmp/missing.db" \
    >"$tmp/out0" 2>"$tmp/err0"
rc=$?
[ $rc -eq 1 ] || fail "serve without a database exited $rc, want 1"
[ "$(wc -l <"$tmp/err0")" -eq 1 ] && grep -q 'db:' "$tmp/err0" ||
    fail "serve without a database said: $(cat "$tmp/err0")"

cat >"$tmp/compel.conf" <<EOF
# test configuration
listen = 127.0.0.1:0
db = sqlite:$tmp/compel.db
key_file = $tmp/compel.db.key
threads = 2
body_limit = 4K
log_level = warn
EOF

"$compel" serve --config "$tmp/compel.conf" >"$tmp/out" 2>"$tmp/err" &
pid=$!

# Wait for the ready line, then for /healthz.
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|^compel: serving on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: no ready line; stdout: $(cat "$tmp/out"); stderr: $(cat "$tmp/err")" >&2
    exit 1
fi
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "serve printed more than one line"
base=http://127.0.0.1:$port
for _ in $(seq 1 50); do
    curl -s -o /dev/null "$base/healthz" && break
    sleep 0.1
done

# 200 with its body and the security headers.
code=$(curl -s -D "$tmp/h200" -o "$tmp/b200" -w '%{http_code}' "$base/healthz")
[ "$code" = 200 ] || fail "/healthz answered $code"
[ "$(cat "$tmp/b200")" = '{"status":"ok"}' ] || fail "/healthz body: $(cat "$tmp/b200")"
expect_header "$tmp/h200" "Content-Type: application/json"
expect_security_headers "$tmp/h200"

# 404 as problem+json, with the same headers.
code=$(curl -s -D "$tmp/h404" -o "$tmp/b404" -w '%{http_code}' "$base/api/v1/no/such/path")
[ "$code" = 404 ] || fail "unknown path answered $code"
expect_header "$tmp/h404" "Content-Type: application/problem+json"
expect_security_headers "$tmp/h404"
grep -qF '"code":"not_found"' "$tmp/b404" || fail "404 body: $(cat "$tmp/b404")"
grep -qF '"type":"https://compel.invalid/errors/not_found"' "$tmp/b404" ||
    fail "404 type: $(cat "$tmp/b404")"
grep -qF '"status":404' "$tmp/b404" || fail "404 status: $(cat "$tmp/b404")"

# 405 with Allow on a known path.
code=$(curl -s -D "$tmp/h405" -o "$tmp/b405" -w '%{http_code}' -X DELETE "$base/healthz")
[ "$code" = 405 ] || fail "DELETE /healthz answered $code"
expect_header "$tmp/h405" "Allow: GET, HEAD"
expect_security_headers "$tmp/h405"
grep -qF '"code":"method_not_allowed"' "$tmp/b405" || fail "405 body: $(cat "$tmp/b405")"

# readyz: 200 with the database, 503 once it has gone away.
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
[ "$code" = 200 ] || fail "/readyz answered $code with a database"
mv "$tmp/compel.db" "$tmp/moved.db"
code=$(curl -s -D "$tmp/h503" -o "$tmp/b503" -w '%{http_code}' "$base/readyz")
[ "$code" = 503 ] || fail "/readyz answered $code without a database"
mv "$tmp/moved.db" "$tmp/compel.db"
expect_security_headers "$tmp/h503"
grep -qF '"code":"unavailable"' "$tmp/b503" || fail "503 body: $(cat "$tmp/b503")"

# 413: a body over the 4 KiB limit, declared by Content-Length ...
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big"
code=$(curl -s -D "$tmp/h413" -o "$tmp/b413" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary @"$tmp/big" "$base/healthz")
[ "$code" = 413 ] || fail "Content-Length body over the limit answered $code"
expect_security_headers "$tmp/h413"
grep -qF '"code":"payload_too_large"' "$tmp/b413" || fail "413 body: $(cat "$tmp/b413")"

# ... and sent in chunks, without a Content-Length.
code=$(curl -s -D "$tmp/h413c" -o "$tmp/b413c" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$tmp/big" "$base/healthz")
[ "$code" = 413 ] || fail "chunked body over the limit answered $code"
grep -qF '"code":"payload_too_large"' "$tmp/b413c" || fail "chunked 413 body: $(cat "$tmp/b413c")"

# The port is taken now: a second server fails with one line, exit 1.
"$compel" serve --config "$tmp/compel.conf" --listen "127.0.0.1:$port" \
    >"$tmp/out2" 2>"$tmp/err2" &
pid2=$!
for _ in $(seq 1 50); do
    kill -0 "$pid2" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid2" 2>/dev/null; then
    kill -KILL "$pid2"
    fail "a second server on port $port kept running"
fi
wait "$pid2"
status=$?
[ "$status" = 1 ] || fail "port in use: exit $status, want 1"
[ "$(wc -l <"$tmp/err2")" -eq 1 ] || fail "port in use: stderr: $(cat "$tmp/err2")"
grep -q "in use" "$tmp/err2" || fail "port in use: stderr: $(cat "$tmp/err2")"

# SIGTERM: the server stops promptly and exits 0.
kill -TERM "$pid"
for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    fail "still running 5 s after SIGTERM"
else
    wait "$pid"
    status=$?
    [ "$status" = 0 ] || fail "exit status $status after SIGTERM"
    pid=
fi

# Configuration errors: exit 2 and one line naming the key.
printf 'listen = 127.0.0.1:0\nlisten_address = 10.0.0.1\n' >"$tmp/bad.conf"
"$compel" serve --config "$tmp/bad.conf" >/dev/null 2>"$tmp/err3"
status=$?
[ "$status" = 2 ] || fail "unknown config key: exit $status, want 2"
grep -q "listen_address" "$tmp/err3" || fail "unknown key not named: $(cat "$tmp/err3")"
[ "$(wc -l <"$tmp/err3")" -eq 1 ] || fail "unknown key: stderr: $(cat "$tmp/err3")"

printf 'listen = 127.0.0.1:0\nthreads = many\n' >"$tmp/bad2.conf"
"$compel" serve --config "$tmp/bad2.conf" >/dev/null 2>"$tmp/err4"
status=$?
[ "$status" = 2 ] || fail "bad config value: exit $status, want 2"
grep -q "threads" "$tmp/err4" || fail "bad value not named: $(cat "$tmp/err4")"

COMPEL_BODY_LIMIT=huge "$compel" serve --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err5"
status=$?
[ "$status" = 2 ] || fail "bad environment value: exit $status, want 2"
grep -q "COMPEL_BODY_LIMIT" "$tmp/err5" || fail "variable not named: $(cat "$tmp/err5")"

"$compel" serve --no-such-flag 1 >/dev/null 2>"$tmp/err6"
status=$?
[ "$status" = 2 ] || fail "unknown flag: exit $status, want 2"
grep -q "no-such-flag" "$tmp/err6" || fail "flag not named: $(cat "$tmp/err6")"

"$compel" serve --listen nonsense >/dev/null 2>"$tmp/err7"
status=$?
[ "$status" = 2 ] || fail "bad --listen: exit $status, want 2"
grep -q "listen" "$tmp/err7" || fail "listen not named: $(cat "$tmp/err7")"

# A list of common passwords that cannot be read: exit 2, naming it and
# what to do, and nothing served.
printf 'listen = 127.0.0.1:0\npassword_blocklist = %s/no-such-list.txt\n' "$tmp" >"$tmp/bad3.conf"
"$compel" serve --config "$tmp/bad3.conf" >"$tmp/out8" 2>"$tmp/err8"
status=$?
[ "$status" = 2 ] || fail "unreadable password_blocklist: exit $status, want 2"
grep -q "password_blocklist: cannot read $tmp/no-such-list.txt" "$tmp/err8" ||
    fail "blocklist not named: $(cat "$tmp/err8")"
grep -q "john-data" "$tmp/err8" || fail "blocklist: no advice: $(cat "$tmp/err8")"
grep -q "serving" "$tmp/out8" && fail "served without its password list"

"$compel" serve --help >"$tmp/help" 2>&1
status=$?
[ "$status" = 0 ] || fail "--help: exit $status"
grep -q -- "--db" "$tmp/help" || fail "--help does not list --db"

if [ "$failures" -ne 0 ]; then
    echo "serve.sh: $failures failure(s)" >&2
    exit 1
fi
echo "serve: ok"
