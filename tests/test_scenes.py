"""The scene file format (desktopnn.scenes): envelope checks, arrays, atomic writes. No Qt."""

import json
import os
import re

import numpy as np
import pytest

from desktopnn import scenes
from desktopnn.scenes import Scene, SceneError


def _write_json(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _good(**over):
    data = {"format": scenes.FORMAT, "format_version": 1, "app_version": "0.1.0", "tab": "animator",
            "tab_version": 1, "title": "Stride 2", "notes_section": "2.5", "state": {"stride": 2}}
    data.update(over)
    return data


def test_round_trip_keeps_everything(tmp_path):
    scene = Scene(tab="animator", state={"stride": 2, "kernel": scenes.encode_array(np.eye(3))}, tab_version=3,
                  title="Stride 2 — “quotes”", notes_section="2.5", extra={"future_key": [1, 2]})
    path = scenes.write(tmp_path / f"a{scenes.SUFFIX}", scene)
    back = scenes.read(path)
    assert (back.tab, back.tab_version, back.title, back.notes_section) == ("animator", 3, scene.title, "2.5")
    assert back.extra == {"future_key": [1, 2]}
    np.testing.assert_array_equal(scenes.decode_array(back.state["kernel"]), np.eye(3))
    assert back.app_version  # the writer's version is recorded
    assert (path.stat().st_mode & 0o777) == 0o644   # not the private mode of a temporary file


@pytest.mark.parametrize("content, words", [
    (b"", "not valid JSON"),
    (b"hello, I am not a scene", "not valid JSON"),
    (b'{"format": "desktopnn-scene", "format_version": 1, "tab": "ani', "not valid JSON"),
    (bytes(range(256)) * 8, "not a text file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"[1, 2, 3]", "not a desktopnn scene"),
    (b'{"format": "something-else", "format_version": 1}', "not a desktopnn scene"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
])
def test_damaged_files_are_refused_with_a_sentence(tmp_path, content, words):
    path = tmp_path / "bad.dnnscene"
    path.write_bytes(content)
    with pytest.raises(SceneError, match=re.escape(words)) as info:
        scenes.read(path)
    assert "bad.dnnscene" in str(info.value)


@pytest.mark.parametrize("over, words", [
    ({"format_version": 2}, "newer desktopnn"),
    ({"format_version": 0}, "no released desktopnn"),
    ({"format_version": "1"}, "no valid format version"),
    ({"format_version": True}, "no valid format version"),
    ({"tab": ""}, "which lesson"),
    ({"tab": None}, "which lesson"),
    ({"state": None}, "no saved state"),
    ({"state": [1, 2]}, "no saved state"),
    ({"tab_version": 0}, "no valid version"),
    ({"tab_version": "2"}, "no valid version"),
])
def test_envelope_errors(tmp_path, over, words):
    with pytest.raises(SceneError, match=words):
        scenes.read(_write_json(tmp_path / "s.dnnscene", _good(**over)))


def test_missing_keys(tmp_path):
    for key in ("tab", "state", "format", "format_version"):
        data = _good()
        del data[key]
        with pytest.raises(SceneError):
            scenes.read(_write_json(tmp_path / "s.dnnscene", data))
    data = _good()
    del data["tab_version"], data["title"]        # optional: default 1 and ""
    assert scenes.read(_write_json(tmp_path / "s.dnnscene", data)).tab_version == 1


def test_missing_file_and_byte_order_mark(tmp_path):
    with pytest.raises(SceneError, match="does not exist"):
        scenes.read(tmp_path / "nope.dnnscene")
    path = tmp_path / "bom.dnnscene"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_good()).encode())
    assert scenes.read(path).tab == "animator"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(tmp_path, literal):
    path = tmp_path / "nan.dnnscene"
    path.write_text(json.dumps(_good()).replace('"stride": 2', f'"stride": {literal}'))
    with pytest.raises(SceneError, match="not a finite number"):
        scenes.read(path)


def test_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.dnnscene"
    with open(path, "wb") as fh:
        fh.truncate(scenes.MAX_BYTES + 1)     # sparse: no real disk space
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a huge file"))
    with pytest.raises(SceneError, match="far too large"):
        scenes.read(path)


@pytest.mark.parametrize("arr", [
    np.arange(12, dtype=np.uint8).reshape(3, 4),
    np.linspace(-1, 1, 10, dtype=np.float32),
    np.array([[True, False]]),
    np.arange(-5, 5, dtype=np.int64),
    np.zeros((0, 3)),
    np.float64(3.5),
])
def test_small_arrays_as_lists(arr):
    enc = scenes.encode_array(arr)
    assert "data" in enc and "npy" not in enc
    back = scenes.decode_array(json.loads(json.dumps(enc)))
    assert back.dtype == arr.dtype and back.shape == np.shape(arr)
    np.testing.assert_array_equal(back, arr)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64, np.int16])
def test_large_arrays_as_base64_npy(dtype):
    arr = (np.random.default_rng(1).random((80, 60, 3)) * 200).astype(dtype)
    enc = scenes.encode_array(arr)
    assert "npy" in enc and "data" not in enc
    back = scenes.decode_array(json.loads(json.dumps(enc)))
    assert back.dtype == arr.dtype
    np.testing.assert_array_equal(back, arr)


def test_unstorable_arrays():
    with pytest.raises(SceneError):
        scenes.encode_array(np.array(["a", "b"]))
    with pytest.raises(SceneError):
        scenes.encode_array(np.array([1 + 2j]))


