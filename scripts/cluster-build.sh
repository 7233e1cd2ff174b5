#!/usr/bin/env bash
# Builds the real control plane from the Go modules in cluster/ (committed go.mod and go.sum):
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler, static and version-stamped.
# Binaries land in .cache/cluster/<kubernetes>-etcd<etcd>/ (ignored); a second run finds them
# there and returns at once. Prints the folder on its last line. `--where` prints it without
# building, and fails when the binaries are not there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

version_of() { # module path, go.mod file
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"
}
kube="$(version_of k8s.io/kubernetes "$root/cluster/kubernetes/go.mod")"
etcd="$(version_of go.etcd.io/etcd/server/v3 "$root/cluster/etcd/go.mod")"
out="$root/.cache/cluster/$kube-etcd$etcd"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler)

complete() { for b in "${bins[@]}"; do [[ -x "$out/$b" ]] || return 1; done; }
if complete; then echo "$out"; exit 0; fi
if [[ "${1:-}" == --where ]]; then echo "$out"; exit 1; fi
command -v go >/dev/null || { echo "cluster-build: Go is not installed (need Go 1.25 or later)" >&2; exit 1; }

mkdir -p "$out.partial"
start=$SECONDS
minor="${kube#v1.}"; minor="${minor%%.*}"
stamp="-X k8s.io/component-base/version.gitVersion=$kube -X k8s.io/component-base/version.gitMajor=1"
stamp+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
stamp+=" -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
(cd "$root/cluster/etcd" && go build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" go.etcd.io/etcd/server/v3)
for b in kube-apiserver kube-controller-manager kube-scheduler; do
  (cd "$root/cluster/kubernetes" && go build -trimpath -ldflags "-s -w $stamp" -o "$out.partial/$b" "k8s.io/kubernetes/cmd/$b")
done
rm -rf "$out" && mv "$out.partial" "$out"
echo "cluster-build: built ${bins[*]} in $((SECONDS - start)) s; $(du -sh "$out" | cut -f1) in $out" >&2
echo "$out"
