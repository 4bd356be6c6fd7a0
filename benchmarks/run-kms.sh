#!/usr/bin/env bash
# KMS provider throughput (io.sealstream.bench.kms.KmsProviderThroughput): local key store, PKCS#11 on SoftHSM2 and a
# real Hadoop KMS server, started the way the tests start them. Usage:
#   benchmarks/run-kms.sh [--seconds 2] [--rounds 5] [--only local,pkcs11,hadoop-kms]
# Needs softhsm2 (apt-get install softhsm2) for the pkcs11 rows; they are skipped without it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
if [[ ! -f "$jar" || ! -f "$root/kms-client/testkit/target/hadoop-kms.classpath" ]]; then
  (cd "$root" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi
cd "$root"
mkdir -p benchmarks/target/softhsm
# SoftHSM2 reads its configuration's path from the environment; the fixture writes the file and its tokens there.
export SOFTHSM2_CONF="$root/benchmarks/target/softhsm/softhsm2.conf"
exec "${JAVA:-java}" -Dsealstream.hadoop-kms.classpath="$root/kms-client/testkit/target/hadoop-kms.classpath" \
  -Dsealstream.test.work="$root/benchmarks/target" -cp "$jar" io.sealstream.bench.kms.KmsProviderThroughput "$@"
