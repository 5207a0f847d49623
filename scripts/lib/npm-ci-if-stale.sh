# shellcheck shell=bash
# Sourced by the runners (scripts/demo, scripts/setup, tests/*/run, bench/run, bench/tabs-race-run):
# the one rule for installing a directory's npm packages.
#
#   npm_ci_if_stale [--package-json] [--needs FILE] [--note TEXT] DIR
#       `npm ci` in DIR when DIR/node_modules/.package-lock.json (npm's record of the install) is
#       missing or older than DIR/package-lock.json; with --package-json also when older than
#       DIR/package.json; with --needs also when DIR/FILE is missing (and it must exist after).
#   npm_ci_stack_if_stale
#       the same for tests/e2e/stack, whose better-sqlite3 compiles its native addon.
#
# npm ci runs with --no-audit --no-fund --loglevel=error, stdin from /dev/null, its output on
# stderr; node-gyp gets the local Node headers (npm_config_nodedir), never a download. Messages go
# through the caller's log() (else to stderr). Returns non-zero when the install failed.

npm_ci_lib_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

npm_ci_log() {
  if declare -F log >/dev/null; then log "$@"; else printf '%s\n' "$*" >&2; fi
}

npm_ci_if_stale() {
  local package_json="" needs="" note=""
  while [ $# -gt 1 ]; do
    case "$1" in
      --package-json) package_json=1; shift ;;
      --needs) needs="$2"; shift 2 ;;
      --note) note="$2"; shift 2 ;;
      *) break ;;
    esac
  done
  local dir="$1"
  local marker="$dir/node_modules/.package-lock.json"
  if [ -f "$marker" ] && ! [ "$dir/package-lock.json" -nt "$marker" ] \
     && { [ -z "$package_json" ] || ! [ "$dir/package.json" -nt "$marker" ]; } \
     && { [ -z "$needs" ] || [ -f "$dir/$needs" ]; }; then
    return 0
  fi
  local abs; abs="$(cd "$dir" && pwd)"
  local name="${abs#"$npm_ci_lib_root"/}"
  [ "$abs" = "$npm_ci_lib_root" ] && name="."
  npm_ci_log "npm ci in $name${note:+ ($note)}"
  local start; start=$(date +%s)
  (
    cd "$dir" || exit 1
    if [ -z "${npm_config_nodedir:-}" ]; then
      node_prefix="$(dirname "$(dirname "$(command -v node)")")"
      [ -f "$node_prefix/include/node/node.h" ] && export npm_config_nodedir="$node_prefix"
    fi
    npm ci --no-audit --no-fund --loglevel=error </dev/null >&2
  ) || return
  if [ -n "$needs" ] && [ ! -f "$dir/$needs" ]; then
    npm_ci_log "npm ci in $name: $needs was not built (is allowScripts in package.json?)"
    return 1
  fi
  [ ! -d "$dir/node_modules" ] || touch "$marker"
  npm_ci_log "npm ci in $name done in $(( $(date +%s) - start )) s"
}

npm_ci_stack_if_stale() {
  npm_ci_if_stale --package-json --needs node_modules/better-sqlite3/build/Release/better_sqlite3.node \
    --note "first run: a few minutes, better-sqlite3 compiles" "$npm_ci_lib_root/tests/e2e/stack"
}
