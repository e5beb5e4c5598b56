#!/usr/bin/env bash
# Before/after for `meshcd check` on a large repo (see BENCHMARKS.md): CheckBench of two builds, alternated.
#   scripts/check-ab.sh [REV=HEAD~1] [PAIRS=3] [SERVICES=10000]
# A is REV (built in a temporary git worktree), B the working tree. Each pair runs A's CheckBench, then B's
# (3 rounds each, check and its SnakeYAML parse baseline alternating inside the JVM), so both builds see the same
# minutes of this VM, whose speed drifts; compare the ratios check/parse, not the seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rev="${1:-HEAD~1}"; pairs="${2:-3}"; n="${3:-10000}"
a_tree="$(mktemp -d)"
git worktree add -q --detach "$a_tree" "$rev"
trap 'git worktree remove --force "$a_tree"' EXIT
for t in "$a_tree" .; do
  (cd "$t" && mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null)
done
for p in $(seq "$pairs"); do
  for side in A B; do
    t=$([[ $side == A ]] && echo "$a_tree" || echo .)
    (cd "$t" && java -Xmx1g -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
      dev.meshcd.bench.CheckBench "$n" 3 | grep RESULT | sed "s/^/$side ($([[ $side == A ]] && echo "$rev" || echo 'working tree')) pair $p: /")
  done
done
