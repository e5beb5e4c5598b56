#!/usr/bin/env bash
# Istio itself as the test oracle: the real `istioctl` and `xdsdump` (src/test/go/xdsdump: the xDS istiod would
# send each proxy, computed in-process by Istio's fake discovery server), both built from the istio.io/istio Go
# module at one pinned version and cached.
#
#   scripts/istio-oracle.sh ensure     build (once) and cache istioctl + xdsdump; prints the bin directory
#   scripts/istio-oracle.sh bin-dir    print the bin directory if both are cached and current (exit 1 otherwise)
#   scripts/istio-oracle.sh version    print the pinned istio.io/istio version
#
# The pinned version lives in one place: scripts/istio-oracle.version (src/test/go/xdsdump/go.mod must require the
# same; `ensure` checks). Binaries go to ${MESHCD_ISTIO_CACHE:-/var/cache/meshcd/istio}/<version>/bin/, with the
# Go module and build caches beside them (gomod/, gocache/), so one directory is all CI needs to keep.
# xdsdump is rebuilt when its sources (*.go, go.mod, go.sum) change: bin/xdsdump.key records their hash.
#
# Needs Go >= the module's `go` line (1.26.0) on PATH, and a module proxy (GOPROXY, default proxy.golang.org) that
# serves istio.io/istio and every module it requires; when one is not served, `ensure` names it and stops.
# From an empty cache on 2 cores: about 16 minutes (istioctl 14.5, xdsdump 1.7; downloads included) and 3.6 GB
# (gocache 2.6 GB, gomod 0.7 GB, binaries 0.35 GB). A cached `ensure` or `bin-dir` takes about 0.02 s; a changed
# helper rebuilds in 15-90 s.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="$(tr -d '[:space:]' <"$ROOT/scripts/istio-oracle.version")"
CACHE_ROOT="${MESHCD_ISTIO_CACHE:-/var/cache/meshcd/istio}"
HELPER_SRC="$ROOT/src/test/go/xdsdump"
BIN="$CACHE_ROOT/$VERSION/bin"

log() { echo "[istio-oracle] $*" >&2; }
die() { echo "[istio-oracle] ERROR: $*" >&2; exit 1; }

helper_key() {
  (cd "$HELPER_SRC" && cat go.mod go.sum *.go | sha256sum | cut -c1-16)
}

cached() {
  [[ -x "$BIN/istioctl" && -x "$BIN/xdsdump" && -f "$BIN/xdsdump.key" ]] || return 1
  [[ "$(cat "$BIN/xdsdump.key")" == "$(helper_key)" ]] || return 1
}

go_env() {
  # Self-contained caches; the module's own dependency versions, never a newer toolchain download.
  # The same flags for both builds (no -trimpath), so xdsdump reuses the packages compiled for istioctl.
  export GOMODCACHE="$CACHE_ROOT/gomod" GOCACHE="$CACHE_ROOT/gocache" GOFLAGS="-mod=mod -buildvcs=false" \
    GOTOOLCHAIN=local CGO_ENABLED=0
}

# go's output on failure, with the modules the proxy would not serve named first.
explain_failure() {
  local out="$1" what="$2"
  local missing
  missing=$(grep -oE '[^ ]+@[^ :]+: (invalid version: )?reading [^ ]+: (403|404|410)' "$out" | cut -d: -f1 | sort -u || true)
  tail -30 "$out" >&2
  if [[ -n "$missing" ]]; then
    die "$what: the module proxy (GOPROXY=$(go env GOPROXY)) does not serve:"$'\n'"$missing"
  fi
  die "$what failed (full log: $out)"
}

cmd_ensure() {
  grep -qE "^(require|[[:space:]])[[:space:]]*istio.io/istio $VERSION\$" "$HELPER_SRC/go.mod" \
    || die "src/test/go/xdsdump/go.mod does not require istio.io/istio $VERSION (scripts/istio-oracle.version)"
  if cached; then
    log "cached: $BIN"
    echo "$BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.26 needed)"
  local gov
  gov=$(go env GOVERSION)
  go_env
  mkdir -p "$BIN"
  local logf start
  logf=$(mktemp /tmp/meshcd-istio-oracle.XXXXXX.log)
  if [[ ! -x "$BIN/istioctl" ]]; then
    log "building istioctl (istio.io/istio@$VERSION, $gov) into $BIN; about 15 min on 2 cores the first time"
    start=$SECONDS
    if ! GOBIN="$BIN" go install "istio.io/istio/istioctl/cmd/istioctl@$VERSION" >"$logf" 2>&1; then
      explain_failure "$logf" "go install istioctl@$VERSION"
    fi
    log "istioctl built in $((SECONDS - start)) s"
  fi
  log "building xdsdump (src/test/go/xdsdump)"
  start=$SECONDS
  if ! (cd "$HELPER_SRC" && go build -o "$BIN/xdsdump.tmp" .) >"$logf" 2>&1; then
    explain_failure "$logf" "go build xdsdump"
  fi
  mv "$BIN/xdsdump.tmp" "$BIN/xdsdump"
  helper_key >"$BIN/xdsdump.key"
  log "xdsdump built in $((SECONDS - start)) s"
  rm -f "$logf"
  echo "$BIN"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  bin-dir)
    cached || exit 1
    echo "$BIN"
    ;;
  version) echo "$VERSION" ;;
  *)
    echo "usage: $0 ensure|bin-dir|version" >&2
    exit 2
    ;;
esac
