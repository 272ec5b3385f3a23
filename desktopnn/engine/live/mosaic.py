"""Feature maps tiled into one mosaic image, coloured through a lookup table (the Live tab, notes 2.2).

One image instead of dozens of image items: 64 maps drew in 4.9 ms as a mosaic, 12.6 ms as items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.live import fused

NORMALISE = ("map", "layer")
MOSAIC_BUDGET = 700_000      # pixels in the mosaic; larger layers are shown area-averaged


@dataclass(frozen=True)
class MosaicLayout:
    """Where each of ``count`` tiles sits in the mosaic (row-major; the last row may be short)."""

    count: int
    rows: int
    cols: int
    tile_h: int
    tile_w: int
    gap: int

    @property
    def width(self) -> int:
        return self.cols * self.tile_w + (self.cols - 1) * self.gap

    @property
    def height(self) -> int:
        return self.rows * self.tile_h + (self.rows - 1) * self.gap

    def origin(self, i: int) -> tuple[int, int]:
        """Top-left (y, x) of tile ``i``."""
        r, c = divmod(i, self.cols)
        return r * (self.tile_h + self.gap), c * (self.tile_w + self.gap)

    def tile_at(self, y: float, x: float) -> tuple[int, int, int] | None:
        """(tile, row in tile, column in tile) under mosaic pixel (y, x); None on a gap or empty cell."""
        if y < 0 or x < 0:
            return None
        r, ry = divmod(int(y), self.tile_h + self.gap)
        c, cx = divmod(int(x), self.tile_w + self.gap)
        if r >= self.rows or c >= self.cols or ry >= self.tile_h or cx >= self.tile_w:
            return None
        i = r * self.cols + c
        return (i, ry, cx) if i < self.count else None


def mosaic_layout(count: int, tile_h: int, tile_w: int, gap: int = 2, aspect: float = 1.5) -> MosaicLayout:
    """The grid that shows ``count`` tiles largest in an area ``aspect`` (width/height) wide.

    Fewer empty cells break ties, so 7 tiles become 4 + 3 rather than 3 + 3 + 1.
    """
    if count < 1:
        raise ValueError("a mosaic needs at least one map")
    best = None
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        w = cols * tile_w + (cols - 1) * gap
        h = rows * tile_h + (rows - 1) * gap
        scale = min(aspect / w, 1.0 / h)
        key = (round(scale * 1e6), -(rows * cols - count))
        if best is None or key > best[0]:
            best = (key, rows, cols)
    _, rows, cols = best
    return MosaicLayout(count, rows, cols, tile_h, tile_w, gap)


def _by_mode(lo: torch.Tensor, hi: torch.Tensor, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Per map, or the whole layer's low and high for every map."""
    if mode not in NORMALISE:
        raise ValueError(f"normalise per 'map' or per 'layer', not {mode!r}")
    if mode == "layer":
        lo, hi = lo.min().expand_as(lo), hi.max().expand_as(hi)
    return lo, hi


