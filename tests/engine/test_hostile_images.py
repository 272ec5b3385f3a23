"""Images a person may open (issue 16): any damage to a PNG, JPEG, GIF, BMP, TIFF, WebP, ICO or PPM
file gives the picture or one sentence, within a time and memory bound."""

import io
import os
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from desktopnn.engine.images import MAX_PIXELS, load_image

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from hostile_inputs import bounded, damaged  # noqa: E402

FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "ICO", "PPM")


def encoded(fmt: str) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, fmt)
    return buf.getvalue()


ORIGINALS = {fmt: encoded(fmt) for fmt in FORMATS}


def opened(tmp_path, data: bytes, suffix: str):
    path = tmp_path / f"photo.{suffix}"
    path.write_bytes(data)
    with bounded(seconds=5.0, megabytes=300):
        try:
            arr = load_image(path, max_side=640)
        except ValueError as exc:
            assert str(exc).startswith("photo.") and "\n" not in str(exc)
            return None
    assert arr.dtype == np.uint8 and arr.ndim in (2, 3) and max(arr.shape[:2]) <= 640
    return arr


@settings(max_examples=150)
@given(st.sampled_from(FORMATS).flatmap(lambda fmt: st.tuples(st.just(fmt), damaged(ORIGINALS[fmt]))))
def test_a_damaged_image_is_read_or_refused_in_one_sentence(tmp_path_factory, case):
    fmt, data = case
    opened(tmp_path_factory.mktemp("img"), data, fmt.lower())


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_undamaged_originals_open(tmp_path, fmt):
    shape = opened(tmp_path, ORIGINALS[fmt], fmt.lower()).shape
    assert shape[:2] == (20, 30) or fmt == "ICO"        # an icon file keeps square sizes


def test_a_header_claiming_a_huge_picture_is_refused_before_reading(tmp_path):
    png = bytearray(ORIGINALS["PNG"])
    png[16:24] = (100_000).to_bytes(4, "big") * 2          # IHDR width and height: 10 gigapixels
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")
    with pytest.raises(ValueError, match=f"at most {MAX_PIXELS // 1_000_000} megapixels"):
        load_image(_write(tmp_path, bytes(png)))


def _write(tmp_path, data):
    p = tmp_path / "huge.png"
    p.write_bytes(data)
    return p
