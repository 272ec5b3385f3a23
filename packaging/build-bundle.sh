#!/usr/bin/env bash
# Build the one-folder desktopnn bundle with PyInstaller and smoke-test it without Python.
#
#   bash packaging/build-bundle.sh          # build dist/desktopnn/ and test it
#   bash packaging/build-bundle.sh --tar    # ... and pack dist/desktopnn-VERSION-linux-ARCH.tar.gz
#   bash packaging/build-bundle.sh --test   # only test an existing dist/desktopnn/
#   ... --fresh DIR                           # also test it in a minimal Debian chroot at DIR (root;
#                                             # shared/tools/fresh-machine.sh, beside this repository)
#
# Too heavy for every CI run (a build venv with torch, then 5-6 minutes of PyInstaller on 2 cores):
# .ci/run does not call it. The build venv (packaging/.build-venv), build/ and dist/ are git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[desktopnn bundle]\033[0m %s\n' "$*" >&2; }
want_tar=0; only_test=0; fresh=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tar) want_tar=1;; --test) only_test=1;;
    --fresh) fresh=$(realpath -m "${2:?--fresh needs a folder}"); shift;;
    *) echo "usage: $0 [--tar] [--test] [--fresh DIR]" >&2; exit 2;;
  esac
  shift
done
# What the bundle takes from the system on Linux (packaging/README.md explains each).
RUNTIME_DEBS="libgl1 libegl1 libdrm2 libxcb1 fontconfig-config fonts-dejavu-core"
T0=$(date +%s)
BUNDLE=dist/desktopnn
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' desktopnn/__init__.py)

if [ "$only_test" = 0 ]; then
  # 1. A venv of its own, so the bundle holds exactly the app's dependencies (not pytest,
  #    scikit-image or whatever else a developer's .venv has). PyInstaller needs a Python built
  #    with a shared libpython (Debian's python3 and python.org builds are).
  PY=${PYTHON:-python3}
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "needs Python 3.11 or newer" >&2; exit 1; }
  VENV=packaging/.build-venv
  [ -x $VENV/bin/python ] || { say "creating $VENV"; "$PY" -m venv $VENV; }
  VPY=$VENV/bin/python

  # 2. The CPU builds of torch and torchvision, a matching pair as packaging/setup.sh installs them: a
  #    CUDA build would add GBs of NVIDIA libraries to the bundle.
  if ! "$VPY" -c 'import torch, torchvision.ops' >/dev/null 2>&1; then
    say "installing the CPU builds of torch and torchvision"
    "$VPY" -m pip install -q --isolated --timeout 15 --retries 1 --upgrade \
        --index-url https://download.pytorch.org/whl/cpu torch torchvision 2>/dev/null \
    || { say "PyTorch's CPU index is out of reach; installing torch and torchvision from the package registry";
         "$VPY" -m pip install -q --upgrade torch torchvision; }
  fi
  if [ "$("$VPY" -c 'import torch; print(torch.version.cuda or "")')" != "" ]; then
    say "warning: the build venv has a CUDA torch; the bundle will be several GB"
  fi

  # 3. desktopnn's dependencies and PyInstaller; a stamp skips this when pyproject is unchanged.
  #    The spec imports desktopnn from the source tree, so edits need no reinstall.
  stamp="$VENV/.deps-$(cksum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ]; then
    say "installing desktopnn's dependencies and PyInstaller"
    "$VPY" -m pip install -q . "pyinstaller>=6.10" "pyinstaller-hooks-contrib>=2024.8"
    "$VPY" -m pip uninstall -q -y desktopnn   # the spec takes desktopnn from the source tree
    touch "$stamp"
  fi

  # 4. Build. --noconfirm replaces an old dist/desktopnn.
  say "running PyInstaller (several minutes)"
  "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
      packaging/desktopnn.spec
  # The Linux desktop files and installer travel inside the bundle (dist/desktopnn/linux/install.sh).
  rm -rf "$BUNDLE/linux"; cp -r packaging/linux "$BUNDLE/linux"
  say "built in $(( $(date +%s) - T0 )) s"
fi

