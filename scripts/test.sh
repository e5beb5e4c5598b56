#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine, then runs every test.
# Tests tagged "cluster" need a kube-apiserver: `scripts/k8s-local.sh ensure` builds and caches one
# (about 5 minutes once per machine, seconds afterwards). With MESHCD_TEST_KUBECONFIG set, the tests use
# that cluster instead and nothing is built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${MESHCD_TEST_KUBECONFIG:-}" ]]; then
  if [[ $(id -u) -eq 0 ]] || scripts/k8s-local.sh bin-dir >/dev/null 2>&1; then
    scripts/k8s-local.sh ensure >/dev/null
  else
    echo "test.sh: not root and no cached kube-apiserver: cluster tests will be skipped (fail with CI=true)" >&2
  fi
fi
# Istio itself as the test oracle (tests tagged "oracle"): istioctl and our xDS helper, built with Go from the
# Go module proxy once per pinned version (about 16 minutes cold), cached in /var/cache/meshcd/istio.
if command -v go >/dev/null 2>&1 || scripts/istio-oracle.sh bin-dir >/dev/null 2>&1; then
  scripts/istio-oracle.sh ensure >/dev/null
else
  echo "test.sh: no Go and no cached Istio oracle: oracle tests will be skipped (fail with CI=true)" >&2
fi
# The real Mermaid parser (npm: mermaid, jsdom) for the review flowchart test; skipped when it cannot be had.
scripts/mermaid-parser.sh ensure >/dev/null || true
mvn -B verify "$@"
