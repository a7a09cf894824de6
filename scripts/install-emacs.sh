#!/usr/bin/env bash
# Installs what the Emacs editor tests (test/editors/emacs.test.ts) need, on Debian bookworm,
# without touching the system's package sources: apt reads a private sources list and keeps
# its lists and downloads in the cache folder ($CODEX_EDITORS_DIR/emacs, default
# <repo>/.cache/editors/emacs).
#
#   1. Emacs 30 (emacs-nox, with its built-in Eglot) from bookworm-backports, installed
#      system-wide with apt (needs root or sudo). Skipped when `emacs` is already 30 or newer.
#   2. lsp-mode and its dependencies (Debian's elpa-* packages), only unpacked into
#      <cache>/elpa, never installed: the test puts them on Emacs's load-path. Skipped when
#      already unpacked, or with CODEX_EMACS_LSP_MODE=0.
#
# Prints the path of the emacs binary on its last line.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CODEX_EDITORS_DIR:-$REPO/.cache/editors}/emacs"
SUITE=bookworm-backports
MIRROR="${CODEX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${CODEX_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
ELPA="$CACHE/elpa"
ELPA_SRC="$ELPA/usr/share/emacs/site-lisp/elpa-src"

log() { echo "install-emacs: $*" >&2; }

emacs_major() { # the major version of the emacs at $1, or nothing
  "$1" --batch -Q --eval '(princ emacs-major-version)' 2>/dev/null || true
}

emacs_ok() { # prints the path of an Emacs 30+: $CODEX_EMACS when set, else `emacs` on PATH
  local bin major
  if [[ -n "${CODEX_EMACS:-}" ]]; then bin="$CODEX_EMACS"; else bin="$(command -v emacs 2>/dev/null)" || return 1; fi
  major="$(emacs_major "$bin")"
  [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 30 )) || return 1
  echo "$bin"
}

lsp_mode_ok() { compgen -G "$ELPA_SRC/lsp-mode-*/lsp-mode.el" >/dev/null; }

want_lsp_mode=1
[[ "${CODEX_EMACS_LSP_MODE:-1}" == 0 ]] && want_lsp_mode=0

start=$SECONDS
if bin="$(emacs_ok)"; then
  log "$("$bin" --version | head -n1) is already installed"
  if (( !want_lsp_mode )) || lsp_mode_ok; then
    echo "$bin"
    exit 0
  fi
fi

if ! command -v apt-get >/dev/null; then
  log "this needs apt (Debian); install Emacs 30 yourself and set CODEX_EMACS"
  exit 1
fi
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
SUDO=()
if ! emacs_ok >/dev/null; then
  # Installing Emacs is system-wide: only on the release the backports are built for.
  if [[ "$codename" != bookworm ]]; then
    log "Emacs 30 is installed from bookworm-backports, which fits Debian bookworm only (this is '${codename:-unknown}');"
    log "install Emacs 30 yourself and set CODEX_EMACS, then run this again for lsp-mode"
    exit 1
  fi
  if (( EUID != 0 )); then
    if command -v sudo >/dev/null; then SUDO=(sudo); else log "installing Emacs needs root or sudo"; exit 1; fi
  fi
fi

mkdir -p "$CACHE/lists/partial" "$CACHE/archives/partial" "$CACHE/debs"
SOURCES="$CACHE/sources.list"
signed=""
[[ -r "$KEYRING" ]] && signed="[signed-by=$KEYRING] "
# bookworm itself (and its updates) for the dependencies, backports for Emacs 30.
cat > "$SOURCES" <<LIST
deb ${signed}${MIRROR} bookworm main
deb ${signed}${MIRROR} bookworm-updates main
deb ${signed}${SECURITY_MIRROR} bookworm-security main
deb ${signed}${MIRROR} ${SUITE} main
LIST

APT_OPTS=(-q
  -o "Dir::Etc::SourceList=$SOURCES"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$CACHE/lists"
  -o "Dir::Cache::Archives=$CACHE/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Install-Recommends=false"
  -o "Dpkg::Use-Pty=0")

log "updating the private package lists in $CACHE/lists"
# The lists are this script's own (in the cache folder): no root needed to refresh them.
apt-get "${APT_OPTS[@]}" update >&2

if ! bin="$(emacs_ok)"; then
  log "installing emacs-nox from $SUITE"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -t "$SUITE" emacs-nox >&2
  if ! bin="$(emacs_ok)"; then
    log "emacs-nox was installed, but \`emacs\` on PATH is not Emacs 30 or newer"
    exit 1
  fi
  log "$("$bin" --version | head -n1) installed"
fi

if (( want_lsp_mode )) && ! lsp_mode_ok; then
  # elpa-lsp-mode and the elpa-* packages it needs, recursively (Emacs itself is installed).
  mapfile -t pkgs < <(apt-cache "${APT_OPTS[@]}" depends --recurse --no-recommends --no-suggests \
      --no-conflicts --no-breaks --no-replaces --no-enhances elpa-lsp-mode 2>/dev/null |
    grep -E '^elpa-[a-z0-9.+-]+$' | sort -u)
  (( ${#pkgs[@]} > 0 )) || pkgs=(elpa-lsp-mode elpa-dash elpa-f elpa-s elpa-ht elpa-spinner elpa-markdown-mode elpa-lv)
  log "unpacking ${pkgs[*]} into $ELPA"
  (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" -o APT::Sandbox::User=root download "${pkgs[@]}" >&2)
  rm -rf "$ELPA.tmp" && mkdir -p "$ELPA.tmp"
  for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$ELPA.tmp"; done
  rm -rf "$ELPA" && mv "$ELPA.tmp" "$ELPA"
  lsp_mode_ok || { log "no lsp-mode.el under $ELPA_SRC"; exit 1; }
fi

log "done in $((SECONDS - start)) s"
echo "$bin"