def _ranges(maps: torch.Tensor, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    return _by_mode(maps.amin(dim=(1, 2)), maps.amax(dim=(1, 2)), mode)   # (C,): fine on channels_last too


def normalise(maps: torch.Tensor, mode: str = "map") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(C, H, W)`` maps scaled to 0..1 per map or over the whole layer; also the lows and highs (C,)."""
    lo, hi = _ranges(maps, mode)
    span = torch.where(hi > lo, hi - lo, torch.ones_like(hi))
    return (maps - lo[:, None, None]) / span[:, None, None], lo, hi


def shrink(maps: torch.Tensor, factor: int) -> torch.Tensor:
    """``(C, H, W)`` → ``(C, H // f, W // f)``: the mean of each f×f block (a partial last block is dropped).

    One ``avg_pool2d`` pass (on channels_last data 1.5× faster than summing f² strided views, measured
    with torch 2.13 on one core: 0.8 against 1.2 ms at 320×240, 4.0 against 5.9 ms at 640×480).
    """
    if factor <= 1:
        return maps
    c, h, w = maps.shape
    # a batch of one with the batch stride a whole image, as the network made it: ``maps[None]`` gives
    # the size-1 batch a stride of C, and avg_pool2d then takes a path 20× slower (25 against 1.3 ms)
    batch = maps.as_strided((1, c, h, w), (c * h * w, *maps.stride()))
    return F.avg_pool2d(batch, factor)[0]


GAP = 256   # index of the background colour in a mosaic (one past the colour map's 256 entries)


BAND_BYTES = 1 << 20   # one band of rows read at a time: well inside a core's L2 cache (2 MB here)
BANDS_FROM = 16 << 20  # layers larger than this are read in bands (smaller ones gained nothing, measured)


def _in_bands(maps: torch.Tensor, factor: int) -> bool:
    """Whether ``maps`` can be read a band of rows at a time: CPU data in channels_last order (each band
    of rows one stretch of memory), shrunk by a whole factor."""
    return (factor > 1 and maps.device.type == "cpu" and maps.permute(1, 2, 0).is_contiguous()
            and maps.numel() * maps.element_size() > BANDS_FROM)


def _scan_bands(maps: torch.Tensor, factor: int, keep) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shrunk maps, lows and highs ``(C,)`` and (into ``keep = (channel, (H, W) buffer)``) one whole map,
    all in one read of ``maps`` a band of rows at a time: each band is shrunk, reduced and copied from
    the cache instead of the three or four trips through memory of doing each step over the whole layer.
    The same operations on the same values, so the same numbers as the whole-layer steps."""
    c, h, w = maps.shape
    rows = max(1, BAND_BYTES // (w * c * maps.element_size() * factor)) * factor
    th, tw = h // factor, w // factor
    small = torch.empty((th, tw, c), dtype=maps.dtype).permute(2, 0, 1)      # channels_last, as shrink gives
    lows, highs = [], []
    for r0 in range(0, h, rows):
        band = maps[:, r0:r0 + rows]
        t0, n = r0 // factor, min(band.shape[1] // factor, th - r0 // factor)
        if n > 0:
            small[:, t0:t0 + n] = shrink(band[:, :n * factor], factor)
        lows.append(band.amin(dim=(1, 2)))
        highs.append(band.amax(dim=(1, 2)))
        if keep is not None:
            keep[1][r0:r0 + rows] = band[keep[0]]
    return small, torch.stack(lows).amin(0), torch.stack(highs).amax(0)


def mosaic_factor(c: int, h: int, w: int, budget: int = MOSAIC_BUDGET) -> int:
    """Map pixels per tile pixel (per side) that bring ``c`` maps of ``h``×``w`` within ``budget`` pixels;
    a tile keeps at least one pixel."""
    return max(1, min(math.ceil(math.sqrt(c * h * w / budget)), h, w))


def _scales(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """255 over each map's range (1 where a map is flat), as torch computes it for the tiles."""
    return 255.0 / torch.where(hi > lo, hi - lo, torch.ones_like(hi))


def mosaic_tiles(maps: torch.Tensor, mode: str = "map", budget: int = MOSAIC_BUDGET, nonnegative: bool = False,
                 keep=None):
    """The mosaic's tiles: ``(C, th, tw)`` uint8 numpy (0..255 between each map's low and high), the
    factor (map pixels per tile pixel, per side) and the lows and highs ``(C,)`` of the full maps.

    Averaging commutes with the linear scaling, so the maps are shrunk first and only the small tiles
    are scaled; one copy of ``C·th·tw`` bytes leaves the compute device. ``keep = (channel, buffer)``
    also copies that channel's whole map into the ``(H, W)`` buffer (the view's large picture) in the
    same read. On the CPU a layer in channels_last order is read once, in bands (:func:`_scan_bands`:
    at 640×480 the first layer's 39 MB took 3 trips through memory, each slower while the UI thread
    paints on the other core). Elsewhere, with ``nonnegative`` maps (after a ReLU) a tile pixel of 0
    means a block of zeros, so a map whose smallest tile pixel is 0 has its low at 0 exactly and is not
    read again for it.
    """
    c, h, w = maps.shape
    factor = mosaic_factor(c, h, w, budget)
    if _in_bands(maps, factor):
        small, lo, hi = _scan_bands(maps, factor, keep)
    else:
        small = shrink(maps, factor)
        hi = maps.amax(dim=(1, 2))
        lo = None
        if nonnegative and factor > 1:
            lo = small.amin(dim=(1, 2))
            if bool((lo > 0).any()):           # a map with no zero block: its exact low needs all of it
                lo = None
        if lo is None:
            lo = maps.amin(dim=(1, 2))
        if keep is not None:
            keep[1].copy_(maps[keep[0]])
    lo, hi = _by_mode(lo, hi, mode)
    scale = _scales(lo, hi)
    # scaled with the channels innermost (the layout channels_last maps shrink to): the per-map low and
    # scale then broadcast along contiguous memory, several times faster than along the outer axis
    hwc = small.permute(1, 2, 0)                                                       # (th, tw, C)
    tiles = torch.sub(hwc, lo).mul_(scale).round_().clamp_(0, 255).to(torch.uint8)     # its own copy
    u8 = tiles.permute(2, 0, 1).cpu().numpy()     # (C, th, tw), possibly strided: np.take reads it as it is
    return u8, factor, lo.cpu().numpy(), hi.cpu().numpy()


def _place(tiles: np.ndarray, canvas: np.ndarray, layout: MosaicLayout, fill) -> None:
    """Write ``(C, th, tw)`` tiles into their cells of ``canvas`` through ``fill(src, dst)`` (one pass,
    no per-tile loop: the canvas is viewed as rows × tile rows × columns × tile columns)."""
    th, tw, gap, cols = layout.tile_h, layout.tile_w, layout.gap, layout.cols
    grid = canvas.reshape(layout.rows, th + gap, cols, tw + gap)
    full, rest = divmod(layout.count, cols)
    if full:
        fill(tiles[:full * cols].reshape(full, cols, th, tw), grid[:full, :th, :, :tw].transpose(0, 2, 1, 3))
    if rest:
        fill(tiles[full * cols:], grid[full, :th, :rest, :tw].transpose(1, 0, 2))


def _blank(layout: MosaicLayout, dtype, value) -> np.ndarray:
    """A canvas with room for every row and column of tiles and its trailing gap (cropped by the caller)."""
    canvas = np.empty((layout.rows * (layout.tile_h + layout.gap), layout.cols * (layout.tile_w + layout.gap)), dtype)
    canvas.fill(value)
    return canvas


def build_mosaic(maps: torch.Tensor, mode: str = "map", gap: int = 2, aspect: float = 1.5,
                 budget: int = MOSAIC_BUDGET) -> tuple[np.ndarray, MosaicLayout, int, np.ndarray, np.ndarray]:
    """Tile ``(C, H, W)`` maps into one uint16 index image: 0..255 on the maps, :data:`GAP` between them.

    Returns (mosaic, layout, factor, lows, highs): ``factor`` is how many map pixels one tile pixel
    averages (1 when the layer fits the budget). The lows and highs are those of the full maps.
    """
    u8, factor, lo, hi = mosaic_tiles(maps, mode, budget)
    layout = mosaic_layout(maps.shape[0], u8.shape[1], u8.shape[2], gap, aspect)
    canvas = _blank(layout, np.uint16, GAP)
    _place(u8, canvas, layout, lambda src, dst: np.copyto(dst, src))
    return canvas[:layout.height, :layout.width].copy(), layout, factor, lo, hi


def colour_mosaic(maps: torch.Tensor, lut32: np.ndarray, mode: str = "map", gap: int = 2, aspect: float = 1.5,
                  budget: int = MOSAIC_BUDGET, nonnegative: bool = False, keep=None
                  ) -> tuple[np.ndarray, MosaicLayout, int, np.ndarray, np.ndarray]:
    """:func:`build_mosaic` and :func:`colorize` in one step: ``(H, W, 4)`` uint8 RGBA straight from the
    tiles, each pixel looked up once into its place (a view with the canvas's row stride; no index image).
    ``keep`` as in :func:`mosaic_tiles`. A float32 layer in channels_last order on the CPU goes through
    the compiled loops of :mod:`~desktopnn.engine.live.fused` instead: the same pixels, numbers and
    layout (tests/engine/live/test_fast_paths.py), one read of the layer and one of its tiles."""
    if _fusable(maps):
        return _fused_colour(maps, lut32, mode, gap, aspect, budget, keep)
    u8, factor, lo, hi = mosaic_tiles(maps, mode, budget, nonnegative, keep)
    layout = mosaic_layout(maps.shape[0], u8.shape[1], u8.shape[2], gap, aspect)
    canvas = _blank(layout, np.uint32, lut32[GAP])
    _place(u8, canvas, layout, lambda src, dst: np.take(lut32, src, out=dst, mode="clip"))
    rgba = canvas[:layout.height, :layout.width].view(np.uint8).reshape(layout.height, layout.width, 4)
    return rgba, layout, factor, lo, hi


def _fusable(maps: torch.Tensor) -> bool:
    return (fused.available() and maps.device.type == "cpu" and maps.dtype == torch.float32
            and maps.permute(1, 2, 0).is_contiguous())


def _fused_colour(maps: torch.Tensor, lut32: np.ndarray, mode: str, gap: int, aspect: float, budget: int, keep):
    """:func:`colour_mosaic` in two compiled loops (no GIL held): the layer read once (block means,
    lows, highs, the kept map), then every tile pixel scaled, coloured and placed."""
    if mode not in NORMALISE:
        raise ValueError(f"normalise per 'map' or per 'layer', not {mode!r}")
    c, h, w = maps.shape
    factor = mosaic_factor(c, h, w, budget)
    sel, buf = keep if keep is not None else (0, None)
    one = buf.detach().numpy() if buf is not None else np.empty((h, w), np.float32)
    small, lo, hi = fused.scan(maps.detach().permute(1, 2, 0).numpy(), factor, sel, one)
    if mode == "layer":           # as _by_mode, in numpy: a handful of small torch calls cost more here
        lo, hi = np.full_like(lo, lo.min()), np.full_like(hi, hi.max())
    layout = mosaic_layout(c, small.shape[0], small.shape[1], gap, aspect)
    shape = (layout.rows * (layout.tile_h + layout.gap), layout.cols * (layout.tile_w + layout.gap))
    canvas = np.empty(shape, np.uint32)                      # every pixel written by the loop, gaps too
    fused.paint(small, lo, hi, np.ascontiguousarray(lut32, np.uint32), canvas, layout.cols, gap, lut32[GAP])
    rgba = canvas[:layout.height, :layout.width].view(np.uint8).reshape(layout.height, layout.width, 4)
    return rgba, layout, factor, lo, hi


def lut_rgba(lut: np.ndarray, fill=(0, 0, 0)) -> np.ndarray:
    """A ``(256, 3)`` uint8 colour map plus the gap colour as 257 packed RGBA words (uint32)."""
    table = np.empty((GAP + 1, 4), np.uint8)
    table[:GAP, :3] = lut
    table[GAP, :3] = fill
    table[:, 3] = 255
    table[GAP, 3] = 0     # the gaps are transparent: the view's own background shows, whatever the theme
    return table.view(np.uint32).ravel()


def lut_argb32(lut: np.ndarray) -> np.ndarray:
    """A ``(256, 3)`` uint8 colour map as 257 native ``0xAARRGGBB`` words, opaque, plus a transparent gap:
    the layout of Qt's premultiplied ARGB32 images, which Qt copies and scales without converting."""
    lut = np.asarray(lut, np.uint32)
    table = np.zeros(GAP + 1, np.uint32)
    table[:GAP] = (0xFF << 24) | (lut[:, 0] << 16) | (lut[:, 1] << 8) | lut[:, 2]
    return table


def colorize(index: np.ndarray, lut32: np.ndarray) -> np.ndarray:
    """An index image (uint8, or uint16 with :data:`GAP`) through :func:`lut_rgba` → ``(H, W, 4)`` uint8."""
    out = np.take(lut32, index)
    return out.view(np.uint8).reshape(*index.shape, 4)
