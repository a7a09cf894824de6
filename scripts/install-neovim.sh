#!/usr/bin/env bash
# Installs Neovim 0.12 (Debian sid) and Neovim 0.10 (Debian trixie) into a cache folder, for
# the headless editor tests (test/editors/neovim.test.ts), without touching the system's
# package sources or installed packages.
#
#   bash scripts/install-neovim.sh            # both
#   bash scripts/install-neovim.sh 0.10       # only one
#   bash scripts/install-neovim.sh --force    # reinstall even if present
#
# How: apt is pointed at a private sources list, lists folder, cache and (empty) dpkg status
# under the cache folder; neovim's dependency closure (its own C library included) is
# downloaded with `apt-get download` and unpacked with `dpkg -x`. Newer Debian builds need a
# newer glibc than this system's, so each install carries its own: the wrapper
# `<dir>/nvim-X.Y/bin/nvim` runs nvim with the unpacked dynamic loader and libraries and with
# VIMRUNTIME set to the unpacked runtime. (The binary is also re-pointed at that loader with
# patchelf, when that works, so that nvim can start itself again, as its terminal UI does.)
#
# Environment:
#   CODEX_EDITORS_DIR     cache folder (default: <repo>/.cache/editors)
#   CODEX_DEBIAN_MIRROR   Debian mirror (default: http://deb.debian.org/debian)
#   CODEX_DEBIAN_KEYRING  keyring that signs it (default: /usr/share/keyrings/debian-archive-keyring.gpg)
#
# Prints one line per editor on stdout: "nvim-0.12 /abs/path/to/bin/nvim". Progress goes to stderr.
# Safe to run again: an editor that is present and starts is left alone; the apt lists are reused.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${CODEX_EDITORS_DIR:-$REPO/.cache/editors}
MIRROR=${CODEX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=${CODEX_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# label suite: which Debian suite carries which Neovim line.
TARGETS=("0.12 sid" "0.10 trixie")

log() { printf 'install-neovim: %s\n' "$*" >&2; }
die() { printf 'install-neovim: error: %s\n' "$*" >&2; exit 1; }

force=0
wanted=()
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    0.12 | 0.10) wanted+=("$arg") ;;
    *) die "unknown argument '$arg' (expected 0.12, 0.10, --force or --help)" ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(0.12 0.10)

for tool in apt-get apt-cache dpkg dpkg-deb readlink; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not available: this script needs a Debian-based system (apt and dpkg)."
done
[ -r "$KEYRING" ] || die "no Debian archive keyring at $KEYRING (install debian-archive-keyring, or set CODEX_DEBIAN_KEYRING)."

ARCH=$(dpkg --print-architecture)
case $ARCH in
  amd64) TRIPLET=x86_64-linux-gnu LOADER=ld-linux-x86-64.so.2 ;;
  arm64) TRIPLET=aarch64-linux-gnu LOADER=ld-linux-aarch64.so.1 ;;
  *) die "architecture '$ARCH' is not supported (amd64 or arm64)." ;;
esac

mkdir -p "$DIR"
DIR=$(cd -- "$DIR" && pwd -P)

# One install at a time per cache folder (parallel CI jobs, a second terminal).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.install-neovim.lock"
  flock 9
fi

# apt, confined to $DIR/apt/<suite>: its own sources, lists, caches and an empty dpkg status, so
# neither the system's sources nor its installed packages play a part. System apt.conf.d
# settings (a proxy, say) still apply.
apt_opts() {
  local base=$DIR/apt/$1
  printf '%s\n' \
    -o "Dir::Etc::SourceList=$base/sources.list" \
    -o "Dir::Etc::SourceParts=/dev/null" \
    -o "Dir::Etc::Preferences=/dev/null" \
    -o "Dir::Etc::PreferencesParts=/dev/null" \
    -o "Dir::State::Lists=$base/lists" \
    -o "Dir::State::status=$base/status" \
    -o "Dir::Cache=$base/cache" \
    -o "APT::Architecture=$ARCH" \
    -o "APT::Architectures=$ARCH" \
    -o "Acquire::Languages=none" \
    -o "APT::Sandbox::User=$(id -un)"
}

suite_apt() { # suite command args...
  local suite=$1 cmd=$2
  shift 2
  local opts
  mapfile -t opts < <(apt_opts "$suite")
  "$cmd" "${opts[@]}" "$@"
}

apt_update() { # suite [fresh: drop the old lists first]
  local suite=$1 base=$DIR/apt/$1
  if [ "${2:-}" = fresh ]; then rm -rf "$base/lists" "$base/cache"; fi
  mkdir -p "$base/lists/partial" "$base/cache/archives/partial"
  : >"$base/status"
  printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "$MIRROR" "$suite" >"$base/sources.list"
  log "fetching the package lists of Debian $suite from $MIRROR"
  if ! suite_apt "$suite" apt-get -q=2 update --error-on=any >"$base/update.log" 2>&1; then
    cat "$base/update.log" >&2
    die "apt-get update of Debian $suite failed (network, mirror '$MIRROR' or keyring '$KEYRING'; see above)."
  fi
  touch "$base/lists/.updated"
}

ensure_lists() {
  local suite=$1 stamp=$DIR/apt/$1/lists/.updated
  # Lists younger than a day are reused; a failed download below refreshes them anyway.
  if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then return; fi
  apt_update "$suite"
}

# Neovim's dependency closure in this suite (its libtree-sitter, libuv, luv, ... whatever they
# are called there), plus patchelf and its libraries.
closure() {
  suite_apt "$1" apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances neovim patchelf |
    grep -v '^[[:space:]<]' | sort -u
}