# 5. Smoke tests in an environment with no Python: nothing on PATH, no PYTHONHOME/PYTHONPATH,
#    a throw-away HOME (settings, caches), headless.
[ -x "$BUNDLE/desktopnn" ] || { echo "no $BUNDLE/desktopnn: build it first" >&2; exit 1; }
host_tmp=$(mktemp -d); trap 'rm -rf "$host_tmp"' EXIT
smoke_all() {  # smoke_all ROOT: ROOT "" = this machine; else a chroot with the bundle in /opt/desktopnn
  local root=$1 exe work wrap=() T1; T1=$(date +%s)
  if [ -z "$root" ]; then exe="$PWD/$BUNDLE/desktopnn"; work=$host_tmp
  else exe=/opt/desktopnn/desktopnn; work=/tmp/desktopnn-smoke; wrap=(chroot "$root"); rm -rf "$root$work"; fi
  mkdir -p "$root$work/home" "$root$work/empty-bin"
  run() {  # run NAME ARGS...: the bundle with ARGS; on failure show the end of its output and stop
    local name=$1; shift
    if "${wrap[@]}" /usr/bin/env -i HOME="$work/home" PATH="$work/empty-bin" LANG=C.UTF-8 \
        QT_QPA_PLATFORM=offscreen DESKTOPNN_BENCH_AUDIO_SECONDS=2 "$exe" "$@" >"$root$work/$name.log" 2>&1; then
      say "smoke${root:+ ($root)}: $name ok"
    else
      local rc=$?; tail -n 30 "$root$work/$name.log" >&2; say "smoke${root:+ ($root)}: $name FAILED (exit $rc)"; exit 1
    fi
  }
  run list-tabs --list-tabs
  local tabs; tabs=$(wc -l <"$root$work/list-tabs.log")
  [ "$tabs" -ge 9 ] || { cat "$root$work/list-tabs.log"; say "smoke: too few tabs listed"; exit 1; }
  run smoke --smoke
  run screenshots --screenshot "$work/shots"      # every tab, normal and presentation
  local n; n=$(ls "$root$work/shots"/*.png 2>/dev/null | wc -l)
  [ "$n" -ge $((2 * tabs)) ] || { say "smoke: $n screenshots for $tabs tabs"; exit 1; }
  # the bundled lesson scenes and the PDF writer: two of them as slides
  mkdir -p "$root$work/lesson"
  cp "$root${exe%/*}"/_internal/desktopnn/resources/lessons/2.7-max-pooling.dnnscene \
     "$root${exe%/*}"/_internal/desktopnn/resources/lessons/4.3.5-simplernncell.dnnscene "$root$work/lesson/"
  run slides --slides "$work/slides" --lesson "$work/lesson"
  [ -s "$root$work/slides/slides.pdf" ] && [ "$(ls "$root$work/slides"/*.png | wc -l)" -eq 2 ] \
    || { say "smoke: slides.pdf or its 2 PNGs missing"; exit 1; }
  # start-up time; the digits data (scikit-learn's files), demo audio (libsndfile), spectrograms, training
  run bench bench startup audio train --json
  say "bench: $(grep -o '"startup_s": [0-9.]*' "$root$work/bench.log"), $(grep -o '"samples_per_s": [0-9.]*' "$root$work/bench.log")"
  say "smoke tests${root:+ ($root)} passed in $(( $(date +%s) - T1 )) s ($n screenshots)"
}
smoke_all ""

if [ -n "$fresh" ]; then
  # 6. The same on a minimal Debian (no Qt, X or GL libraries) with only the system packages that
  #    packaging/README.md lists: proves the bundle carries the rest. Needs root (debootstrap, chroot).
  say "checking in a minimal Debian at $fresh"
  bash ../shared/tools/fresh-machine.sh "$fresh" true
  rm -rf "$fresh/opt/desktopnn"; cp -a "$BUNDLE" "$fresh/opt/desktopnn"
  chroot "$fresh" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $RUNTIME_DEBS >/dev/null"
  smoke_all "$fresh"
fi

size=$(du -sh "$BUNDLE" | cut -f1)
say "bundle: $BUNDLE ($size), start it with $BUNDLE/desktopnn; install it with $BUNDLE/linux/install.sh"
if [ "$want_tar" = 1 ]; then
  tarball="dist/desktopnn-$VERSION-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$tarball" desktopnn
  say "packed $tarball ($(du -sh "$tarball" | cut -f1))"
fi
say "total $(( $(date +%s) - T0 )) s"
