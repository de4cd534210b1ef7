#!/usr/bin/env bash
# Every C file is clang-formatted with the repo's .clang-format. $1 is the
# source tree. Fix with `make format`.
set -uo pipefail
cd "$1"
bad=0
for f in $(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build/'); do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (run make format)"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "format: ok"
exit $bad
