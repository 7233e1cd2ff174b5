#!/usr/bin/env bash
# Renders the README's pictures from their checked-in sources: docs/diagrams/*.dot -> *.svg
# with graphviz's dot (Debian: graphviz). Run after editing a .dot file and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "dot not found: sudo apt-get install -y graphviz" >&2; exit 1; }
for source in docs/diagrams/*.dot; do
  dot -Tsvg "$source" -o "${source%.dot}.svg"
  echo "wrote ${source%.dot}.svg"
done
