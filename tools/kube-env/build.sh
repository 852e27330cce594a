#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go modules pinned in this folder, as upstream
# does (static, trimmed, stripped, with the version stamped in), into a cache outside the
# repository keyed by go.mod, go.sum, the build flags and the Go version: a second run with
# the same key does nothing. Prints the directory that holds both binaries on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

command -v go >/dev/null || { echo "kube-env: Go is needed to build the real API server (tests only; npm start does not need it)" >&2; exit 1; }

k8s_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' go.mod)"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' go.mod)"
build_date="2000-01-01T00:00:00Z" # fixed, so the key alone decides whether to rebuild
minor="${k8s_version#v1.}"; minor="${minor%%.*}"

version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitCommit=module -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
ldflags="-s -w$version_flags"
tags="selinux,notest"

key="$( { cat go.mod go.sum cmd/*/main.go; echo "$ldflags $tags"; go env GOVERSION; } | sha256sum | cut -c1-16)"
cache_root="${TANDEM_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/kube-env}"
out="$cache_root/$k8s_version-$key"

if [ -x "$out/kube-apiserver" ] && [ -x "$out/etcd" ]; then
  echo "$out"
  exit 0
fi

echo "kube-env: building kube-apiserver $k8s_version and etcd $etcd_version into $out (a cold build takes several minutes)" >&2
tmp="$(mktemp -d "$cache_root.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$cache_root" && mktemp -d "$cache_root.tmp.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$tmp/kube-apiserver" ./cmd/kube-apiserver
go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./cmd/etcd
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
