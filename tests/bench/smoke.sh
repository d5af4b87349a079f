#!/usr/bin/env bash
# bench/ stays runnable: every benchmark script parses its command line and
# every benchmark binary lists its cases (the runs themselves take minutes:
# bench/all).
#   smoke.sh NN_BENCH IMAGE_BENCH
set -euo pipefail
cd "$(dirname "$0")/../.."
bench/all --help >/dev/null
bench/gpu.sh --help >/dev/null
bench/amx.sh --help >/dev/null
for script in bench/*.py; do
  /usr/bin/python3 "$script" --help >/dev/null
done
for binary in "$@"; do
  listed=$("$binary" --benchmark_list_tests)
  [[ -n "$listed" ]] || { echo "$binary lists no benchmark" >&2; exit 1; }
done
