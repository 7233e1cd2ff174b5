#!/usr/bin/env bash
# Fetches the official Gateway API CRDs (the module sigs.k8s.io/gateway-api, through the Go module
# proxy, checked against the checksum database) and keeps the two the stack's routes need:
# HTTPRoute from the standard channel and TLSRoute from the experimental one. They land in
# .cache/gateway-api/<version>/ (ignored) with the module's LICENSE (Apache-2.0); a second run
# finds them there and returns at once. Prints the directory on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

version=v1.4.1
out="$root/.cache/gateway-api/$version"
files=(standard/gateway.networking.k8s.io_httproutes.yaml experimental/gateway.networking.k8s.io_tlsroutes.yaml)
if [[ -f "$out/LICENSE" ]]; then echo "$out"; exit 0; fi
command -v go >/dev/null || { echo "gateway-api-crds: Go is not installed" >&2; exit 1; }

export GOPATH="$root/.cache/gateway-api/gopath" GOMODCACHE="$root/.cache/gateway-api/gopath/pkg/mod"
dir="$(go mod download -json "sigs.k8s.io/gateway-api@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[[ -d "$dir" ]] || { echo "gateway-api-crds: go mod download gave no directory for sigs.k8s.io/gateway-api@$version" >&2; exit 1; }
mkdir -p "$out.partial"
for f in "${files[@]}"; do cp "$dir/config/crd/$f" "$out.partial/${f%%/*}-${f##*/}"; done
cp "$dir/LICENSE" "$out.partial/LICENSE"
chmod -R u+w "$GOPATH" && rm -rf "$GOPATH" "$out"
mv "$out.partial" "$out"
echo "$out"
