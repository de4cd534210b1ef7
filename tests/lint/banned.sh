#!/usr/bin/env bash
# Banned-function lint (STYLE.md): these functions are never called in
# compel's C. $1 is the source tree.
set -uo pipefail
cd "$1"
pattern='(^|[^A-Za-z0-9_>.])(sprintf|vsprintf|strcpy|strcat|strncpy|gets|strtok|atoi|atol|atoll|system|rand|srand)[[:space:]]*\('
hits=$(git ls-files -co --exclude-standard '*.c' '*.h' 2>/dev/null |
    grep -v '^build/' | xargs -r grep -nE "$pattern" |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' || true)
if [ -n "$hits" ]; then
    echo "banned functions used:"
    echo "$hits"
    exit 1
fi
echo "banned: ok"
