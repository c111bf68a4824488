#!/usr/bin/env bash
# Installs the real test peers used by test/integration and test/e2e (see test/peers/README.md).
#
#   bash test/peers/install.sh          # run by `npm test` as pretest
#
# Idempotent and quiet: when everything is present it prints nothing and exits 0 in well under a
# second. It installs only what is missing:
#   - Debian packages: ffmpeg nginx libnginx-mod-rtmp janus chromium stunnel4 iproute2 openssl
#     fonts-wqy-microhei (a CJK font, so 简体中文 screenshots show text, not boxes)
#     (apt-get update runs only when something is missing; sudo is used when not root);
#   - simple-whip-server (Meetecho's WHIP server for Janus) into .cache/peers/simple-whip-server/.
#     It cannot be apt-installed (its Debian package depends on Debian's nodejs, which conflicts with
#     Node 20), so the .deb is downloaded, unpacked with dpkg -x, and its npm dependencies are
#     installed into that folder with a private package.json. The repo's package.json is untouched.
#
# Environment:
#   TANDEM_PEERS_CACHE   where simple-whip-server goes (default: <repo>/.cache/peers)
#   TANDEM_PEERS_VERBOSE=1  print what is checked and skipped
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${TANDEM_PEERS_CACHE:-$REPO_ROOT/.cache/peers}"
WHIP_DIR="$CACHE_DIR/simple-whip-server"
WHIP_SRC="$WHIP_DIR/usr/share/simple-whip-server/src"
# Bump when the layout or the dependency list below changes, to force a reinstall.
WHIP_STAMP_VALUE="v1 express@4 cors colors debug websocket async body-parser"

log() { if [[ "${TANDEM_PEERS_VERBOSE:-0}" == "1" ]]; then echo "[peers] $*"; fi; }
say() { echo "[peers] $*"; }
die() { echo "[peers] ERROR: $*" >&2; exit 1; }

SUDO=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -E); else SUDO=(need_root); fi
fi
need_root() { die "not root and no sudo: cannot run $*"; }
export DEBIAN_FRONTEND=noninteractive

# --- Debian packages -------------------------------------------------------------------------
# package -> a file or command that proves it is installed (checked without dpkg for speed)
declare -A CHECK=(
  [ffmpeg]="cmd:ffmpeg"
  [nginx]="cmd:nginx"
  [libnginx-mod-rtmp]="file:/usr/lib/nginx/modules/ngx_rtmp_module.so"
  [janus]="cmd:janus"
  [chromium]="file:/usr/bin/chromium"
  [stunnel4]="cmd:stunnel4"
  [iproute2]="cmd:ip"
  [openssl]="cmd:openssl"
  [fonts-wqy-microhei]="file:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)
ORDER=(ffmpeg nginx libnginx-mod-rtmp janus chromium stunnel4 iproute2 openssl fonts-wqy-microhei)

present() {
  local how="${1%%:*}" what="${1#*:}"
  # command -v sees PATH only; nginx/ip live in /usr/sbin, which non-root PATHs may lack
  if [[ "$how" == cmd ]]; then
    command -v "$what" >/dev/null 2>&1 || [[ -x "/usr/sbin/$what" || -x "/sbin/$what" ]]
  else
    [[ -e "$what" ]]
  fi
}

MISSING=()
for pkg in "${ORDER[@]}"; do
  if present "${CHECK[$pkg]}"; then log "ok: $pkg"; else MISSING+=("$pkg"); fi
done

APT_UPDATED=0
apt_update_once() {
  if [[ "$APT_UPDATED" == 0 ]]; then
    "${SUDO[@]}" apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
}

if ((${#MISSING[@]})); then
  say "installing Debian packages: ${MISSING[*]}"
  apt_update_once
  "${SUDO[@]}" apt-get install -y -qq "${MISSING[@]}" >/dev/null \
    || die "apt-get install ${MISSING[*]} failed"
  for pkg in "${MISSING[@]}"; do
    present "${CHECK[$pkg]}" || die "$pkg installed but ${CHECK[$pkg]#*:} is still missing"
  done
fi

# --- simple-whip-server ----------------------------------------------------------------------
whip_ok() {
  [[ -f "$WHIP_SRC/server.js" && -f "$WHIP_SRC/config.js" && ! -L "$WHIP_SRC/config.js" \
    && -d "$WHIP_DIR/node_modules/express" && -d "$WHIP_DIR/node_modules/websocket" \
    && -f "$WHIP_DIR/.tandem-installed" && "$(cat "$WHIP_DIR/.tandem-installed")" == "$WHIP_STAMP_VALUE" ]]
}

if whip_ok; then
  log "ok: simple-whip-server in $WHIP_DIR"
else
  say "installing simple-whip-server into ${WHIP_DIR#"$REPO_ROOT"/}"
  command -v npm >/dev/null 2>&1 || die "npm not found (needed for simple-whip-server's dependencies)"
  rm -rf "$WHIP_DIR"
  mkdir -p "$WHIP_DIR"
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  # apt-get download writes into the current directory and needs no root.
  if ! (cd "$TMP" && apt-get download -qq simple-whip-server >/dev/null 2>&1); then
    apt_update_once
    (cd "$TMP" && apt-get download -qq simple-whip-server >/dev/null) || die "apt-get download simple-whip-server failed"
  fi
  DEB="$(ls "$TMP"/simple-whip-server_*.deb 2>/dev/null | head -n1)"
  [[ -n "$DEB" ]] || die "simple-whip-server .deb not downloaded"
  dpkg -x "$DEB" "$WHIP_DIR"
  [[ -f "$WHIP_DIR/etc/simple-whip-server/config.js" ]] || die "config.js not found in the .deb"
  # src/config.js is a symlink to /etc/simple-whip-server/config.js, which does not exist here.
  rm -f "$WHIP_SRC/config.js"
  cp "$WHIP_DIR/etc/simple-whip-server/config.js" "$WHIP_SRC/config.js"
  # A private package.json so npm installs here and never walks up to the repo's package.json.
  # node resolves require() from $WHIP_SRC upwards and finds $WHIP_DIR/node_modules.
  cat >"$WHIP_DIR/package.json" <<'JSON'
{ "name": "tandem-test-simple-whip-server", "private": true, "version": "0.0.0",
  "description": "Dependencies of Debian's simple-whip-server, installed by test/peers/install.sh" }
JSON
  (cd "$WHIP_DIR" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    express@4 cors colors debug websocket async body-parser >/dev/null) \
    || die "npm install of simple-whip-server's dependencies failed"
  echo "$WHIP_STAMP_VALUE" >"$WHIP_DIR/.tandem-installed"
  whip_ok || die "simple-whip-server install incomplete in $WHIP_DIR"
fi

exit 0
