#!/bin/sh
# make coverage: line coverage of src/ per folder and in total, from a
# gcov build ($BUILD, built with --coverage by the Makefile) after the
# unit and integration tests ran on it.  gcovr (Debian's package) reads
# the .gcda files; this script only sums its per-file figures by folder.
set -eu
: "${BUILD:?BUILD must name the coverage build directory}"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$BUILD/coverage.json"
# gcov-sandbox/ holds second names of the helper's .gcda files (see
# src/sandbox/helper_gcov.c, which is itself only built for coverage
# and not counted).
gcovr --root "$top" --object-directory "$BUILD" --filter 'src/' \
	--exclude 'src/sandbox/helper_gcov\.c' \
	--exclude-directories '.*/gcov-sandbox' \
	--json-summary "$out" --json-summary-pretty >/dev/null
python3 - "$out" <<'PY'
import json, os, sys
files = json.load(open(sys.argv[1]))["files"]
by = {}
for f in files:
    d = os.path.dirname(f["filename"])
    t, c = by.get(d, (0, 0))
    by[d] = (t + f["line_total"], c + f["line_covered"])
tot = sum(t for t, _ in by.values())
cov = sum(c for _, c in by.values())
print("%-20s %8s %8s %7s" % ("folder", "lines", "covered", "percent"))
for d in sorted(by):
    t, c = by[d]
    print("%-20s %8d %8d %6.1f%%" % (d + "/", t, c, 100.0 * c / t if t else 100))
print("%-20s %8d %8d %6.1f%%" % ("total", tot, cov, 100.0 * cov / tot if tot else 100))
PY
