"""The live tab's scenes (issue 9; notes 1, 2.2, 2.13): source, network, layer, selected map, colours,
resolution, Grad-CAM and freeze. A scene naming a camera or a video that is not here falls back to the
demo pictures with a notice instead of failing: the rest of the scene still applies. A scene with an
ImageNet network whose weights are not here yet starts their download, as choosing it would.
"""

from __future__ import annotations

from pathlib import Path

from desktopnn.scenes import SceneError
from desktopnn.ui.live.state import COLORMAPS, DEFAULT_LAYER, LAYERS, MAX_LAYER_NAME, NETWORKS, SIZES, is_real
from desktopnn.ui.scene_fields import get_bool, get_choice, get_dict, get_int, get_str, need_dict


def scene_state(tab) -> dict:
    p = tab.params
    cur = tab.input.current
    if tab.input.on_demo():
        source = {"kind": "demo"}
    elif hasattr(cur, "path"):
        source = {"kind": "video", "path": str(cur.path)}
    else:
        source = {"kind": "camera", "camera": cur.name}
    return {"source": source, "network": p.network, "layer": p.layer, "selected": p.selected,
            "size": list(p.size), "normalise": p.normalise, "colormap": p.colormap, "gradcam": p.gradcam,
            "frozen": tab.frozen}


def check(tab, state) -> dict:
    s = need_dict(state)
    src = get_dict(s, "source", default={}, what="source")
    plan = {"kind": get_choice(src, "kind", ["demo", "camera", "video"], default="demo", what="source"),
            "camera": get_str(src, "camera", default="", what="camera name", max_len=300),
            "path": get_str(src, "path", default="", what="video file", max_len=4096)}
    if plan["kind"] == "video" and not plan["path"]:
        raise SceneError("The scene says to play a video but does not name the file.")
    net = get_choice(s, "network", [k for k, _t, _tip in NETWORKS], default="notes_cnn", what="network")
    if is_real(net):       # its layer names are known once it is built; an unknown one shows its first layer
        layer = get_str(s, "layer", default="", what="layer", max_len=MAX_LAYER_NAME)
    else:
        layer = get_choice(s, "layer", LAYERS[net], default=DEFAULT_LAYER[net], what="layer")
    plan.update(network=net, layer=layer,
                selected=get_int(s, "selected", default=0, lo=0, hi=4095, what="selected feature map"),
                normalise=get_choice(s, "normalise", ["map", "layer"], default="map", what="normalisation"),
                colormap=get_choice(s, "colormap", COLORMAPS, default="viridis", what="colour map"),
                gradcam=get_bool(s, "gradcam", default=False, what="Grad-CAM"),
                frozen=get_bool(s, "frozen", default=False, what="freeze"))
    size = s.get("size") or [320, 240]
    if not isinstance(size, list) or tuple(size) not in SIZES:
        raise SceneError(f"The scene's resolution {size!r} is not one of "
                         f"{', '.join(f'{w}×{h}' for w, h in SIZES)}.")
    plan["size"] = tuple(size)
    return plan


def _camera(tab, name: str):
    for cam_id, desc in tab.input.camera_list():
        if not name or name in (desc, f"Camera: {desc}") or name.endswith(desc):
            return cam_id, tab.input.camera_device(cam_id)
    return None, None


def apply(tab, plan: dict) -> None:
    tab.show_choices(network=tab.params.network, size=plan["size"], normalise=plan["normalise"],
                     colormap=plan["colormap"], gradcam=plan["gradcam"])
    tab.input.demo.set_size(plan["size"])
    tab.mark_source_chosen()                  # the scene chooses the source, not the default
    kind = plan["kind"]
    if kind == "camera":
        cam_id, dev = _camera(tab, plan["camera"])
        if dev is None:
            tab.notice.emit(f"The scene's camera ({plan['camera'] or 'any camera'}) is not connected: "
                            "showing the demo pictures.")
            kind = "demo"
        else:
            tab.fill_sources(tab.input.camera_list())
            tab.input.use_camera(dev)
            tab.source_box.setCurrentIndex(max(0, tab.source_box.findData(("camera", cam_id))))
    if kind == "video":
        if Path(plan["path"]).is_file():
            tab.input.use_video(plan["path"])
        else:
            tab.notice.emit(f"The scene's video “{Path(plan['path']).name}” is not there: showing the demo "
                            "pictures.")
            kind = "demo"
    if kind == "demo":
        tab.input.use_demo()
        tab.sync_source_box()
    tab.set_params(size=plan["size"], normalise=plan["normalise"], colormap=plan["colormap"], gradcam=plan["gradcam"])
    tab.choose_network(plan["network"], plan["layer"] or None, plan["selected"])
    tab.set_frozen(plan["frozen"])
