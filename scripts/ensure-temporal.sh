#!/usr/bin/env bash
# Makes the pinned Temporal CLI available and prints its path on stdout (the only thing printed there;
# callers read the last line). Sources, in order:
#   0. $TEMPORAL_CLI_PATH, when it is the pinned version;
#   1. `temporal` on PATH at the pinned version;
#   2. the cache outside the clone: $SHOWPRINT_CACHE_DIR (else $XDG_CACHE_HOME/showprint, else
#      ~/.cache/showprint), file bin/temporal;
#   3. the official release archive, only when its host answers within a few seconds (needs curl);
#   4. `go install` into that cache (needs Go; a few minutes, once).
# Found at once (0-2): nothing on stderr, unless ENSURE_TEMPORAL_VERBOSE=1 or stderr is a terminal.
# Fetched (3-4): stderr says what was chosen and why, and shows progress while it works.
# Knobs (mostly for tests): SHOWPRINT_PROGRESS_EVERY (seconds between progress lines, 10),
# TEMPORAL_RELEASE_BASE_URL (where the release archives live), TEMPORAL_RELEASE_PROBE_TIMEOUT (5 s).
set -euo pipefail
VERSION="1.5.1"
VERSION_RE="temporal version ${VERSION//./\\.}([^0-9.]|$)"
CACHE_DIR="${SHOWPRINT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/showprint}/bin"
CACHED="$CACHE_DIR/temporal"
EVERY="${SHOWPRINT_PROGRESS_EVERY:-10}"
PROBE_TIMEOUT="${TEMPORAL_RELEASE_PROBE_TIMEOUT:-5}"
RELEASE_BASE="${TEMPORAL_RELEASE_BASE_URL:-https://github.com/temporalio/cli/releases/download}"
GO_PACKAGE="github.com/temporalio/cli/cmd/temporal@v${VERSION}"
VERBOSE=0
if [ "${ENSURE_TEMPORAL_VERBOSE:-0}" = 1 ] || [ -t 2 ]; then VERBOSE=1; fi

log() { echo "ensure-temporal: $*" >&2; }

# Release builds print their version; `go install` builds print 0.0.0-DEV, so ours leave a marker file.
has_version() {
  local out
  out=$("$1" --version 2>/dev/null) || true
  [[ $out =~ $VERSION_RE ]] && return 0
  [ -x "$1" ] && [ "$(cat "$1.version" 2>/dev/null)" = "$VERSION" ]
}
# What a binary says it is, for messages.
describe() {
  local out
  [ -e "$1" ] || { echo "no such file"; return; }
  out=$("$1" --version 2>/dev/null | head -n 1) || true
  echo "${out:-it does not print a version}"
}
# Found at once: say so only when asked to be verbose.
found() {
  if [ "$VERBOSE" = 1 ]; then log "$1"; fi
  echo "$2"
  exit 0
}
# Sources passed over are said at once when verbose, else only when a slow step has to follow.
passed_over=()
pass_over() { if [ "$VERBOSE" = 1 ]; then log "$*"; else passed_over+=("$*"); fi; }
say_passed_over() {
  local line
  for line in ${passed_over[@]+"${passed_over[@]}"}; do log "$line"; done
  passed_over=()
}
duration() { if [ "$1" -lt 60 ]; then echo "${1}s"; else printf '%dm%02ds\n' $(($1 / 60)) $(($1 % 60)); fi; }

# 0-2: already here?
if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  if has_version "$TEMPORAL_CLI_PATH"; then found "using TEMPORAL_CLI_PATH ($TEMPORAL_CLI_PATH)" "$TEMPORAL_CLI_PATH"; fi
  # A setting that does not work is worth saying even when something else is found.
  log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not the Temporal CLI v${VERSION} ($(describe "$TEMPORAL_CLI_PATH")); looking elsewhere"
fi
on_path=$(command -v temporal 2>/dev/null || true)
if [ -n "$on_path" ] && has_version "$on_path"; then found "using temporal on PATH ($on_path)" "$on_path"; fi
if [ -n "$on_path" ]; then pass_over "temporal on PATH ($on_path) is not v${VERSION} ($(describe "$on_path"))"
else pass_over "no temporal on PATH"; fi
if has_version "$CACHED"; then found "using the cached CLI ($CACHED)" "$CACHED"; fi
if [ -e "$CACHED" ]; then pass_over "the cached $CACHED is not v${VERSION} ($(describe "$CACHED"))"
else pass_over "no Temporal CLI cached in $CACHE_DIR"; fi

