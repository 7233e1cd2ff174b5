#!/usr/bin/env bash
# Builds cert-manager's controller from the Go module in cluster/cert-manager (our own main.go over
# cert-manager's library; committed go.mod and go.sum) and copies cert-manager's six CRDs and its
# LICENSE from the same module version. Everything lands in .cache/cert-manager/<version>/
# (ignored): the binary `controller` and crds/*.yaml; a second run finds them there and returns at
# once. Prints the folder on its last line. `--where` prints it without building, and fails when
# it is not there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

module=github.com/cert-manager/cert-manager
version="$(awk -v m="$module" '$1 == "require" && $2 == m { print $3; exit } $1 == m && $2 ~ /^v/ { print $2; exit }' "$root/cluster/cert-manager/go.mod")"
out="$root/.cache/cert-manager/$version"
if [[ -x "$out/controller" ]]; then echo "$out"; exit 0; fi
if [[ "${1:-}" == --where ]]; then echo "$out"; exit 1; fi
command -v go >/dev/null || { echo "cert-manager-build: Go is not installed (need Go 1.26 or later)" >&2; exit 1; }

rm -rf "$out.partial" && mkdir -p "$out.partial/crds"
start=$SECONDS
cd "$root/cluster/cert-manager"
go build -trimpath -ldflags "-s -w -X $module/pkg/util.AppVersion=$version" -o "$out.partial/controller" .
dir="$(go list -m -f '{{.Dir}}' "$module")"
cp "$dir"/deploy/crds/*.yaml "$out.partial/crds/"
cp "$dir/LICENSE" "$out.partial/LICENSE"
rm -rf "$out" && mv "$out.partial" "$out"
echo "cert-manager-build: built the controller in $((SECONDS - start)) s; $(du -sh "$out/controller" | cut -f1) in $out" >&2
echo "$out"
