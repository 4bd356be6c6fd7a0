#!/usr/bin/env bash
# Runs the JMH benchmarks on Java 17 (the default `java`) and, when installed, on Java 25, writes
# benchmarks/target/jmh-<jdk>.json per JDK and prints Markdown tables of MiB/s (benchmarks/jmh-report.py).
#
# Overridable through the environment:
#   JMH_FORKS (3)  JMH_WARMUP_ITERATIONS (10)  JMH_WARMUP_TIME (2s)  JMH_ITERATIONS (5)  JMH_TIME (1s)
#   JMH_INCLUDE    benchmark regex (default: all, i.e. EnvelopeThroughputBenchmark and EsdkThroughputBenchmark)
#   JAVA17, JAVA25 java executables (default: `java`, /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
# Warm-up is long on purpose: until C2 has compiled the JDK's AES-GCM (Tink's paths took ~12 s on a busy 2-core
# machine) every contender runs at tens of MiB/s. Defaults take roughly an hour per JDK; JMH_FORKS=1 about 25 min.
# Any further arguments are passed to JMH as they are, e.g. `-p size=1048576`.
# Smoke run: JMH_FORKS=1 JMH_WARMUP_ITERATIONS=0 JMH_ITERATIONS=1 JMH_TIME=200ms benchmarks/run-jmh.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
out_dir="$root/benchmarks/target"

if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi

java17="${JAVA17:-java}"
java25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
jdks=("$java17")
if [[ -x "$java25" ]]; then
  jdks+=("$java25")
fi

jmh_args=(
  -f "${JMH_FORKS:-3}"
  -wi "${JMH_WARMUP_ITERATIONS:-10}" -w "${JMH_WARMUP_TIME:-2s}"
  -i "${JMH_ITERATIONS:-5}" -r "${JMH_TIME:-1s}"
)

results=()
for java in "${jdks[@]}"; do
  # The feature release (17, 25, ...) names the result file, so runs on different JDKs never overwrite each other.
  feature="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  result="$out_dir/jmh-$feature.json"
  echo "== JDK $feature ($java) -> $result"
  # JDK 24+ warns on every JVM that JMH 1.37 uses sun.misc.Unsafe; allowing it keeps the output readable.
  # The forks inherit the flag: JMH passes its own JVM's arguments on to them.
  quiet=()
  if (( ${feature%%.*} >= 24 )); then
    quiet=(--sun-misc-unsafe-memory-access=allow)
  fi
  # JMH forks the JVM it runs on, so each JDK measures itself.
  "$java" "${quiet[@]}" -jar "$jar" ${JMH_INCLUDE:+"$JMH_INCLUDE"} "${jmh_args[@]}" -rf json -rff "$result" "$@"
  results+=("$result")
done

python3 "$root/benchmarks/jmh-report.py" "${results[@]}"
