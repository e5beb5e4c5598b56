#!/usr/bin/env bash
# Peer benchmark (BENCHMARKS.md): `meshcd check` against `istioctl analyze --use-kube=false` on the same generated
# repositories, interleaved in one run: wall time, CPU (user + system) and peak memory (max RSS) of each process,
# as measured by GNU time, and the ratios meshcd / istioctl.
#   scripts/peer-bench.sh [ROUNDS=3] [SIZES="1000 10000"]
# Needs the Istio oracle (scripts/istio-oracle.sh ensure) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"; sizes="${2:-1000 10000}"
bin="$(scripts/istio-oracle.sh bin-dir)" || { echo "peer-bench: the Istio oracle is not installed (scripts/istio-oracle.sh ensure)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "peer-bench: needs GNU time (/usr/bin/time)" >&2; exit 2; }
./meshcd --version >/dev/null 2>&1 || true # builds the jar once, outside the measurements
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench.classpath)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# One measured run: prints "wall cpu maxrss_kib exit".
measure() {
  local out="$work/time.txt"
  /usr/bin/time -f '%e %U %S %M %x' -o "$out" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %.2f %s %s\n", $1, $2 + $3, $4, $5}' "$out"
}

printf '| services | round | tool | wall s | CPU s | max RSS MiB | exit |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for n in $sizes; do
  repo="$work/mesh-$n"
  java -cp "$cp" dev.meshcd.bench.MeshRepoGenerator "$repo" "$n" >/dev/null
  declare -A sum=()
  for r in $(seq "$rounds"); do
    for tool in meshcd istioctl; do
      if [[ $tool == meshcd ]]; then
        read -r wall cpu rss code < <(measure ./meshcd check --no-config "$repo")
      else
        read -r wall cpu rss code < <(KUBECONFIG=/dev/null measure "$bin/istioctl" analyze --use-kube=false "$repo")
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$r" "$tool" "$wall" "$cpu" "$((rss / 1024))" "$code"
      sum[$tool.wall]=$(echo "${sum[$tool.wall]:-0} + $wall" | bc -l)
      sum[$tool.cpu]=$(echo "${sum[$tool.cpu]:-0} + $cpu" | bc -l)
      sum[$tool.rss]=$(echo "${sum[$tool.rss]:-0} + $rss" | bc -l)
    done
  done
  printf '| %s | mean ratio | meshcd / istioctl | %.2f | %.2f | %.2f | |\n' "$n" \
    "$(echo "${sum[meshcd.wall]} / ${sum[istioctl.wall]}" | bc -l)" \
    "$(echo "${sum[meshcd.cpu]} / ${sum[istioctl.cpu]}" | bc -l)" \
    "$(echo "${sum[meshcd.rss]} / ${sum[istioctl.rss]}" | bc -l)"
  unset sum
done
