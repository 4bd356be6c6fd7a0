#!/usr/bin/env bash
# The end-to-end benchmark (docs/PERFORMANCE.md): starts the local stack (Kafka, Apicurio, S3Proxy as processes,
# like `sealstream stack up`), runs the pipeline in its own JVM with encryption and with a plain copy, and writes
# Markdown tables to benchmarks/target/e2e/results.md. Takes about 15 minutes on 2 cores; --quick about 5.
# Arguments go to io.sealstream.bench.e2e.PipelineBenchmark: [--reps N] [--quick] [--stack-env DIR/stack.env]
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
exec "${JAVA:-java}" -Dsealstream.stack.home="$stack" -cp "$jar" io.sealstream.bench.e2e.PipelineBenchmark "$@"
