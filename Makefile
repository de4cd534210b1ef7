# compel: the commands people type. Everything else is CMake (see
# CMakePresets.json) and scripts/.
#
#   make run     install what is missing, build, create var/compel.db if
#                there is none, serve on http://127.0.0.1:8080
#   make check   install what is missing, build under ASan+UBSan with
#                -Werror, run every test, print "N passed, N failed"
#   make web     bundle the web UI into web/dist (make run/build/check do it)
#   make bench   benchmarks (ratios against a reference measured in the
#                same run); first restart to ready on a 1 GB SQLite
#                database (bench/bench_recovery.sh)
#   make fuzz    run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make soak    the crash harness for SOAK_ITERATIONS (default 200) on
#                SQLite and on PostgreSQL (its 5-iteration smoke is in check)
#   make format  clang-format every C file in place
SHELL := /bin/bash
JOBS ?= 2
FUZZ_SECONDS ?= 60

.PHONY: all deps web build run check bench fuzz soak format lint clean

all: build

deps:
	@scripts/deps

# The web UI (web/, docs/web.md): bundled by esbuild into web/dist.
web: deps
	@cd web && npm run --silent build

build: deps web
	@cmake --preset release >/dev/null
	@cmake --build build/release -j$(JOBS)

run: build
	@scripts/run

check: deps web
	@cmake --preset ci >/dev/null
	@cmake --build build/ci -j$(JOBS)
	@scripts/check build/ci

bench: build
	@scripts/deps-bench
	@bash bench/bench_recovery.sh build/release
	@scripts/bench build/release

soak: build
	@scripts/soak build/release

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j$(JOBS)
	@scripts/fuzz build/fuzz $(FUZZ_SECONDS)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

lint: deps
	@cmake --preset ci >/dev/null
	@cmake --build build/ci -j$(JOBS)
	@scripts/check build/ci -L lint

clean:
	rm -rf build
