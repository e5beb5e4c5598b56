#!/usr/bin/env bash
# A real, local Kubernetes control plane (etcd + kube-apiserver [+ kube-controller-manager]) for meshcd's
# cluster tests and for trying meshcd without kind/Docker.
#
#   scripts/k8s-local.sh ensure        build (once) and cache kube-apiserver + kube-controller-manager
#   scripts/k8s-local.sh bin-dir       print the directory holding the cached binaries (exit 1 if absent)
#   scripts/k8s-local.sh start DIR     certs, etcd, kube-apiserver on free 127.0.0.1 ports; writes DIR/kubeconfig
#                                      (MESHCD_K8S_CONTROLLER_MANAGER=1 also starts kube-controller-manager)
#   scripts/k8s-local.sh stop DIR      stops the processes recorded in DIR/*.pid
#
# kube-apiserver comes from Debian's `kubernetes` source package (1.20.2), built with Debian's Go.
# Binaries are cached in ${MESHCD_K8S_CACHE:-/var/cache/meshcd/k8s}/<debian-source-version>/.
set -euo pipefail

CACHE_ROOT="${MESHCD_K8S_CACHE:-/var/cache/meshcd/k8s}"
GO119=/usr/lib/go-1.19/bin
K8S_VERSION="v1.20.2"

log() { echo "[k8s-local] $*" >&2; }
die() { echo "[k8s-local] ERROR: $*" >&2; exit 1; }

# The Debian source version of `kubernetes`, e.g. 1.20.5+really1.20.2-1.1+deb12u1. Falls back to the newest
# cached directory when apt has no deb-src entry yet (so a cached machine never needs the network).
source_version() {
  local v=""
  if command -v apt-cache >/dev/null 2>&1; then
    v=$(apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -1 || true)
  fi
  if [[ -z "$v" && -d "$CACHE_ROOT" ]]; then
    v=$(ls -1 "$CACHE_ROOT" 2>/dev/null | sort -V | tail -1 || true)
  fi
  echo "$v"
}

cached_bin_dir() {
  local v d
  v=$(source_version)
  [[ -n "$v" ]] || return 1
  d="$CACHE_ROOT/$v"
  [[ -x "$d/kube-apiserver" && -x "$d/kube-controller-manager" ]] || return 1
  echo "$d"
}

need_root() { [[ $(id -u) -eq 0 ]] || die "'ensure' installs packages and must run as root"; }

