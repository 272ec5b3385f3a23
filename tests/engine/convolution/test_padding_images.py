"""Padding arithmetic and image loading."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from desktopnn.engine import load_image, output_size, sample_images, to_grayscale


@given(st.integers(1, 30), st.integers(1, 6), st.integers(1, 4), st.sampled_from(["valid", "same", "full"]),
       st.integers(1, 3))
def test_output_size_formula(n, k, s, padding, d):
    span = d * (k - 1) + 1
    p_total = {"valid": 0, "full": 2 * (span - 1)}.get(padding)
    if padding == "same":
        assert output_size(n, k, s, padding, d) == -(-n // s)  # Keras: ceil(n / s)
    else:
        assert output_size(n, k, s, padding, d) == (n + p_total - d * (k - 1) - 1) // s + 1


def test_samples_load_as_rgb():
    samples = sample_images()
    assert {"astronaut", "chelsea", "coffee", "rocket"} <= set(samples)
    img = load_image(samples["chelsea"])
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    small = load_image(samples["coffee"], max_side=100)
    assert max(small.shape[:2]) == 100


def test_load_image_errors(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        load_image(tmp_path / "missing.png")
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    with pytest.raises(ValueError, match="broken.png"):
        load_image(bad)
    txt = tmp_path / "notes.jpg"
    txt.write_text("not an image at all")
    with pytest.raises(ValueError, match="not an image"):
        load_image(txt)
    with pytest.raises(ValueError, match="folder"):
        load_image(tmp_path)


def test_grayscale_and_alpha(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = 0  # fully transparent red -> white background
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    img = load_image(tmp_path / "a.png")
    assert img.shape == (4, 4, 3) and (img == 255).all()
    Image.fromarray(np.full((3, 5), 77, np.uint8), "L").save(tmp_path / "g.png")
    assert load_image(tmp_path / "g.png").shape == (3, 5)
    px = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)
    assert to_grayscale(px).tolist() == [[76, 150, 29]]  # Pillow's "L" conversion
    assert np.asarray(Image.fromarray(px).convert("L")).tolist() == [[76, 150, 29]]
