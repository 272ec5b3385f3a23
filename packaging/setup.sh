#!/usr/bin/env bash
# One-stop set-up for desktopnn on Debian/Ubuntu (and, without the apt step, on macOS).
#
#   bash packaging/setup.sh run  [desktopnn options]   # set up, then launch the app
#   bash packaging/setup.sh test [pytest options]      # set up, then run the test suite
#
# Each step is skipped when it is already done, so running it again starts in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}; shift || true
case "$mode" in run|test) ;; *) echo "usage: bash packaging/setup.sh run|test [args...]" >&2; exit 2;; esac
say() { printf '\033[1m[desktopnn setup]\033[0m %s\n' "$*" >&2; }

# 1. System libraries: Qt's xcb/wayland/offscreen platforms, QtMultimedia (its FFmpeg plugin needs
#    libXrandr; PulseAudio client), PortAudio.
APT_PACKAGES="python3 python3-venv python3-pip libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0
 libfontconfig1 libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
 libxrandr2 libwayland-cursor0 libpulse0 libportaudio2 fonts-dejavu-core"
# The tests also validate the .desktop entry and AppStream metadata (tests/test_packaging.py), and record
# and play through a private PulseAudio server that the test session starts itself (tests/sound_server.py).
if [ "$mode" = test ]; then
  APT_PACKAGES="$APT_PACKAGES desktop-file-utils appstream pulseaudio pulseaudio-utils libasound2-plugins"
fi
if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing system libraries:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
elif [ "$(uname)" = "Linux" ]; then
  say "not a Debian/Ubuntu system: install Qt's xcb libraries, libpulse and PortAudio yourself (see README)"
fi

# 2. A virtual environment with Python 3.11 or newer.
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "desktopnn needs Python 3.11 or newer ($PY is $("$PY" -V 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; "$PY" -m venv .venv; }
VPY=.venv/bin/python

# 3. torch and torchvision, as a matching pair (torchvision's compiled operators only load beside the
#    torch they were built for). The tests (and machines without an NVIDIA GPU) get the small CPU builds
#    from PyTorch's CPU index; where that index cannot be reached, the package registry's pair is used
#    (on Linux x86-64 those are CUDA builds of several GB; they run on the CPU too).
if ! "$VPY" -c 'import torch, torchvision.ops' >/dev/null 2>&1; then
  if [ "$mode" = run ] && command -v nvidia-smi >/dev/null 2>&1; then
    say "NVIDIA GPU found: installing torch and torchvision with CUDA (a few GB)"
    "$VPY" -m pip install -q --upgrade torch torchvision
  else
    say "installing the CPU builds of torch and torchvision"
    "$VPY" -m pip install -q --isolated --timeout 15 --retries 1 --upgrade \
        --index-url https://download.pytorch.org/whl/cpu torch torchvision 2>/dev/null \
    || { say "PyTorch's CPU index is out of reach; installing torch and torchvision from the package registry";
         "$VPY" -m pip install -q --upgrade torch torchvision; }
  fi
fi

# 4. desktopnn itself (editable) with its Python dependencies; a stamp skips this when unchanged.
extras=""; [ "$mode" = test ] && extras="[test]"
stamp=".venv/.desktopnn-installed$extras-$(cksum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  say "installing desktopnn$extras and its dependencies"
  "$VPY" -m pip install -q -e ".$extras"
  touch "$stamp"
fi

if [ "$mode" = test ]; then
  export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
  exec "$VPY" -m pytest "$@"
else
  exec .venv/bin/desktopnn "$@"
fi
