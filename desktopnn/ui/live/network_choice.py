"""Which network, layer, size and colours the live view shows (part of the live tab).

A real ImageNet network is prepared in a worker of its own: its weights are verified in the cache or
downloaded, with the download bar's progress and cancel, then loaded; only when it is ready does the
view switch to it. Offline, on a bad checksum, or cancelled, the picker goes back and the view stays
on what it showed, with one sentence saying why.
"""

from __future__ import annotations

from desktopnn.ui.live.jobs import prepare_network
from desktopnn.ui.live.state import DEFAULT_LAYER, SIZES, classifies, is_real, network_tip, network_title, top5_title


class NetworkChoiceMixin:
    """The network, layer, size, normalisation and colour pickers of :class:`~desktopnn.ui.live.tab.LiveTab`."""

    def set_network(self, key: str) -> None:
        """Choose the network ``key`` in the picker (a real one is prepared first)."""
        i = self.net_box.findData(key)
        if i < 0:
            raise ValueError(f"no network {key!r}")
        self.net_box.setCurrentIndex(i)

    def set_size(self, size: tuple[int, int]) -> None:
        self.size_box.setCurrentIndex(SIZES.index(tuple(size)))

    def set_layer(self, layer: str) -> None:
        """Show ``layer`` of the current network (its picker follows with the next frame)."""
        if layer != self.params.layer:
            self.set_params(layer=layer, selected=0)

    def choose_network(self, key: str, layer: str | None = None, selected: int = 0) -> None:
        """Switch to ``key`` at ``layer`` (None: its first); a real network's weights are made ready first."""
        self.clear_error()
        if is_real(key) and self.computer.network(key) is None:
            if self.preparing is not None and self.preparing[0] == key:
                return
            self.preparing = (key, layer, selected)
            self.download_bar.start(f"{network_title(key)}:")
            self.weights_runner.submit(prepare_network, key)
            return
        self.preparing = None
        self.download_bar.setVisible(False)
        self._switch_network(key, layer, selected)

    def is_preparing(self) -> bool:
        """A network's weights are being downloaded or loaded."""
        return self.preparing is not None

    def _switch_network(self, key: str, layer: str | None, selected: int) -> None:
        layer = layer if layer is not None else DEFAULT_LAYER.get(key, "")
        self._show_network_in_picker(key)
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItem(layer or "first layer", layer)
        self.layer_box.blockSignals(False)
        self.set_params(network=key, layer=layer, selected=selected)
        self.update_about()

    def _show_network_in_picker(self, key: str) -> None:
        self.net_box.blockSignals(True)
        self.net_box.setCurrentIndex(max(0, self.net_box.findData(key)))
        self.net_box.blockSignals(False)

    def update_about(self) -> None:
        """The network's description and, for a classifier, its top-5 bars."""
        key = self.params.network
        self.net_about.setText(network_tip(key))
        title, tip = top5_title(key)
        self.top_title.setText(title)
        self.top_title.setToolTip(tip)
        self.top_title.setVisible(classifies(key))
        self.bars.setVisible(classifies(key))
        self.unit_panel.gradcam.setEnabled(classifies(key))

    # ---- the weights worker ----------------------------------------------------------------
    def _on_weights_progress(self, _job: int, fraction: float, text) -> None:
        self.download_bar.show_progress(fraction, str(text))

    def _on_weights_finished(self, _job: int, net) -> None:
        if self.preparing is None or self._shut:
            return
        key, layer, selected = self.preparing
        self.computer.add_network(key, net)
        self.notice.emit(f"{network_title(key)} is ready.")
        self.choose_network(key, layer, selected)

    def _on_weights_failed(self, _job: int, message: str, _exc) -> None:
        self._give_up_preparing(message[:1].upper() + message[1:])

    def _on_download_cancel_requested(self) -> None:
        self.weights_runner.cancel()
        self._give_up_preparing(f"Download stopped; still showing {network_title(self.params.network)}.")

    def _give_up_preparing(self, sentence: str) -> None:
        self.preparing = None
        self.download_bar.setVisible(False)
        self._show_network_in_picker(self.params.network)      # the view stays on what it showed
        self.show_error(sentence)

    # ---- the other pickers --------------------------------------------------------------------
    def _on_net_box_changed(self, _index: int) -> None:
        self.choose_network(self.net_box.currentData())

    def _on_layer_box_changed(self, _index: int) -> None:
        layer = self.layer_box.currentData()
        if layer and layer != self.params.layer:
            self.set_params(layer=layer, selected=0)

    def _on_size_box_changed(self, _index: int) -> None:
        size = self.size_box.currentData()
        self.input.demo.set_size(size)
        self.set_params(size=tuple(size))

    def _on_norm_box_changed(self, _index: int) -> None:
        self.set_params(normalise=self.norm_box.currentData())

    def _on_cmap_box_changed(self, _index: int) -> None:
        self.set_params(colormap=self.cmap_box.currentData())

    def _sync_layers(self, lf) -> None:
        labels = lf.extra.get("layer_labels", [])
        if [self.layer_box.itemData(i) for i in range(self.layer_box.count())] != [n for n, _ in labels]:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            for name, text in labels:
                self.layer_box.addItem(text, name)
            self.layer_box.blockSignals(False)
        if self.layer_box.currentData() != lf.layer:
            self.layer_box.blockSignals(True)
            self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(lf.layer)))
            self.layer_box.blockSignals(False)