apt_install_missing() {
  local missing=()
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  # The 1.20 tree (GOPATH mode, old vendored packages) builds with Debian's Go 1.19, not with whatever newer
  # Go is first on PATH: install it under its own name and use its directory explicitly (see GO119 below).
  [[ -x "$GO119/go" ]] || missing+=(golang-1.19-go)
  command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
  command -v rsync >/dev/null 2>&1 || missing+=(rsync)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v make >/dev/null 2>&1 || missing+=(make)
  if ((${#missing[@]})); then
    need_root
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_deb_src() {
  if apt-cache showsrc kubernetes >/dev/null 2>&1 && [[ -n "$(apt-cache showsrc kubernetes 2>/dev/null)" ]]; then
    return 0
  fi
  need_root
  local f=/etc/apt/sources.list.d/meshcd-deb-src.sources
  log "adding deb-src entries ($f)"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$f"
  else
    cat >"$f" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  apt-get update -qq
}

cmd_ensure() {
  apt_install_missing
  local d
  if d=$(cached_bin_dir); then
    log "cached: $d"
    echo "$d"
    return 0
  fi
  need_root
  ensure_deb_src
  local v
  v=$(source_version)
  [[ -n "$v" ]] || die "no Debian source package 'kubernetes' found"
  local out="$CACHE_ROOT/$v"
  local work
  work=$(mktemp -d /tmp/meshcd-k8s-build.XXXXXX)
  trap 'rm -rf "$work"' RETURN
  log "building kube-apiserver + kube-controller-manager $K8S_VERSION from Debian source $v in $work (~5 min on 2 cores)"
  (cd "$work" && apt-get source --download-only -qq "kubernetes=$v" >/dev/null)
  (cd "$work" && dpkg-source -x kubernetes_*.dsc src >/dev/null)
  # modern-go/reflect2 1.0.1 (vendored) crashes under Go >= 1.18 on the first custom-resource create: use 1.0.2.
  log "replacing vendored modern-go/reflect2 with Debian's golang-github-modern-go-reflect2-dev"
  (cd "$work" && apt-get download -qq golang-github-modern-go-reflect2-dev >/dev/null && dpkg-deb -x golang-github-modern-go-reflect2-dev_*.deb r2)
  rm -rf "$work/src/vendor/github.com/modern-go/reflect2"
  cp -a "$work/r2/usr/share/gocode/src/github.com/modern-go/reflect2" "$work/src/vendor/github.com/modern-go/reflect2"
  rm -f "$work/src/vendor/github.com/modern-go/reflect2/go.mod"
  cat >"$work/version" <<EOF
KUBE_GIT_VERSION='$K8S_VERSION'
KUBE_GIT_MAJOR='1'
KUBE_GIT_MINOR='20'
KUBE_GIT_TREE_STATE='clean'
EOF
  mkdir -p "$work/home"
  local start=$SECONDS
  local gov
  gov=$(PATH="$GO119:$PATH" go version)
  [[ "$gov" == *go1.19* ]] || die "expected Debian's Go 1.19 for the build, got: $gov"
  log "building with $gov"
  # make prints one line per generator/binary; that is our progress.
  (cd "$work/src" && PATH="$GO119:$PATH" GOROOT= GOTOOLCHAIN=local HOME="$work/home" GO111MODULE=off CGO_ENABLED=0 GOFLAGS= \
    KUBE_GIT_VERSION_FILE="$work/version" \
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" GOLDFLAGS="-s -w" 2>&1 |
    while IFS= read -r line; do log "make: $line"; done)
  local bin="$work/src/_output/bin"
  [[ -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" ]] || die "build produced no binaries"
  mkdir -p "$out.tmp"
  cp "$bin/kube-apiserver" "$bin/kube-controller-manager" "$out.tmp/"
  rm -rf "$out" && mv "$out.tmp" "$out"
  log "built in $((SECONDS - start)) s: $out"
  echo "$out"
}

free_port() {
  python3 - 2>/dev/null <<'EOF' || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

gen_certs() {
  local dir=$1
  local c="$dir/pki"
  mkdir -p "$c"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/ca.key" -out "$c/ca.crt" -days 30 \
    -subj "/CN=meshcd-local-ca" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -keyout "$c/apiserver.key" -out "$c/apiserver.csr" \
    -subj "/CN=kube-apiserver" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >"$c/apiserver.ext"
  openssl x509 -req -in "$c/apiserver.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
    -out "$c/apiserver.crt" -days 30 -extfile "$c/apiserver.ext" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -keyout "$c/admin.key" -out "$c/admin.csr" \
    -subj "/O=system:masters/CN=admin" >/dev/null 2>&1
  printf 'extendedKeyUsage=clientAuth\n' >"$c/client.ext"
  openssl x509 -req -in "$c/admin.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
    -out "$c/admin.crt" -days 30 -extfile "$c/client.ext" >/dev/null 2>&1
  openssl genrsa -out "$c/sa.key" 2048 >/dev/null 2>&1
  openssl rsa -in "$c/sa.key" -pubout -out "$c/sa.pub" >/dev/null 2>&1
}

wait_ready() {
  local dir=$1 port=$2 deadline=$((SECONDS + ${MESHCD_K8S_START_TIMEOUT:-90}))
  local c="$dir/pki"
  while ((SECONDS < deadline)); do
    if curl -sf --cacert "$c/ca.crt" --cert "$c/admin.crt" --key "$c/admin.key" \
      "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/kube-apiserver.pid")" 2>/dev/null; then
      tail -30 "$dir/kube-apiserver.log" >&2 || true
      die "kube-apiserver exited"
    fi
    sleep 0.3
  done
  tail -30 "$dir/kube-apiserver.log" >&2 || true
  die "kube-apiserver not ready in time"
}

cmd_start() {
  local dir=${1:?usage: start DIR}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local bin
  bin=$(cached_bin_dir) || die "kube-apiserver not built yet: run 'scripts/k8s-local.sh ensure' as root first"
  command -v etcd >/dev/null 2>&1 || die "etcd missing: run 'scripts/k8s-local.sh ensure'"
  gen_certs "$dir"
  local c="$dir/pki"
  local etcd_client etcd_peer api_port
  etcd_client=$(free_port); etcd_peer=$(free_port)
  while [[ "$etcd_peer" == "$etcd_client" ]]; do etcd_peer=$(free_port); done
  api_port=$(free_port)
  while [[ "$api_port" == "$etcd_client" || "$api_port" == "$etcd_peer" ]]; do api_port=$(free_port); done

  log "etcd on 127.0.0.1:$etcd_client"
  setsid etcd --name meshcd --data-dir "$dir/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "meshcd=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --quota-backend-bytes=4294967296 \
    >"$dir/etcd.log" 2>&1 </dev/null &
  echo $! >"$dir/etcd.pid"

  log "kube-apiserver on https://127.0.0.1:$api_port"
  setsid "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --bind-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --tls-cert-file="$c/apiserver.crt" --tls-private-key-file="$c/apiserver.key" \
    --client-ca-file="$c/ca.crt" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --service-account-key-file="$c/sa.pub" --service-account-signing-key-file="$c/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --authorization-mode=RBAC \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true \
    >"$dir/kube-apiserver.log" 2>&1 </dev/null &
  echo $! >"$dir/kube-apiserver.pid"

  cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $c/ca.crt
users:
- name: admin
  user:
    client-certificate: $c/admin.crt
    client-key: $c/admin.key
contexts:
- name: local
  context:
    cluster: local
    user: admin
current-context: local
EOF
  wait_ready "$dir" "$api_port"

  if [[ "${MESHCD_K8S_CONTROLLER_MANAGER:-0}" == "1" ]]; then
    log "kube-controller-manager"
    setsid "$bin/kube-controller-manager" --kubeconfig "$dir/kubeconfig" \
      --leader-elect=false --port=0 --secure-port=0 --use-service-account-credentials=false \
      --service-account-private-key-file="$c/sa.key" --root-ca-file="$c/ca.crt" \
      --controllers='*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-route,-service,-attachdetach,-persistentvolume-binder,-persistentvolume-expander,-ttl,-bootstrapsigner,-tokencleaner,-csrsigning,-csrapproving,-csrcleaner' \
      >"$dir/kube-controller-manager.log" 2>&1 </dev/null &
    echo $! >"$dir/kube-controller-manager.pid"
  fi
  echo "$api_port" >"$dir/port"
  log "ready: KUBECONFIG=$dir/kubeconfig"
}

cmd_stop() {
  local dir=${1:?usage: stop DIR}
  local name pid
  for name in kube-controller-manager kube-apiserver etcd; do
    [[ -f "$dir/$name.pid" ]] || continue
    pid=$(cat "$dir/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
  log "stopped ($dir)"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  bin-dir) cached_bin_dir ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 ensure | bin-dir | start DIR | stop DIR" >&2; exit 2 ;;
esac
