#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (its S3 gateway is the object store of the backup tests) from the Go
# module in cluster/seaweedfs (committed go.mod and go.sum). The binary lands in
# .cache/seaweedfs/<version>/weed (ignored); a second run finds it there and returns at once.
# Prints the binary's path on its last line. `--where` prints it without building, and fails when
# it is not there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

module=github.com/seaweedfs/seaweedfs
version="$(awk -v m="$module" '$1 == "require" && $2 == m { print $3; exit } $1 == m && $2 ~ /^v/ { print $2; exit }' "$root/cluster/seaweedfs/go.mod")"
out="$root/.cache/seaweedfs/$version"
if [[ -x "$out/weed" ]]; then echo "$out/weed"; exit 0; fi
if [[ "${1:-}" == --where ]]; then echo "$out/weed"; exit 1; fi
command -v go >/dev/null || { echo "seaweedfs-build: Go is not installed (need Go 1.26.6 or later)" >&2; exit 1; }

mkdir -p "$out"
start=$SECONDS
(cd "$root/cluster/seaweedfs" && go build -trimpath -ldflags "-s -w" -o "$out/weed.partial" "$module/weed")
mv "$out/weed.partial" "$out/weed"
echo "seaweedfs-build: built weed in $((SECONDS - start)) s; $(du -sh "$out/weed" | cut -f1) in $out" >&2
echo "$out/weed"
