#!/usr/bin/env bash
# Makes the pinned Temporal CLI available and prints its path on stdout (quick when it already is).
# Tries, in order: `temporal` on PATH at the right version; the cache outside the clone;
# `go install` where Go is present; the official release archive.
set -euo pipefail
VERSION="1.5.1"
CACHE_DIR="${SHOWPRINT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/showprint}/bin"
CACHED="$CACHE_DIR/temporal"

# Release builds print their version; `go install` builds print 0.0.0-DEV, so ours leave a marker file.
has_version() {
  "$1" --version 2>/dev/null | grep -q "temporal version ${VERSION}" && return 0
  [ -x "$1" ] && [ "$(cat "$1.version" 2>/dev/null)" = "$VERSION" ]
}
log() { echo "ensure-temporal: $*" >&2; }

if [ -n "${TEMPORAL_CLI_PATH:-}" ] && has_version "$TEMPORAL_CLI_PATH"; then echo "$TEMPORAL_CLI_PATH"; exit 0; fi
if command -v temporal >/dev/null 2>&1 && has_version "$(command -v temporal)"; then command -v temporal; exit 0; fi
if [ -x "$CACHED" ] && has_version "$CACHED"; then echo "$CACHED"; exit 0; fi

mkdir -p "$CACHE_DIR"
if command -v go >/dev/null 2>&1; then
  log "building Temporal CLI v${VERSION} with go install (takes a few minutes, once)…"
  start=$(date +%s)
  GOBIN="$CACHE_DIR" go install "github.com/temporalio/cli/cmd/temporal@v${VERSION}" >&2
  log "built in $(( $(date +%s) - start ))s"
  echo "$VERSION" > "$CACHED.version"
else
  os=$(uname -s | tr '[:upper:]' '[:lower:]'); arch=$(uname -m)
  case "$arch" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; esac
  url="https://github.com/temporalio/cli/releases/download/v${VERSION}/temporal_cli_${VERSION}_${os}_${arch}.tar.gz"
  log "downloading $url"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  curl -fsSL "$url" -o "$tmp/cli.tgz"
  tar -xzf "$tmp/cli.tgz" -C "$tmp" temporal
  install -m 0755 "$tmp/temporal" "$CACHED"
  echo "$VERSION" > "$CACHED.version"
fi
has_version "$CACHED" || { log "the Temporal CLI at $CACHED is not v${VERSION}"; exit 1; }
echo "$CACHED"
