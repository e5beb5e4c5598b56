#!/usr/bin/env bash
# Admission webhook throughput and latency with wrk as the load generator (see BENCHMARKS.md).
#   scripts/admission-bench.sh [SECONDS=10] [CONNECTIONS=8] [ROUNDS=3] [SERVICES=100]
# One JVM serves four HTTPS webhooks on the same stack: allow-all (baseline), /validate (VirtualService),
# /inject (Pod), and a diagnostic patch-only handler (/inject's answer without the work). wrk (Debian's, one
# thread) measures each one's max req/s, round by round, interleaved;
# then wrk paces requests at half of each median max (random delays per connection) and reports p50/p99.
# Requests carry the headers kube-apiserver sends to webhooks (recorded from v1.20.2): Accept-Encoding: gzip
# among them, so a server that compresses its answers pays for it here as it would in a cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"; conns="${2:-8}"; rounds="${3:-3}"; services="${4:-100}"
command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -q wrk >/dev/null; } \
  || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench.classpath)"
dir="$(mktemp -d)"
java ${BENCH_JAVA_OPTS:--Xmx1g $(cat scripts/jvm-options)} -cp "$cp" dev.meshcd.bench.AdmissionBench serve "$dir" "$services" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 300); do [[ -f "$dir/ports" ]] && break; sleep 0.2; done
[[ -f "$dir/ports" ]] || { cat "$dir/server.log" >&2; exit 1; }
lua="$dir/post.lua"
declare -A url
while read -r name port path; do url[$name]="https://127.0.0.1:$port/$path?timeout=10s"; done <"$dir/ports"
wrk_rps() { # NAME SECONDS -> req/s
  local body="$dir/$([[ $1 == inject || $1 == patch-only ]] && echo inject || echo validate).json"
  printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/json"\nwrk.headers["Accept"]="application/json, */*"\nwrk.headers["Accept-Encoding"]="gzip"\nwrk.headers["User-Agent"]="kube-apiserver-admission"\nwrk.body=io.open("%s"):read("*a")\n' "$body" >"$lua"
  wrk -t1 -c"$conns" -d"${2}s" -s "$lua" "${url[$1]}" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx " $0 > "/dev/stderr"}'
}
# Warm-up (JIT, connections): long enough that round 1 is not still compiling (3 s each left round 1's
# baseline at half of the later rounds').
for name in baseline validate inject patch-only; do wrk_rps "$name" 8 >/dev/null; done
declare -A runs ratios
for r in $(seq "$rounds"); do
  for name in baseline validate inject patch-only; do
    rps=$(wrk_rps "$name" "$seconds"); runs[$name]+="$rps "
    echo "round $r $name max $rps req/s"
    [[ $name == baseline ]] && base_r=$rps
    ratios[$name]+="$(awk -v m="$rps" -v b="$base_r" 'BEGIN{print 100*m/b}') "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
# The ratio is the median of each round's ratio to the baseline measured just before it: this machine's
# capacity drifts by tens of percent over a minute, and neighbours in time share it.
echo "| | max req/s (median of $rounds) | ratio to baseline (median of rounds) | p50 at half max | p99 at half max | rate reached |"
echo "| --- | --- | --- | --- | --- | --- |"
for name in baseline validate inject patch-only; do
  m=$(echo "${runs[$name]}" | median)
  # Half of the max, paced by wrk itself: each connection waits a random delay between requests, uniform in
  # [0, 2d] ms with d = connections/rate (10 ms or more, so wrk's millisecond timer is precise). A fixed delay
  # makes the connections fall into step and arrive in bursts of all of them at once, which measures the
  # burst, not the server; independent arrivals are what an API server's webhook calls look like.
  rate=$(awk -v m="$m" 'BEGIN{printf "%d", m/2}')
  lconns=$(( rate / 100 > conns ? rate / 100 : conns ))
  delay=$(awk -v c="$lconns" -v r="$rate" 'BEGIN{printf "%d", c*1000/r}')
  body="$dir/$([[ $name == inject || $name == patch-only ]] && echo inject || echo validate).json"
  printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/json"\nwrk.headers["Accept"]="application/json, */*"\nwrk.headers["Accept-Encoding"]="gzip"\nwrk.headers["User-Agent"]="kube-apiserver-admission"\nwrk.body=io.open("%s"):read("*a")\nmath.randomseed(os.time())\nfunction delay() return math.random(0, %d) end\n' "$body" "$((2 * delay))" >"$lua"
  out=$(wrk -t1 -c"$lconns" -d"${seconds}s" --latency -s "$lua" "${url[$name]}")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  got=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  printf '| %s | %.0f | %.0f%% | %s | %s | %s req/s |\n' "$name" "$m" "$(echo "${ratios[$name]}" | median)" \
    "$p50" "$p99" "$got"
done
echo "targets: validate and inject >= 70% of baseline; p99 <= 5 ms at half of max ($conns wrk connections, ${seconds}s phases)"
echo "patch-only (diagnostic): /inject's response, byte for byte, without the injection: the part of inject's gap due to its size"