# The wrapper: Neovim with its own loader and libraries; VIMRUNTIME is the unpacked runtime.
write_wrapper() { # dest version suite final_dir patched(yes|no)
  local direct=''
  if [ "$5" = yes ]; then
    direct="# The binary is re-pointed at the loader under '$4', so that it can start itself again
# (as the terminal UI does); moved elsewhere, it runs through the loader explicitly.
if [ \"\$dir\" = '$4' ]; then exec \"\$root/usr/bin/nvim\" \"\$@\"; fi"
  fi
  cat >"$1" <<EOF
#!/bin/sh
# Neovim $2 from Debian $3, unpacked by scripts/install-neovim.sh. It needs a newer
# C library than the system's, so it runs with the one unpacked beside it.
self=\$(readlink -f -- "\$0")
dir=\$(cd -- "\$(dirname -- "\$self")/.." && pwd -P)
root=\$dir/root
lib=\$root/usr/lib/$TRIPLET
VIMRUNTIME=\$root/usr/share/nvim/runtime
export VIMRUNTIME
$direct
exec "\$lib/$LOADER" --library-path "\$lib" "\$root/usr/bin/nvim" "\$@"
EOF
  chmod 755 "$1"
}

# Prints "0.12.4" for a working wrapper, nothing (and fails) otherwise.
probe() {
  local out
  out=$(timeout 20 "$1" --headless --clean -u NONE \
    -c 'lua io.stdout:write(tostring(vim.version()), require("lpeg") and vim.uv and "" or "?")' \
    -c 'qa!' </dev/null 2>/dev/null) || return 1
  [[ $out =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  printf '%s\n' "$out"
}

install_one() {
  local label=$1 suite=$2
  local final=$DIR/nvim-$label wrapper=$DIR/nvim-$label/bin/nvim version
  if [ $force = 0 ] && [ -x "$wrapper" ] && version=$(probe "$wrapper"); then
    log "Neovim $version (Debian $suite) is already installed"
    printf 'nvim-%s %s\n' "$label" "$wrapper"
    return
  fi

  local t0=$SECONDS
  ensure_lists "$suite"
  local stage
  stage=$(mktemp -d "$DIR/.nvim-$label.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$stage'" EXIT
  mkdir -p "$stage/debs" "$stage/root" "$stage/bin"

  local pkgs=()
  mapfile -t pkgs < <(closure "$suite")
  [ ${#pkgs[@]} -gt 0 ] && printf '%s\n' "${pkgs[@]}" | grep -qx neovim ||
    die "Debian $suite has no neovim package for $ARCH (apt-cache found: ${pkgs[*]:-nothing})."
  log "downloading from Debian $suite: ${pkgs[*]}"
  if ! (cd "$stage/debs" && suite_apt "$suite" apt-get -q=2 download "${pkgs[@]}") >"$stage/download.log" 2>&1; then
    # Most likely lists older than a package replaced on the mirror: refresh once and retry.
    log "download failed; fetching the package lists again and retrying"
    apt_update "$suite" fresh
    mapfile -t pkgs < <(closure "$suite")
    rm -f "$stage/debs"/*.deb
    if ! (cd "$stage/debs" && suite_apt "$suite" apt-get -q=2 download "${pkgs[@]}") >"$stage/download.log" 2>&1; then
      cat "$stage/download.log" >&2
      die "apt-get download from Debian $suite failed (see above)."
    fi
  fi
  local deb
  for deb in "$stage/debs"/*.deb; do dpkg-deb -x "$deb" "$stage/root"; done
  version=$(dpkg-deb -f "$(ls "$stage"/debs/neovim_*.deb | head -n1)" Version)
  rm -rf "$stage/debs"

  local root=$stage/root lib=$stage/root/usr/lib/$TRIPLET
  [ -x "$root/usr/bin/nvim" ] && [ -e "$lib/$LOADER" ] && [ -d "$root/usr/share/nvim/runtime" ] ||
    die "the unpacked packages lack usr/bin/nvim, usr/lib/$TRIPLET/$LOADER or the runtime (Debian $suite changed its layout?)."

  # Point the binary at the unpacked loader and libraries, at the path they will have once moved
  # into place. Best effort: without it the wrapper runs nvim through the loader, which is all
  # the headless tests need.
  local patched=no
  if "$lib/$LOADER" --library-path "$lib" "$root/usr/bin/patchelf" \
    --set-interpreter "$final/root/usr/lib/$TRIPLET/$LOADER" --force-rpath --set-rpath "$final/root/usr/lib/$TRIPLET" \
    "$root/usr/bin/nvim" 2>"$stage/patchelf.log"; then
    patched=yes
  else
    log "patchelf failed ($(head -c 300 "$stage/patchelf.log")); nvim will run through the loader"
  fi

  write_wrapper "$stage/bin/nvim" "$version" "$suite" "$final" "$patched"
  rm -rf "$final"
  mv "$stage" "$final"
  trap - EXIT
  if ! version=$(probe "$wrapper"); then
    log "the installed Neovim does not start; its output:"
    "$wrapper" --headless --clean -u NONE -c 'qa!' </dev/null >&2 || true
    rm -rf "$final"
    die "Neovim from Debian $suite does not run on this system."
  fi
  case $version in
    "$label".*) ;;
    *) log "warning: Debian $suite now carries Neovim $version, not $label.x; installed as nvim-$label anyway" ;;
  esac
  log "installed Neovim $version (Debian $suite) in $((SECONDS - t0)) s: $(du -sh "$final" | cut -f1) in $final"
  printf 'nvim-%s %s\n' "$label" "$wrapper"
}

for target in "${TARGETS[@]}"; do
  read -r label suite <<<"$target"
  for w in "${wanted[@]}"; do
    [ "$w" = "$label" ] && install_one "$label" "$suite"
  done
done
