#!/usr/bin/env bash
# Before/after for the webhooks: the allow-all baseline and /inject of two builds, served at once and measured
# in interleaved wrk rounds (see BENCHMARKS.md, Admission).
#   scripts/admission-ab.sh [REV=HEAD~1] [ROUNDS=6] [SECONDS=6] [HANDLER=inject]
# A is REV (built in a temporary git worktree), B the working tree. Each round measures A's baseline, A's
# handler, B's baseline, B's handler, so both builds see the same minute of this VM, whose speed drifts by tens
# of percent; the ratio per build is the median of its rounds' handler/baseline.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rev="${1:-HEAD~1}"; rounds="${2:-6}"; seconds="${3:-6}"; handler="${4:-inject}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
build() { (cd "$1" && mvn -q -B -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath >/dev/null); }
a_tree="$(mktemp -d)"; a_out="$(mktemp -d)"; b_out="$(mktemp -d)"
git worktree add -q --detach "$a_tree" "$rev"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; git worktree remove --force "$a_tree"; rm -rf "$a_out" "$b_out"; }
trap cleanup EXIT
build "$a_tree"; build .
serve() { # TREE OUT
  (cd "$1" && exec java ${BENCH_JAVA_OPTS:--Xmx1g $(cat scripts/jvm-options)} \
    -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
    dev.meshcd.bench.AdmissionBench serve "$2" 100 >"$2/server.log" 2>&1) &
  pids+=($!)
}
serve "$a_tree" "$a_out"; serve . "$b_out"
for _ in $(seq 300); do [[ -f "$a_out/ports" && -f "$b_out/ports" ]] && break; sleep 0.2; done
declare -A url
while read -r name port path; do url[A-$name]="https://127.0.0.1:$port/$path?timeout=10s"; done <"$a_out/ports"
while read -r name port path; do url[B-$name]="https://127.0.0.1:$port/$path?timeout=10s"; done <"$b_out/ports"
body() { [[ $1 == *inject* || $1 == *patch-only* ]] && echo "$b_out/inject.json" || echo "$b_out/validate.json"; }
rps() { # KEY SECONDS -> req/s
  printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/json"\nwrk.headers["Accept"]="application/json, */*"\nwrk.headers["Accept-Encoding"]="gzip"\nwrk.headers["User-Agent"]="kube-apiserver-admission"\nwrk.body=io.open("%s"):read("*a")\n' \
    "$(body "$1")" >"$b_out/post.lua"
  wrk -t1 -c8 -d"${2}s" -s "$b_out/post.lua" "${url[$1]}" | awk '/Requests\/sec/ {printf "%.0f", $2}'
}
order=(A-baseline "A-$handler" B-baseline "B-$handler")
for key in "${order[@]}" "${order[@]}"; do rps "$key" 8 >/dev/null; done # JIT, connections
ratios_a=(); ratios_b=()
for r in $(seq "$rounds"); do
  declare -A got=()
  for key in "${order[@]}"; do got[$key]=$(rps "$key" "$seconds"); done
  ra=$(awk -v h="${got[A-$handler]}" -v b="${got[A-baseline]}" 'BEGIN{printf "%.1f", 100*h/b}')
  rb=$(awk -v h="${got[B-$handler]}" -v b="${got[B-baseline]}" 'BEGIN{printf "%.1f", 100*h/b}')
  ratios_a+=("$ra"); ratios_b+=("$rb")
  echo "round $r  A ($rev): baseline ${got[A-baseline]} $handler ${got[A-$handler]} = $ra%" \
    "  B (working tree): baseline ${got[B-baseline]} $handler ${got[B-$handler]} = $rb%"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "$handler / baseline, median of $rounds rounds: A ($rev) $(median "${ratios_a[@]}")%, B (working tree) $(median "${ratios_b[@]}")%"
