#!/usr/bin/env bash
# Fetches the official CRDs the stack's optional objects are checked against, from their projects'
# Go modules through the Go module proxy (checked against the checksum database): Gateway API's
# HTTPRoute (standard channel) and TLSRoute (experimental), and cert-manager's Certificate. They
# land in .cache/official-crds/<set>/ (ignored) with each module's LICENSE (both Apache-2.0); a
# second run finds them there and returns at once. Prints the directory on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

gateway_api=v1.4.1
# The version scripts/cert-manager-build.sh builds: the controller the tests run and the CRD they check are one release.
cert_manager="$(awk -v m=github.com/cert-manager/cert-manager '$1 == "require" && $2 == m { print $3; exit } $1 == m && $2 ~ /^v/ { print $2; exit }' "$root/cluster/cert-manager/go.mod")"
out="$root/.cache/official-crds/gateway-api-$gateway_api-cert-manager-$cert_manager"
if [[ -d "$out" ]]; then echo "$out"; exit 0; fi
command -v go >/dev/null || { echo "official-crds: Go is not installed" >&2; exit 1; }

export GOPATH="$root/.cache/official-crds/gopath" GOMODCACHE="$root/.cache/official-crds/gopath/pkg/mod"
# module@version, then the CRD files inside it.
fetch() {
  local module=$1 name=$2 dir f
  shift 2
  dir="$(go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir" ]] || { echo "official-crds: go mod download gave no directory for $module" >&2; exit 1; }
  for f in "$@"; do cp "$dir/$f" "$out.partial/$name-${f##*/}"; done
  cp "$dir/LICENSE" "$out.partial/$name-LICENSE"
}
rm -rf "$out.partial" && mkdir -p "$out.partial"
fetch "sigs.k8s.io/gateway-api@$gateway_api" gateway-api \
  config/crd/standard/gateway.networking.k8s.io_httproutes.yaml config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml
fetch "github.com/cert-manager/cert-manager@$cert_manager" cert-manager deploy/crds/cert-manager.io_certificates.yaml
chmod -R u+w "$GOPATH" && rm -rf "$GOPATH"
mv "$out.partial" "$out"
echo "$out"
