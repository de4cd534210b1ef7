# lib/demo_db.sh, sourced by command-line tests: demo_db COMPEL PATH puts
# the demonstration world at PATH (a SQLite file) with its key file at
# PATH.key. It copies the run's fixture (left by tests/cli/demo.sh, named
# by COMPEL_DEMO_FIXTURE) when there is one, else runs init and demo itself.
# The admin is admin@test.example, password "a-long-test-password".
demo_db() {
    local compel=$1 path=$2 pwfile
    if [ -n "${COMPEL_DEMO_FIXTURE:-}" ] && [ -f "$COMPEL_DEMO_FIXTURE/compel.db" ]; then
        cp "$COMPEL_DEMO_FIXTURE/compel.db" "$path" &&
            install -m 0600 "$COMPEL_DEMO_FIXTURE/compel.db.key" "$path.key"
        return
    fi
    pwfile=$(mktemp) || return 1
    printf 'a-long-test-password\n' >"$pwfile"
    "$compel" init --db "sqlite:$path" --admin-email admin@test.example \
        --admin-password-file "$pwfile" --timezone America/Denver >/dev/null &&
        "$compel" demo --db "sqlite:$path" >/dev/null
    local rc=$?
    rm -f "$pwfile"
    return $rc
}
