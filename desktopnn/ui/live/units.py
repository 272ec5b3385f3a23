"""What the chosen unit looks for (part of the live tab): its strongest response with the receptive
field on the picture, Grad-CAM of the top class over the live picture, a saliency map of the frozen
frame, and an ideal input made by gradient ascent, each in a worker with progress and cancel."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from desktopnn.ui.live.jobs import ideal_job, saliency_job, saliency_method

IDEAL_STEPS = 200


class UnitsMixin:
    """The unit panel's behaviour in :class:`~desktopnn.ui.live.tab.LiveTab`."""

    def _show_unit(self, lf, title: str) -> None:
        """The selected map's strongest response this frame, and the input it sees outlined."""
        s = lf.extra.get("strongest")
        if s is None:
            return
        top, left, bottom, right = s.box
        self.unit_panel.strongest.setText(f"{title} is strongest here at row {s.row}, column {s.col} "
                                          f"({s.value:.4g}); that unit sees the {bottom - top}×{right - left} "
                                          f"square outlined on the picture.")
        self.input_panel.set_marker(QRectF(left, top, right - left, bottom - top), self.ctx.theme.accent2, key="unit")

    def _on_gradcam_toggled(self, on: bool) -> None:
        self.set_params(gradcam=bool(on))

    def _unit_target(self):
        lf = self.result
        net = self.computer.network(lf.network) if lf is not None else None
        return lf, net

    def _on_saliency_requested(self) -> None:
        lf, net = self._unit_target()
        if net is None:
            return
        self.set_frozen(True)                       # the class looks at the very frame it explains
        how = ("gradient × input: what each pixel adds" if saliency_method(net, lf.layer) == "gradient_x_input"
               else "guided backpropagation")
        self._unit_caption = f"Saliency of {net.map_title(lf.layer, lf.selected)}"
        self._unit_about = (f"The whole map traced back to the frozen picture ({how}): grey is zero, a brighter "
                            "colour raises the map, a darker one lowers it")
        self.unit_panel.set_busy(True)
        self.unit_panel.progress.setRange(0, 0)
        self.unit_runner.submit(saliency_job, net, lf.input, lf.layer, lf.selected, None)

    def _on_ideal_requested(self) -> None:
        lf, net = self._unit_target()
        if net is None:
            return
        self._unit_caption = f"Ideal input of {net.map_title(lf.layer, lf.selected)}"
        self._unit_about = ("Gradient ascent from a grey picture (with jitter and blur) until the map's middle "
                            "unit answers as strongly as it can; its receptive field is outlined")
        self.unit_panel.set_busy(True)
        self.unit_panel.progress.setRange(0, 100)
        self.unit_runner.submit(ideal_job, net, lf.layer, lf.selected, IDEAL_STEPS)

    def show_unit_picture(self, image, caption: str, box=None) -> None:
        """A saliency map or an ideal input in place of the large map (until "Show the map")."""
        self.large_shows_unit = True
        self.large_panel.set_rgb(image)
        self.large_panel.title.setText(caption)
        self.large_panel.title.setToolTip(self._unit_about)
        rect = None if box is None else QRectF(box[1], box[0], box[3] - box[1], box[2] - box[0])
        self.large_panel.set_marker(rect, self.ctx.theme.accent2, key="unit")
        self.unit_panel.map_button.setVisible(True)

    def _on_map_requested(self) -> None:
        """The large panel shows the chosen feature map again (from the next result)."""
        self.large_shows_unit = False
        self.large_panel.set_marker(None, self.ctx.theme.accent2, key="unit")
        self.unit_panel.map_button.setVisible(False)
        if self.result is not None:
            self.large_panel.set_rgb(self.result.large)

    def _on_unit_progress(self, _job: int, fraction: float, image) -> None:
        self.unit_panel.progress.setValue(round(fraction * 100))
        if image is not None:
            self.show_unit_picture(image, f"{self._unit_caption}: step {round(fraction * IDEAL_STEPS)} of "
                                          f"{IDEAL_STEPS}…")

    def _on_unit_finished(self, _job: int, result) -> None:
        self.unit_panel.set_busy(False)
        if hasattr(result, "image"):               # an ideal input, its unit's field outlined
            self.show_unit_picture(result.image, f"{self._unit_caption}: {result.start:.3g} → {result.value:.3g} "
                                                 f"in {result.steps} steps", result.box)
        else:
            self.show_unit_picture(result, self._unit_caption)

    def _on_unit_failed(self, _job: int, message: str, _exc) -> None:
        self.unit_panel.set_busy(False)
        self.show_error(message[:1].upper() + message[1:])

    def _on_unit_cancel_requested(self) -> None:
        self.unit_runner.cancel()
        self.unit_panel.set_busy(False)
        self.large_panel.title.setText(f"{self._unit_caption}: stopped")
