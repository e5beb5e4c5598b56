#!/usr/bin/env bash
# Refreshes schemas/istio/crd-all.gen.yaml from a local Istio checkout or a local copy of the file,
# then prints the kinds and served versions it holds (compare them with KindRegistry.standard()).
#
#   scripts/refresh-schemas.sh /path/to/istio            # an istio/istio checkout
#   scripts/refresh-schemas.sh /path/to/crd-all.gen.yaml # the file itself
#   scripts/refresh-schemas.sh --list                    # only print what the current file holds
#
# Nothing is downloaded: fetch or check out Istio yourself first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=schemas/istio/crd-all.gen.yaml

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -eq 1 ] || usage
if [ "$1" != "--list" ]; then
    src=$1
    if [ -d "$src" ]; then
        src=$src/manifests/charts/base/files/crd-all.gen.yaml
    fi
    if [ ! -f "$src" ]; then
        echo "refresh-schemas: no such file: $src" >&2
        exit 2
    fi
    if ! grep -q '^kind: CustomResourceDefinition' "$src"; then
        echo "refresh-schemas: $src holds no CustomResourceDefinition" >&2
        exit 1
    fi
    cp "$src" "$target"
    echo "copied $src -> $target"
    if [ -d "$1/.git" ] && command -v git >/dev/null; then
        echo "istio commit: $(git -C "$1" rev-parse HEAD)  (update schemas/istio/README.md)"
    fi
    echo "sha256: $(sha256sum "$target" | cut -d' ' -f1)"
fi

# Kinds and served versions: a small awk over the generated layout (one CRD per document,
# spec.group / spec.names.kind / spec.versions[].name and .served at fixed indentation).
awk '
    function flush() {
        if (kind != "") { printf "%-24s %-22s %s\n", kind, group, versions }
        kind = ""; group = ""; versions = ""; vname = ""
    }
    /^---/                      { flush(); next }
    /^  group: /                { group = $2; next }
    /^    kind: /               { kind = $2; next }
    /^  - name: /               { vname = $3; next }
    /^    name: /               { vname = $2; next }
    /^    served: true/         { versions = versions (versions == "" ? "" : ",") vname; next }
    END                         { flush() }
' "$target" | sort
echo "CEL rules (x-kubernetes-validations): $(grep -cE '^ *(- )?rule: ' "$target")"
