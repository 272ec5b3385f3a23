"""The tensors lesson's state without pixels: shapes and values refused in words, result names."""

import pytest

from desktopnn.ui.tensors.state import TensorStore, build_values, parse_shape


def test_builder_values_and_refusals_without_the_tab():
    with pytest.raises(ValueError, match="at most 4 axes"):
        parse_shape("1, 1, 1, 1, 1")
    assert build_values((2, 2), "typed", "[[1, 2], [3, 4], [5, 6]]").shape == (3, 2)
    store = TensorStore()
    assert store.fresh_name() == "r1"
