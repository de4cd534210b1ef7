#!/usr/bin/env bash
# cppcheck over src/: no warnings allowed. $1 is the source tree.
set -uo pipefail
cd "$1"
out=$(cppcheck --quiet --std=c11 --enable=warning,portability,performance \
    --error-exitcode=1 --inline-suppr -I src \
    --suppress=missingIncludeSystem --suppress=unmatchedSuppression \
    src 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "$out"
    exit 1
fi
echo "cppcheck: ok"
