#!/usr/bin/env bash
# Install the desktopnn bundle for the current user (no root needed), or remove it again.
#
#   bash install.sh [--prefix DIR] [--bundle DIR]   # copy the bundle, add menu entry and icons
#   bash install.sh --uninstall [--prefix DIR]
#
# The bundle (dist/desktopnn, made by packaging/build-bundle.sh) goes to DIR (default
# ~/.local/opt/desktopnn); the menu entry, AppStream metadata and icons to $XDG_DATA_HOME
# (default ~/.local/share); a `desktopnn` command to ~/.local/bin. This script works from the
# source tree (packaging/linux/) and from inside a bundle (dist/desktopnn/linux/).
set -euo pipefail
APP_ID=io.github.desktopnn.DesktopNN
here=$(cd "$(dirname "$0")" && pwd)
prefix="$HOME/.local/opt/desktopnn"
bundle=""
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2;;
    --bundle) bundle=${2:?--bundle needs a folder}; shift 2;;
    --uninstall) uninstall=1; shift;;
    -h|--help) sed -n '2,10p' "$0"; exit 0;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bindir="$HOME/.local/bin"
say() { echo "[desktopnn install] $*"; }

# Icon files, relative to an icons/ folder (same layout here and under $data/icons).
icon_files() { (cd "$here/icons" && find hicolor -type f -name "$APP_ID.*" | sort); }

refresh_caches() {  # optional tools; menus pick the files up without them too, a little later
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "$uninstall" = 1 ]; then
  # Remove only what install put there; the bundle folder only if it holds our executable.
  rm -f "$data/applications/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml"
  for f in $(icon_files); do rm -f "$data/icons/$f"; done
  if [ -L "$bindir/desktopnn" ] && [ "$(readlink "$bindir/desktopnn")" = "$prefix/desktopnn" ]; then
    rm -f "$bindir/desktopnn"
  fi
  if [ -x "$prefix/desktopnn" ] && [ -d "$prefix/_internal" ]; then rm -rf "$prefix"; fi
  refresh_caches
  say "removed desktopnn ($prefix)"
  exit 0
fi

# Where is the bundle? --bundle, else the folder this script sits in (inside a bundle), else
# the source tree's dist/desktopnn.
if [ -z "$bundle" ]; then
  if [ -x "$here/../desktopnn" ] && [ -d "$here/../_internal" ]; then bundle="$here/.."
  else bundle="$here/../../dist/desktopnn"; fi
fi
[ -x "$bundle/desktopnn" ] && [ -d "$bundle/_internal" ] || {
  echo "install.sh: no desktopnn bundle at $bundle (build it with: bash packaging/build-bundle.sh)" >&2; exit 1; }
bundle=$(cd "$bundle" && pwd)
prefix_abs=$(mkdir -p "$prefix" && cd "$prefix" && pwd)

if [ "$bundle" != "$prefix_abs" ]; then
  # replace an earlier install, but never empty a folder that holds something else
  if [ -n "$(ls -A "$prefix_abs")" ]; then
    [ -x "$prefix_abs/desktopnn" ] && [ -d "$prefix_abs/_internal" ] || {
      echo "install.sh: $prefix_abs is not empty and holds no desktopnn: choose another --prefix" >&2; exit 1; }
    rm -rf "$prefix_abs"; mkdir -p "$prefix_abs"
  fi
  say "copying the bundle to $prefix_abs"
  cp -a "$bundle/." "$prefix_abs/"
fi

mkdir -p "$data/applications" "$data/metainfo" "$bindir"
# Exec and TryExec point at the installed executable: ~/.local/bin may not be on a menu's PATH.
sed -e "s|^Exec=desktopnn|Exec=\"$prefix_abs/desktopnn\"|" -e "/^Exec=/a TryExec=$prefix_abs/desktopnn" \
    "$here/$APP_ID.desktop" >"$data/applications/$APP_ID.desktop"
cp "$here/$APP_ID.metainfo.xml" "$data/metainfo/"
for f in $(icon_files); do
  mkdir -p "$data/icons/$(dirname "$f")"; cp "$here/icons/$f" "$data/icons/$f"
done
ln -sfn "$prefix_abs/desktopnn" "$bindir/desktopnn"
refresh_caches
say "installed: $prefix_abs/desktopnn (menu: desktopnn; command: $bindir/desktopnn)"
case ":$PATH:" in *":$bindir:"*) ;; *) say "note: $bindir is not on your PATH";; esac
