"""The Encoder & decoder tab's image worker functions (desktopnn.ui.autoencoder.jobs), called directly."""

from __future__ import annotations

import numpy as np
import pytest

from desktopnn.ui.autoencoder import jobs


@pytest.fixture(scope="module")
def shipped():
    return jobs.load_image_model(2)      # model, codes of every digit, digits, loss curves


def test_the_shipped_model_encodes_every_digit(shipped):
    model, codes, digits, (train, val) = shipped
    assert model.code_size == 2 and codes.shape == (len(digits.flat), 2)
    assert len(train) == len(val) > 0


def test_a_digit_goes_through_the_bottleneck(shipped):
    model, codes, digits, _ = shipped
    clean = digits.flat[3]
    noisy, code, out = jobs.infer_digit(model, clean, "none", 0.3, 3)
    np.testing.assert_array_equal(noisy, clean)                 # no noise: the input as it is
    np.testing.assert_allclose(code, codes[3], atol=1e-5)       # the same code as the whole set's
    assert out.shape == (64,) and np.abs(out - clean).mean() < np.abs(clean - clean.mean()).mean()
    np.testing.assert_allclose(jobs.decode_point(model, *code), out, atol=1e-5)


def test_a_scenes_model_is_restored_with_its_codes(shipped):
    model, codes, _digits, _ = shipped
    kind, restored, restored_codes, _d, history = jobs.restore_image_model(model, ([0.5], [0.6]))
    assert kind == "restored" and restored is model and history == ([0.5], [0.6])
    np.testing.assert_allclose(restored_codes, codes, atol=1e-6)
