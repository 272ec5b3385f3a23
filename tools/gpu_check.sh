#!/usr/bin/env bash
# The GPU checks, run on a machine with CUDA torch but no Qt: engine tests on CUDA, then figures.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export DESKTOPNN_CACHE_DIR=/tmp/dnn-cache DESKTOPNN_CONFIG_DIR=/tmp/dnn-config
nvidia-smi -L
echo "== engine tests on CUDA"
DESKTOPNN_DEVICE=cuda python3 -m pytest -q -p no:cacheprovider -o addopts="" --import-mode=importlib \
    --timeout 300 tests/engine --ignore tests/engine/audio 2>&1 | tail -25
echo "== figures"
python3 tools/gpu_check.py
