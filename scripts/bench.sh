#!/usr/bin/env bash
# Runs a benchmark harness from src/test/java/dev/meshcd/bench. See BENCHMARKS.md.
#   scripts/bench.sh check [N] [ROUNDS]     meshcd check vs SnakeYAML parse, N services (default 10000)
#   scripts/bench.sh CLASS [ARGS...]        any other harness class in dev.meshcd.bench
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench.classpath)"
what="${1:-check}"; shift || true
case "$what" in
  check) exec java -Xmx1g -cp "$cp" dev.meshcd.bench.CheckBench "$@" ;;
  # The launcher's JVM options (scripts/jvm-options), so harnesses measure what users run.
  *)     exec java ${BENCH_JAVA_OPTS:--Xmx2g $(cat scripts/jvm-options)} -cp "$cp" "dev.meshcd.bench.$what" "$@" ;;
esac