# 3-4: fetch it, once.
say_passed_over
log "fetching Temporal CLI v${VERSION} into $CACHE_DIR (once; later starts find it there)"
mkdir -p "$CACHE_DIR"
tmp=$(mktemp -d)
job=""
cleanup() {
  if [ -n "$job" ]; then kill "$job" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits for background job $job; every $EVERY seconds prints "$1… <elapsed> (<what $2 prints>)".
# Leaves the time taken in $took and returns the job's status.
watch_job() {
  local started=$SECONDS next=$((SECONDS + EVERY)) status=0
  while kill -0 "$job" 2>/dev/null; do
    if [ "$SECONDS" -ge "$next" ]; then
      log "$1… $(duration $((SECONDS - started))) ($($2))"
      next=$((next + EVERY))
    fi
    sleep 0.2
  done
  wait "$job" || status=$?
  job=""
  took=$(duration $((SECONDS - started)))
  return "$status"
}
size_of() {
  local bytes
  bytes=$(wc -c <"$1" 2>/dev/null || echo 0)
  awk -v b="$bytes" 'BEGIN { if (b >= 1048576) printf "%.1f MB\n", b / 1048576; else printf "%d KB\n", b / 1024 }'
}
archive_progress() { echo "$(size_of "$tmp/cli.tgz") so far"; }

os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
case "$arch" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; esac
url="${RELEASE_BASE%/}/v${VERSION}/temporal_cli_${VERSION}_${os}_${arch}.tar.gz"

try_archive() {
  if ! command -v curl >/dev/null 2>&1; then log "curl not found: skipping the release archive"; return 1; fi
  # Probe first (headers only, no redirects): a host that does not answer quickly is skipped.
  local code rc=0
  code=$(curl -sS -I -o /dev/null -w '%{http_code}' --connect-timeout "$PROBE_TIMEOUT" --max-time "$PROBE_TIMEOUT" "$url" 2>"$tmp/probe.err") || rc=$?
  if [ "$rc" = 28 ]; then
    log "the release archive's host did not answer within ${PROBE_TIMEOUT}s: skipping the download"
    return 1
  elif [ "$rc" != 0 ]; then
    log "the release archive's host cannot be reached ($(tail -n 1 "$tmp/probe.err")): skipping the download"
    return 1
  elif [ "$code" -ge 400 ]; then
    log "the release archive answered HTTP $code ($url): skipping the download"
    return 1
  fi
  log "downloading the release archive $url"
  curl -fsSL --connect-timeout "$PROBE_TIMEOUT" --speed-limit 1024 --speed-time 30 -o "$tmp/cli.tgz" "$url" 2>"$tmp/curl.err" &
  job=$!
  if ! watch_job "downloading Temporal CLI v${VERSION}" archive_progress; then
    log "the download failed after $took ($(tail -n 1 "$tmp/curl.err"))"
    return 1
  fi
  if ! tar -xzf "$tmp/cli.tgz" -C "$tmp" temporal 2>"$tmp/tar.err"; then
    log "the archive could not be unpacked ($(head -n 1 "$tmp/tar.err"))"
    return 1
  fi
  rm -f "$CACHED.version"
  install -m 0755 "$tmp/temporal" "$CACHED.part" && mv -f "$CACHED.part" "$CACHED"
  if ! has_version "$CACHED"; then
    log "the downloaded CLI is not v${VERSION} ($(describe "$CACHED"))"
    rm -f "$CACHED"
    return 1
  fi
  log "downloaded Temporal CLI v${VERSION} ($(size_of "$tmp/cli.tgz")) in $took: $CACHED"
}

go_log="$CACHE_DIR/go-install.log"
# `go install -v` logs "go: downloading <module>" while fetching, then each package as it compiles.
go_progress() {
  local downloads built last
  downloads=$(grep -c '^go: downloading ' "$go_log" 2>/dev/null || true)
  built=$(grep -vc '^go: ' "$go_log" 2>/dev/null || true)
  if [ "${built:-0}" -gt 0 ]; then
    last=$(grep -v '^go: ' "$go_log" | tail -n 1)
    echo "compiling ${last}; ${built} packages so far"
  elif [ "${downloads:-0}" -gt 0 ]; then
    echo "downloading modules: ${downloads} so far"
  else
    echo "resolving ${GO_PACKAGE}"
  fi
}

try_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not found on PATH: cannot build the Temporal CLI from source"; return 1; fi
  log "building Temporal CLI v${VERSION} with go install (a few minutes, once; log: $go_log)"
  rm -f "$CACHED.version"
  GOBIN="$CACHE_DIR" go install -v "$GO_PACKAGE" >"$go_log" 2>&1 &
  job=$!
  if ! watch_job "building Temporal CLI v${VERSION}" go_progress; then
    log "go install failed after $took; its last lines (all of them in $go_log):"
    tail -n 15 "$go_log" | sed 's/^/ensure-temporal:   /' >&2
    return 1
  fi
  if [ ! -x "$CACHED" ]; then log "go install finished but left no $CACHED"; return 1; fi
  echo "$VERSION" >"$CACHED.version"
  log "built Temporal CLI v${VERSION} in $took: $CACHED"
}

if try_archive || try_go; then
  echo "$CACHED"
  exit 0
fi
log "could not get the Temporal CLI v${VERSION}. Either:"
log "  - install Go (https://go.dev/dl/) and start again: the CLI is then built once (a few minutes), or"
log "  - download $url, unpack it and set TEMPORAL_CLI_PATH to the temporal binary in it (or put it on PATH)"
exit 1
