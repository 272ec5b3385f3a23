"""The installer files (packaging/): they exist, parse, agree with each other and pass the validators.

File checks only, no bundle build (that is packaging/build-bundle.sh, too slow for every run).
packaging/setup.sh installs desktop-file-validate and appstreamcli for the test command, so in CI
(CI set) a missing validator fails instead of skipping.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import desktopnn

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "packaging"
LINUX = PKG / "linux"
APP_ID = "io.github.desktopnn.DesktopNN"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def desktop_entry(path: Path) -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str            # keys are case-sensitive in desktop entries
    cp.read_string(path.read_text(encoding="utf-8"))
    return cp["Desktop Entry"]


def validator(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: packaging/setup.sh test installs it")
        pytest.skip(f"{name} not installed (apt install desktop-file-utils appstream)")
    return exe


def test_desktop_entry_has_the_required_keys():
    e = desktop_entry(DESKTOP)
    assert e["Type"] == "Application"
    assert e["Name"] == "desktopnn"
    assert e["Icon"] == APP_ID
    assert e["Exec"].split()[0] == "desktopnn"
    assert e["Terminal"] == "false"
    assert {"Education", "Science"} <= set(filter(None, e["Categories"].split(";")))


def test_metainfo_matches_the_project():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    licence = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    assert root.findtext("project_license") == licence
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == DESKTOP.name
    assert root.find("content_rating").get("type").startswith("oars-")
    assert [r.get("version") for r in root.iter("release")][0] == desktopnn.__version__
    assert {c.text for c in root.iter("category")} >= {"Education", "Science"}
    assert root.findtext("summary") and root.find("description") is not None


def test_one_app_id_everywhere():
    for script in ("desktopnn.spec", "make-icons.py", "linux/install.sh"):
        assert APP_ID in (PKG / script).read_text(), script
    assert sorted(p.name for p in LINUX.glob("io.github.*")) == [DESKTOP.name, METAINFO.name]


def test_icons_at_every_size():
    hicolor = LINUX / "icons" / "hicolor"
    for s in SIZES:
        with Image.open(hicolor / f"{s}x{s}" / "apps" / f"{APP_ID}.png") as im:
            assert im.size == (s, s) and im.mode == "RGBA", s
    svg = (ROOT / "resources" / "icons" / "desktopnn.svg").read_bytes()
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == svg
    # the window icon the app loads at run time, shipped as package data
    assert (ROOT / "desktopnn" / "resources" / "icons" / "desktopnn.svg").read_bytes() == svg
    with Image.open(ROOT / "desktopnn" / "resources" / "icons" / "desktopnn-256.png") as im:
        assert im.size == (256, 256)
    with Image.open(PKG / "icons" / "desktopnn.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(PKG / "icons" / "desktopnn.icns") as icns:
        assert icns.format == "ICNS"


def test_scripts_parse():
    for script in ("setup.sh", "build-bundle.sh", "linux/install.sh"):
        subprocess.run(["bash", "-n", str(PKG / script)], check=True)
    compile((PKG / "desktopnn.spec").read_text(), "desktopnn.spec", "exec")


def test_desktop_file_validates():
    out = subprocess.run([validator("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # hints (e.g. two main categories, Education and Science, on purpose) are fine; errors and warnings not
    assert " error: " not in out.stdout and " warning: " not in out.stdout, out.stdout


def test_metainfo_validates():
    out = subprocess.run([validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_install_and_uninstall_for_one_user(tmp_path):
    """install.sh with a stand-in bundle and a throw-away HOME: files land in XDG places, then go."""
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "desktopnn").write_text("#!/bin/sh\necho desktopnn\n")
    (bundle / "desktopnn").chmod(0o755)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    subprocess.run(["bash", str(LINUX / "install.sh"), "--bundle", str(bundle)], env=env, check=True,
                   capture_output=True)
    prefix = home / ".local" / "opt" / "desktopnn"
    share = home / ".local" / "share"
    installed = share / "applications" / DESKTOP.name
    assert (prefix / "desktopnn").is_file() and (prefix / "_internal").is_dir()
    assert desktop_entry(installed)["Exec"] == f'"{prefix}/desktopnn" %f'
    assert (share / "metainfo" / METAINFO.name).is_file()
    for s in SIZES:
        assert (share / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png").is_file()
    assert (home / ".local" / "bin" / "desktopnn").resolve() == (prefix / "desktopnn").resolve()
    if shutil.which("desktop-file-validate"):
        out = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True, text=True)
        assert out.returncode == 0 and " error: " not in out.stdout, out.stdout

    subprocess.run(["bash", str(LINUX / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not prefix.exists() and not installed.exists()
    assert not (home / ".local" / "bin" / "desktopnn").exists()
    assert not list((share / "icons").rglob(f"{APP_ID}.*"))


def test_the_app_window_uses_the_icon(qapp):
    from desktopnn.app import make_app

    app = make_app()
    icon = app.windowIcon()
    assert not icon.isNull()
    assert not icon.pixmap(64, 64).toImage().isNull()
    assert app.desktopFileName() == APP_ID
