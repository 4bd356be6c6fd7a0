#!/usr/bin/env bash
# Compares the envelope's speed at two commits in one run: builds the benchmarks jar of BASE in a temporary git
# worktree, then runs QuickCompare with the BASE jar and the current one alternately (A B A B ...), REPS times per
# size, and prints each run's MiB/s and its ratio to the raw JDK baseline measured in the same JVM (the ratio is what
# stays comparable on a noisy machine), then the medians.
# Usage: benchmarks/compare-builds.sh BASE [REPS] [SIZES...]     e.g. benchmarks/compare-builds.sh e5a0924 3 1024 65536
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: compare-builds.sh BASE [REPS] [SIZES...]}"
reps="${2:-3}"
shift $(( $# >= 2 ? 2 : 1 ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1024 65536)
tree="$(mktemp -d /tmp/sealstream-base-XXXX)"
trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
git worktree add -q --detach "$tree" "$base"
(cd "$tree" && ./mvnw -B -q -o -pl benchmarks -am package -DskipTests) || (cd "$tree" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
[ -f benchmarks/target/benchmarks.jar ] || ./mvnw -B -q -pl benchmarks -am package -DskipTests
declare -A jars=([base]="$tree/benchmarks/target/benchmarks.jar" [head]="benchmarks/target/benchmarks.jar")
out="benchmarks/target/compare-builds.txt"
: > "$out"
for size in "${sizes[@]}"; do
  for ((i = 1; i <= reps; i++)); do
    for which in base head; do
      java -cp "${jars[$which]}" io.sealstream.bench.QuickCompare "$size" 12 raw_jdk_gcm "sealstream " \
        | sed "s/^/$which size=$size rep=$i /" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import re, sys, statistics, collections
rows = collections.defaultdict(list)
raw = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\w+) size=(\d+) rep=(\d+) (\S+ \w+)\s+([\d.]+) us/op\s+([\d.]+) MiB/s', line)
    if not m:
        continue
    which, size, rep, op, mibs = m.group(1), int(m.group(2)), m.group(3), m.group(4), float(m.group(6))
    if op.startswith('raw_jdk_gcm'):
        raw[(which, size, rep, op.split()[1])] = mibs
    else:
        rows[(size, op, which)].append((rep, mibs))
print('\n| size | op | base MiB/s | head MiB/s | base / raw | head / raw | head vs base (ratio of ratios) |')
print('|---:|:---|---:|---:|---:|---:|---:|')
for (size, op, which) in sorted(k for k in rows if k[2] == 'base'):
    b = rows[(size, op, 'base')]; h = rows[(size, op, 'head')]
    direction = op.split()[1]
    br = [m / raw[('base', size, r, direction)] for r, m in b]
    hr = [m / raw[('head', size, r, direction)] for r, m in h]
    print(f'| {size} | {op} | {statistics.median(m for _, m in b):,.0f} | {statistics.median(m for _, m in h):,.0f} | '
          f'{statistics.median(br):.3f} | {statistics.median(hr):.3f} | {statistics.median(hr) / statistics.median(br):.3f} |')
PY
