#!/usr/bin/env bash
# The end-to-end benchmark (docs/PERFORMANCE.md): starts the local stack (Kafka, Apicurio, S3Proxy as processes,
# like `sealstream stack up`), runs the pipeline in its own JVM with encryption and with a plain copy, and writes
# Markdown tables to benchmarks/target/e2e/results.md. Takes about 15 minutes on 2 cores; --quick about 5.
# Arguments go to io.sealstream.bench.e2e.PipelineBenchmark: [--reps N] [--quick] [--stack-env DIR/stack.env]
# [--only matrix,scale,commit,sweep,memory] [--workload NAME] [--warmup N] [--profile] [--before-jar JAR], and
# --before REV (below).
# JAVA selects the JVM of the benchmark and of the app under test (default: java).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
stack="$root/devstack/target/stack"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi
if [[ ! -f "$stack/s3proxy.jar" || -z "$(find "$stack/apicurio" -name '*-runner.jar' -print -quit 2>/dev/null)" ]]; then
  (cd "$root" && ./mvnw -q -B -pl devstack dependency:unpack@stack-apicurio dependency:copy@stack-s3proxy)
fi
cd "$root"
# --before REV: the encrypting runs are also measured with the app of commit REV, built here in a temporary worktree,
# alternately with this build's, so both meet the same machine state (PipelineBenchmark's --before-jar).
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--before" ]]; then
    tree="$(mktemp -d)/before"
    trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
    git worktree add -q --detach "$tree" "$2"
    (cd "$tree" && ./mvnw -B -q -o -pl benchmarks -am package -DskipTests) || (cd "$tree" && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
    args+=(--before-jar "$tree/benchmarks/target/benchmarks.jar")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
"${JAVA:-java}" -Dsealstream.stack.home="$stack" -cp "$jar" io.sealstream.bench.e2e.PipelineBenchmark "${args[@]}"
