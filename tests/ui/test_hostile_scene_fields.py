"""Any value in any field of any lesson's scene (issue 16) is applied or refused with one sentence, and
a refused scene leaves the view as it was.

The states are the tabs' own (``scene_state()``) with one place changed: a value replaced by arbitrary
JSON, a key dropped, a value repeated or a list emptied. A tab must refuse with SceneError by itself: any
other exception fails (File ▸ Open scene would catch it only as "seems damaged", with a traceback logged).
"""

import copy
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktopnn import scenes
from desktopnn.scenes import Scene, SceneError

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from hostile_inputs import bounded, dumps, json_values  # noqa: E402


def one_sentence(message: str) -> None:
    assert message and "Traceback" not in message and len(message) < 600, message


def settle(qtbot, tab) -> None:
    """Let the tab's workers finish (a scene's step may be shown only when its computation is done)."""
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=20000)
    qtbot.wait(20)


# ---- every lesson's own state, changed in one place ----------------------------------------------
def _places(value, path=()):
    """Every (path) inside a state: dict keys and list positions, the root included."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _places(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):        # the first few elements of a long list stand for all
            yield from _places(v, path + (i,))


def _change(state, path, how: str, value):
    bad = copy.deepcopy(state)
    if not path:
        return value if how == "replace" else bad
    parent = bad
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "drop" and isinstance(parent, dict):
        del parent[last]
    elif how == "drop":
        parent.pop(last)
    elif isinstance(parent[last], list):
        parent[last] = []
    else:
        parent[last] = [parent[last]] * 3
    return bad


EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", 40))     # more for a longer hunt, e.g. 300
LESSONS = ("convolution", "live", "exercise", "why", "animator", "tensors", "train", "autoencoder", "rnn")


@pytest.mark.parametrize("lesson", LESSONS)
def test_any_value_in_any_field_is_applied_or_refused_cleanly(lesson, make_window, qtbot):
    window = make_window(1280, 800)
    tab = window.tab_at(next(i for i, s in enumerate(window.specs) if s.name == lesson))
    window.tabs.setCurrentWidget(tab)
    base = tab.scene_state()
    places = list(_places(base))
    refused, applied, unread = [], [], []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(places), st.sampled_from(("replace", "replace", "replace", "drop", "repeat")),
           st.one_of(json_values(), st.sampled_from((10 ** 20, -1, 0, 1e308, "", [], {}, [[]], [[1] * 3] * 3))))
    def prop(path, how, value):
        try:                 # what reaches the tab is what the file reader lets through
            state = scenes.loads(dumps(_change(base, path, how, value)))
        except SceneError as exc:
            one_sentence(str(exc))
            unread.append(str(exc))
            return
        settle(qtbot, tab)
        before = tab.scene_state()
        with bounded(seconds=10.0, megabytes=400):
            try:
                tab.apply_scene(copy.deepcopy(state)) if isinstance(state, dict) else \
                    window.scenes.apply(Scene(tab=lesson, state=state))
            except SceneError as exc:
                one_sentence(str(exc))
                assert tab.scene_state() == before, f"refused, but {lesson} changed: {exc}"
                refused.append(str(exc))
            else:
                applied.append(path)
            qtbot.wait(1)
            tab.grab()

    prop()
    assert refused and applied, f"{len(refused)} refused, {len(applied)} applied: the property did not bite both ways"
    tab.apply_scene(copy.deepcopy(base))                # and the view still takes its own scene
    settle(qtbot, tab)
    tab.grab()