@pytest.mark.parametrize("obj, words", [
    (None, "not a stored array"),
    ([1, 2, 3], "not a stored array"),
    ({"shape": [2, 2]}, "not a stored array"),
    ({"shape": [2, 2], "data": [1, 2, 3]}, "damaged"),
    ({"shape": [-1], "data": []}, "damaged"),
    ({"shape": [10 ** 9, 10 ** 9], "data": []}, "damaged"),
    ({"shape": "2x2", "data": [1, 2, 3, 4]}, "damaged"),
    ({"shape": [2], "dtype": "<U5", "data": ["a", "b"]}, "damaged"),
    ({"shape": [2], "dtype": "|O", "data": [1, 2]}, "damaged"),
    ({"shape": [2], "data": ["x", "y"]}, "damaged"),
    ({"shape": [2], "data": [1.0, float("nan")]}, "not finite"),
    ({"shape": [2], "npy": "!!!not base64!!!"}, "damaged"),
    ({"shape": [2], "npy": "AAAA"}, "damaged"),
])
def test_bad_array_payloads(obj, words):
    with pytest.raises(SceneError, match=words):
        scenes.decode_array(obj, "kernel")


def test_npy_payload_with_wrong_shape_or_nan():
    enc = scenes.encode_array(np.ones((70, 70)))
    with pytest.raises(SceneError, match="damaged"):
        scenes.decode_array({**enc, "shape": [10, 10]})
    bad = np.ones((70, 70))
    bad[3, 3] = np.nan
    with pytest.raises(SceneError, match="not finite"):
        scenes.decode_array(scenes.encode_array(bad))


def test_unserialisable_state_writes_nothing(tmp_path):
    path = tmp_path / "s.dnnscene"
    for state in ({"x": float("nan")}, {"x": object()}):
        with pytest.raises(SceneError):
            scenes.write(path, Scene(tab="animator", state=state))
    assert not path.exists() and not list(tmp_path.iterdir())


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = scenes.write(tmp_path / "s.dnnscene", Scene(tab="animator", state={"stride": 1}))
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        scenes.write(path, Scene(tab="animator", state={"stride": 2}))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.dnnscene"]   # no temporary file left behind


def test_write_interrupted_mid_file_keeps_the_old_file(tmp_path, monkeypatch):
    path = scenes.write(tmp_path / "s.dnnscene", Scene(tab="animator", state={"stride": 1}))
    before = path.read_bytes()
    real_fdopen = os.fdopen

    class Half:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            raise KeyboardInterrupt   # the machine went down half way (BaseException, too)

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Half(real_fdopen(fd, *a, **k)))
    with pytest.raises(KeyboardInterrupt):
        scenes.write(path, Scene(tab="animator", state={"stride": 2, "pad": "x" * 10000}))
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def test_looks_like_scene(tmp_path):
    assert scenes.looks_like_scene(tmp_path / "x.DNNSCENE")
    assert not scenes.looks_like_scene(tmp_path / "x.png")
    j = _write_json(tmp_path / "x.json", _good())
    assert scenes.looks_like_scene(j)
    other = _write_json(tmp_path / "y.json", {"hello": 1})
    assert not scenes.looks_like_scene(other)
    assert not scenes.looks_like_scene(tmp_path / "missing.json")


# ---- the bundled contents --------------------------------------------------------------------
# The course notes' contents (section 0 of the notes), which contents.json must follow exactly, in order.
NOTES_CONTENTS = """
1 CNN Convolutional Neural Networks
1.1 Keras
1.2 Flattening
2 Convolution
2.1 Firing of neurons
2.2 mathematical model of a feature detector
2.3 Example of convolution
2.4 Reasons for convolution
2.5 Stride
2.6 Padding
2.7 Max Pooling
2.8 Example with Keras
2.9 Softmax
2.10 Drop Out
2.11 Why?
2.12 Tensor
2.13 An example for image classification
3 Encoder and Decoder
3.0.1 Audio transformation
4 RNN
4.1 Sequential Data
4.2 Dealing with memory
4.3 The Solution
4.3.1 How do we handle the time component?
4.3.2 Adding Connections
4.3.3 Recurrence
4.3.4 Memory Cell
4.3.5 simpleRNNCell (keras)
4.3.6 Computations across time/Forward Propagation
4.3.7 How to train RNN?
4.3.8 Loss across time steps
4.3.9 Backpropagation through Time
""".strip().splitlines()


def test_contents_follow_the_notes():
    entries = scenes.load_contents()
    assert [e.label for e in entries] == NOTES_CONTENTS
    for e in entries:
        assert e.level == e.section.count(".") + 1, e
        assert e.title and e.title == e.title.strip()
        assert e.scene.endswith(scenes.SUFFIX) and "/" not in e.scene
    assert len({e.scene for e in entries}) == len(entries)
    assert entries[0].label == "1 CNN Convolutional Neural Networks"
    assert entries[-1].label == "4.3.9 Backpropagation through Time"


def test_every_contents_tab_exists():
    from desktopnn.ui.tabs import tab_specs   # names only; no Qt widgets are built

    names = {s.name for s in tab_specs()}
    assert {e.tab for e in scenes.load_contents()} <= names


def test_bundled_scenes_are_valid_files():
    """Every bundled scene that exists reads cleanly and belongs to its entry's tab."""
    for e in scenes.load_contents():
        path = scenes.lessons_dir() / e.scene
        if path.exists():
            scene = scenes.read(path)
            assert scene.tab == e.tab, e


def test_bad_contents_file(tmp_path):
    with pytest.raises(SceneError, match="cannot be read"):
        scenes.load_contents(_write_json(tmp_path / "contents.json", {"entries": [{"section": "1"}]}))
