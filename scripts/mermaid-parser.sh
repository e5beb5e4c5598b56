#!/usr/bin/env bash
# The real Mermaid parser for the tests that check meshcd review's flowcharts (MermaidParserTest): mermaid and
# jsdom from npm, installed once into a cache directory with scripts/mermaid-parse.mjs beside them.
#   scripts/mermaid-parser.sh ensure   install when missing (offline or without npm: a note, exit 0; the test skips)
#   scripts/mermaid-parser.sh dir      print the directory when installed (exit 1 when not)
# The directory: $MESHCD_MERMAID_DIR, else /var/cache/meshcd/mermaid when writable, else ~/.cache/meshcd/mermaid.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MERMAID_VERSION=12.4.0
JSDOM_VERSION=24.1.3 # jsdom 25+ needs Node 20.19+/22; 24 runs on Node 18 and later

cache_dir() {
  if [[ -n "${MESHCD_MERMAID_DIR:-}" ]]; then
    echo "$MESHCD_MERMAID_DIR"
  elif mkdir -p /var/cache/meshcd/mermaid 2>/dev/null && [[ -w /var/cache/meshcd/mermaid ]]; then
    echo /var/cache/meshcd/mermaid
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/meshcd/mermaid"
  fi
}

installed() {
  [[ -f "$1/node_modules/mermaid/package.json" && -f "$1/node_modules/jsdom/package.json" \
    && -f "$1/.version" && "$(cat "$1/.version")" == "$MERMAID_VERSION $JSDOM_VERSION" ]]
}

case "${1:-}" in
  dir)
    d=$(cache_dir)
    installed "$d" || exit 1
    cp scripts/mermaid-parse.mjs "$d/mermaid-parse.mjs"
    echo "$d"
    ;;
  ensure)
    d=$(cache_dir)
    mkdir -p "$d"
    if ! installed "$d"; then
      if ! command -v npm >/dev/null 2>&1; then
        echo "mermaid-parser.sh: no npm: the Mermaid parse test will be skipped" >&2
        exit 0
      fi
      echo '{"name":"meshcd-mermaid-parser","private":true}' > "$d/package.json"
      if ! (cd "$d" && npm install --no-audit --no-fund --loglevel=error \
          "mermaid@$MERMAID_VERSION" "jsdom@$JSDOM_VERSION" >/dev/null); then
        echo "mermaid-parser.sh: npm install failed (offline?): the Mermaid parse test will be skipped" >&2
        exit 0
      fi
      echo "$MERMAID_VERSION $JSDOM_VERSION" > "$d/.version"
    fi
    cp scripts/mermaid-parse.mjs "$d/mermaid-parse.mjs"
    echo "$d"
    ;;
  *)
    echo "usage: $0 ensure|dir" >&2
    exit 2
    ;;
esac
