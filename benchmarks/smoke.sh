#!/usr/bin/env bash
# Every benchmark entry point in smoke mode (tiny sizes, one iteration), so that a change that breaks one fails CI
# instead of rotting until someone next measures. The figures printed mean nothing; only that each one ran.
# Runs after `./mvnw verify` in .ci/run (it needs benchmarks/target/benchmarks.jar and the stack's artifacts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jar="benchmarks/target/benchmarks.jar"
java_bin="${JAVA:-java}"
step() { echo; echo "== benchmark smoke: $*"; }

step "JMH suites (EnvelopeThroughputBenchmark, EsdkThroughputBenchmark): 1 fork, no warm-up, 1 x 100 ms, 1 KiB"
JMH_FORKS=1 JMH_WARMUP_ITERATIONS=0 JMH_ITERATIONS=1 JMH_TIME=100ms JAVA25=/nonexistent \
  benchmarks/run-jmh.sh -p size=1024

step "format sanity check (every contender round-trips, every size)"
"$java_bin" -cp "$jar" io.sealstream.bench.SanityCheck

step "quick comparison (1 KiB, 1 round)"
"$java_bin" -cp "$jar" io.sealstream.bench.QuickCompare 1024 1

step "KMS calls per encryption (1,000 objects)"
"$java_bin" -cp "$jar" io.sealstream.bench.KmsCallsPerEncryption 1000

step "heap boundedness (1 MiB, 4 MiB in a 32 MiB heap)"
"$java_bin" -Xmx32m -cp "$jar" io.sealstream.bench.HeapBoundedness 1m 4m

step "JIT cold start (1 MiB warm-up, 2 objects of 1 MiB)"
"$java_bin" -cp "$jar" io.sealstream.bench.JitColdStart 1 1 2

step "KMS providers (local, SoftHSM2 when installed, Hadoop KMS): 1 round of 0.2 s"
benchmarks/run-kms.sh --seconds 0.2 --rounds 1

step "two builds compared in one run (compare-builds.sh, HEAD against itself, 1 KiB, 1 rep)"
benchmarks/compare-builds.sh HEAD 1 1024

step "S3 read gateway against a direct GET of the ciphertext (GatewayBenchmark --smoke: 1 MiB and 8 MiB, 1 rep)"
"$java_bin" -Dsealstream.stack.home=devstack/target/stack -cp "$jar" io.sealstream.bench.e2e.GatewayBenchmark --smoke

step "end to end on the local stack (run-e2e.sh --smoke)"
benchmarks/run-e2e.sh --smoke --dir benchmarks/target/e2e-smoke
echo
echo "benchmark smoke: every entry point ran"
