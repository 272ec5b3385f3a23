"""Reading the live maps: hover a map for its value (and, on the first layer, its arithmetic, notes 2.3)
with the receptive field drawn on the input; click a tile to show that map large."""

from __future__ import annotations

from PySide6.QtCore import QRectF


class ReadoutMixin:
    """Hover and click handling of :class:`~desktopnn.ui.live.tab.LiveTab` (part of the tab)."""

    def _map_point(self, lf, channel: int, r: int, c: int) -> None:
        maps = lf.maps
        r = min(max(r, 0), maps.shape[1] - 1)
        c = min(max(c, 0), maps.shape[2] - 1)
        value = float(maps[channel, r, c])
        net = self.computer.network(lf.network)
        title = net.map_title(lf.layer, channel) if net is not None else f"map {channel + 1}"
        lines = [f"{title}, row {r}, column {c}: value {value:.4g}"]
        if net is not None and lf.layer == net.first_layer():
            try:
                ex_lines, _v = net.explain(lf.input, channel, r, c)
                lines = [f"value {value:.4g}, worked out below (notes 2.3)"] + ex_lines
            except ValueError as exc:
                lines.append(str(exc))
        if net is not None:
            jump, size, offset = net.receptive_field(lf.layer)
            if size > 1:
                lines[0] += f"; it sees a {size}×{size} patch of the input"
            self.input_panel.set_marker(QRectF(c * jump + offset, r * jump + offset, size, size),
                                        self.ctx.theme.accent2, key="point")
        self.info.setText("\n".join(lines))

    def _on_mosaic_hovered(self, x: float, y: float) -> None:
        lf = self.result
        hit = lf.layout.tile_at(y, x) if lf is not None and x >= 0 else None
        if hit is None:
            return
        i, ty, tx = hit
        f = lf.factor
        self._map_point(lf, i, ty * f + f // 2, tx * f + f // 2)

    def _on_large_hovered(self, x: float, y: float) -> None:
        lf = self.result
        if lf is not None and x >= 0:
            self._map_point(lf, lf.selected, int(y), int(x))

    def _on_input_hovered(self, x: float, y: float) -> None:
        lf = self.result
        if lf is None or x < 0:
            return
        r, c = int(y), int(x)
        rgb = lf.input[r, c]
        self.info.setText(f"input pixel row {r}, column {c}: R {rgb[0]}, G {rgb[1]}, B {rgb[2]}")

    def _on_mosaic_clicked(self, x: float, y: float) -> None:
        lf = self.result
        hit = lf.layout.tile_at(y, x) if lf is not None else None
        if hit is not None:
            self.select_map(hit[0])

    def select_map(self, index: int) -> None:
        """Show map ``index`` of the current layer large beside the input."""
        self.set_params(selected=int(index))
