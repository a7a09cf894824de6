#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last code-server release that runs on
# Node 20) into a cache folder, for the real-VS-Code test (test/editors/vscode.test.ts), with
# no internet access beyond the npm registry and Debian's apt.
#
#   bash scripts/install-code-server.sh           # install (skipped when present and working)
#   bash scripts/install-code-server.sh --force   # reinstall
#
# 1. System packages, with apt (needs root): chromium (the browser Playwright drives, through
#    its executablePath; Playwright never downloads one), build-essential, python3 and
#    libkrb5-dev (to build code-server's native modules). Skipped when already present.
# 2. code-server from the npm registry, its install steps run by hand, because its own
#    postinstall fails offline:
#    - `npm ci --ignore-scripts` in the package, then `npm rebuild argon2`;
#    - in lib/vscode, `npm install --ignore-scripts` (not `ci`: its lock file does not match),
#      then `bin/rg` from the npm package @vscode/ripgrep-linux-x64 (else @vscode/ripgrep
#      downloads it from GitHub), then the native modules rebuilt, their scripts allowed by
#      name (current npm blocks dependencies' install scripts unless allowed);
#    - node-pty's build runs `npx node-gyp` (npm_config_yes=true), and node-gyp uses this
#      Node's own headers (npm_config_nodedir) instead of downloading them.
#
# Environment: CODEX_EDITORS_DIR (default <repo>/.cache/editors).
# Prints "code-server /abs/bin/code-server" and "chromium /abs/chromium" on stdout.
set -euo pipefail

VERSION=4.100.3
RIPGREP_PKG=@vscode/ripgrep-linux-x64@1.18.0
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${CODEX_EDITORS_DIR:-$REPO/.cache/editors}
FINAL=$DIR/code-server-$VERSION
WRAPPER=$FINAL/bin/code-server

log() { printf 'install-code-server: %s\n' "$*" >&2; }
die() { printf 'install-code-server: error: %s\n' "$*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h | --help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (expected --force or --help)" ;;
  esac
done

[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (the ripgrep package is linux-x64)."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || die "code-server $VERSION runs on Node 20 only; this is Node $(node --version)."

chromium_path() { command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null; }

# 1. System packages.
missing=()
chromium_path >/dev/null || missing+=(chromium)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  apt_cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" = 0 ]; then :
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then apt_cmd=(sudo "${apt_cmd[@]}")
  else die "missing system packages: ${missing[*]}. Run: sudo apt-get install ${missing[*]}"
  fi
  log "installing with apt: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed (try 'apt-get update' first)."
fi
CHROMIUM=$(chromium_path) || die "chromium is still not on PATH after installing it."

# Its first start may log other lines (creating its config) before the version.
probe() { timeout 60 "$WRAPPER" --version 2>/dev/null | grep -m1 "^$VERSION "; }

mkdir -p "$DIR"
DIR=$(cd -- "$DIR" && pwd -P)
FINAL=$DIR/code-server-$VERSION
WRAPPER=$FINAL/bin/code-server
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.install-code-server.lock"
  flock 9
fi

if [ $force = 0 ] && [ -x "$WRAPPER" ] && probe >/dev/null; then
  log "code-server $VERSION is already installed"
  printf 'code-server %s\nchromium %s\n' "$WRAPPER" "$CHROMIUM"
  exit 0
fi

t0=$SECONDS
stage=$(mktemp -d "$DIR/.code-server.XXXXXX")
# shellcheck disable=SC2064
trap "rm -rf '$stage'" EXIT

export npm_config_yes=true
export npm_config_nodedir
npm_config_nodedir=$(dirname "$(dirname "$(command -v node)")")
[ -e "$npm_config_nodedir/include/node/node.h" ] ||
  die "no Node headers under $npm_config_nodedir/include/node (node-gyp would download them)."
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
run() { # label command...: quiet unless it fails
  local label=$1
  shift
  log "$label"
  if ! "$@" >"$stage/step.log" 2>&1; then
    tail -n 60 "$stage/step.log" >&2
    die "$label failed (see above)."
  fi
}

run "downloading code-server $VERSION from the npm registry" \
  bash -c "cd '$stage' && npm pack --silent code-server@$VERSION && tar xzf code-server-$VERSION.tgz && rm code-server-$VERSION.tgz"
pkg=$stage/package
run "installing its dependencies (npm ci --ignore-scripts)" \
  bash -c "cd '$pkg' && npm ci --ignore-scripts --omit=dev"
# Project installs take the allowed list from the project's .npmrc, not from the command line.
echo 'allow-scripts=argon2' >>"$pkg/.npmrc"
run "building argon2" bash -c "cd '$pkg' && npm rebuild argon2"

vs=$pkg/lib/vscode
run "installing VS Code's dependencies (npm install --ignore-scripts in lib/vscode)" \
  bash -c "cd '$vs' && npm install --ignore-scripts --omit=dev"
run "putting rg in place from $RIPGREP_PKG" \
  bash -c "cd '$stage' && npm pack --silent '$RIPGREP_PKG' && mkdir rg && tar xzf vscode-ripgrep-linux-x64-*.tgz -C rg &&
    mkdir -p '$vs/node_modules/@vscode/ripgrep/bin' && cp rg/package/bin/rg '$vs/node_modules/@vscode/ripgrep/bin/rg' &&
    chmod 755 '$vs/node_modules/@vscode/ripgrep/bin/rg'"
native=(@vscode/spdlog node-pty native-watchdog kerberos @parcel/watcher @vscode/deviceid)
allow=$(IFS=,; echo "${native[*]}")
echo "allow-scripts=$allow" >>"$vs/.npmrc"
run "building VS Code's native modules (${native[*]})" bash -c "cd '$vs' && npm rebuild ${native[*]}"
# Built-in extensions share one dependency (typescript); no scripts needed.
run "installing the built-in extensions' dependency" \
  bash -c "cd '$vs/extensions' && npm install --ignore-scripts --omit=dev"

# What code-server's postinstall.sh does after installing.
ln -sfn node_modules "$vs/node_modules.asar"
ln -sfn code-server-linux.sh "$vs/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$vs/bin/helpers/browser.sh"

mkdir -p "$stage/bin"
mv "$pkg" "$stage/lib"
cat >"$stage/bin/code-server" <<EOF
#!/bin/sh
# code-server $VERSION, installed by scripts/install-code-server.sh.
self=\$(readlink -f -- "\$0")
dir=\$(cd -- "\$(dirname -- "\$self")/.." && pwd -P)
exec node "\$dir/lib/out/node/entry.js" "\$@"
EOF
chmod 755 "$stage/bin/code-server"
rm -rf "$stage/rg" "$stage"/*.tgz "$stage/step.log"
rm -rf "$FINAL"
mv "$stage" "$FINAL"
trap - EXIT
version=$(probe) || true
case $version in
  "$VERSION "*) ;;
  *) "$WRAPPER" --version >&2 || true; rm -rf "$FINAL"; die "the installed code-server does not start." ;;
esac
log "installed code-server $VERSION in $((SECONDS - t0)) s: $(du -sh "$FINAL" | cut -f1) in $FINAL"
printf 'code-server %s\nchromium %s\n' "$WRAPPER" "$CHROMIUM"
