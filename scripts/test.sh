#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine, then runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B verify "$@"
