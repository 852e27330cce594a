#!/usr/bin/env bash
# Builds the helm CLI from the Go module pinned in this folder (a `tool` line in go.mod),
# static, trimmed, stripped, with the version stamped in as upstream's Makefile does, into
# a cache outside the repository keyed by go.mod, go.sum, the build flags and the Go
# version: a second run with the same key does nothing. Prints the path of the binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

[ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "helm: Go is needed to build helm (chart tests only; npm start does not need it)" >&2; exit 1; }

helm_version="$(awk '$1 == "helm.sh/helm/v4" { print $2; exit }' go.mod)"
pkg=helm.sh/helm/v4/internal/version
ldflags="-s -w -X $pkg.version=$helm_version -X $pkg.gitCommit=module -X $pkg.gitTreeState=clean"

key="$( { cat go.mod go.sum; echo "$ldflags"; go env GOVERSION; } | sha256sum | cut -c1-16)"
cache_root="${TANDEM_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/helm}"
out="$cache_root/$helm_version-$key"

if [ -x "$out/helm" ]; then
  echo "$out/helm"
  exit 0
fi

echo "helm: building helm $helm_version into $out (a cold build takes a few minutes)" >&2
mkdir -p "$cache_root"
tmp="$(mktemp -d "$cache_root/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
go build -trimpath -ldflags "$ldflags" -o "$tmp/helm" helm.sh/helm/v4/cmd/helm
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out/helm"
