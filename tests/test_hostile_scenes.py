"""Scene files as a hostile user writes them (issue 16): any bytes and any JSON give a scene or one
sentence, within a time and memory bound. Any value in any field of a lesson's state:
tests/ui/test_hostile_scene_fields.py."""

import json
import os
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktopnn import scenes
from desktopnn.scenes import Scene, SceneError

sys.path.insert(0, os.path.dirname(__file__))
from hostile_inputs import bounded, deep_json, dumps, json_values  # noqa: E402

HUGE_INT = 7 * 10 ** 4999       # 5000 digits: past Python's int-to-text limit of 4300
ENVELOPE = {"format": scenes.FORMAT, "format_version": 1, "tab": "animator", "tab_version": 1, "state": {}}


def one_sentence(message: str) -> None:
    assert message and "Traceback" not in message and len(message) < 600, message


def read_text(tmp_path, text) -> None:
    path = tmp_path / "hostile.dnnscene"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    with bounded(seconds=5.0, megabytes=200):
        try:
            scene = scenes.read(path)
        except SceneError as exc:
            one_sentence(str(exc))
        else:
            assert isinstance(scene, Scene) and isinstance(scene.state, dict)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(json_values(), st.dictionaries(st.sampled_from(sorted(ENVELOPE) + ["app_version", "title"]),
                                                json_values(4)).map(lambda d: {**ENVELOPE, **d})))
@example({**ENVELOPE, "format_version": HUGE_INT}).via("issue 16: a 5000-digit format version")
@example({**ENVELOPE, "state": {"step": HUGE_INT}}).via("issue 16: a 5000-digit integer in a field")
@example({**ENVELOPE, "tab_version": 10 ** 30})
def test_any_json_file_is_a_scene_or_one_sentence(tmp_path, data):
    read_text(tmp_path, dumps(data))


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
@example(deep_json(100_000)).via("nested past Python's recursion limit")
@example(b"\xef\xbb\xbf" + json.dumps(ENVELOPE).encode()).via("a BOM")
@example('{"format": "desktopnn-scene", "format_version": 1e999}').via("a float past the range")
@example('{"format": "desktopnn-scene", "format_version": NaN}')
def test_any_bytes_are_a_scene_or_one_sentence(tmp_path, data):
    read_text(tmp_path, data)


def test_the_integer_that_escaped_is_called_damage(tmp_path):
    path = tmp_path / "long.dnnscene"
    path.write_text(dumps({**ENVELOPE, "format_version": HUGE_INT}))
    with pytest.raises(SceneError) as err:
        scenes.read(path)
    assert str(err.value) == ("“long.dnnscene” is damaged: it holds a whole number 5000 digits long; a scene's "
                              "numbers have at most 20.")
