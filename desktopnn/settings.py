"""Where desktopnn keeps per-user settings and caches.

``DESKTOPNN_CONFIG_DIR`` and ``DESKTOPNN_CACHE_DIR`` override the platform folders (the tests point
them at a temporary directory so they never touch a person's files).
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    env = os.environ.get("DESKTOPNN_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("desktopnn", appauthor=False))


def cache_dir() -> Path:
    env = os.environ.get("DESKTOPNN_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("desktopnn", appauthor=False))


def qsettings():
    """The app's QSettings, an INI file in :func:`config_dir` (Qt imported only when called)."""
    from PySide6.QtCore import QSettings

    path = config_dir()
    path.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path / "desktopnn.ini"), QSettings.Format.IniFormat)
