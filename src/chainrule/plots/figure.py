"""What both plots share: palette, a fixed-size figure layout, PNG bytes cropped to the drawing."""

from __future__ import annotations

import io
from typing import Callable

import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

DPI = 110
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LOSS_COLOR = "#0072B2"
ACCURACY_COLOR = "#D55E00"
EDGE_COLOR = "#222222"
REGION_ALPHA = 0.28  # a class region is its colour at this opacity over the white plot
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COMPRESS_LEVEL = 3  # zlib: about as fast as level 1, files ~10% larger than the default 6
PAD = 0.1  # inches of white around the drawing, as savefig(bbox_inches="tight")
PREDICT_CHUNK = 256  # grid points per predict call: a (256, 1000) float64 hidden block is 2 MB

Predict = Callable[[np.ndarray], np.ndarray]
Margins = tuple[float, float, float, float]  # left, right, bottom, top, in inches


class Layout:
    """A plot box of fixed size in inches and the margins around it, for the labels.

    The margins may be generous: :func:`png_bytes` crops the image to what was drawn.
    """

    def __init__(self, box: tuple[float, float], margins: Margins) -> None:
        self.box = box
        self.margins = margins

    def figure(self) -> Figure:
        fig = Figure(figsize=self.size(), dpi=DPI)
        FigureCanvasAgg(fig)
        self.apply(fig)
        return fig

    def size(self) -> tuple[float, float]:
        left, right, bottom, top = self.margins
        return left + self.box[0] + right, bottom + self.box[1] + top

    def apply(self, fig: Figure) -> None:
        (width, height), (left, right, bottom, top) = self.size(), self.margins
        fig.set_size_inches(width, height)
        fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)

    def grow(self, fig: Figure, extra: Margins) -> None:
        self.margins = tuple(m + e for m, e in zip(self.margins, extra))  # type: ignore[assignment]
        self.apply(fig)


def png_bytes(fig: Figure, layout: Layout) -> bytes:
    """Draw ``fig`` and return it as PNG bytes, cropped to the drawing plus ``PAD``.

    The figure is drawn once; only if a label was cut off by the edge of the
    figure (very long tick labels or title) do the margins grow by what was
    missing and the figure is drawn again.
    """
    canvas = fig.canvas
    pad = PAD * fig.dpi  # pixels
    for attempt in range(3):
        canvas.draw()
        ink = _ink(fig)  # pixels, origin bottom left
        width, height = fig.bbox.width, fig.bbox.height
        short = (pad - ink.x0, ink.x1 + pad - width, pad - ink.y0, ink.y1 + pad - height)
        if max(short) < 0.5 or attempt == 2:
            break
        layout.grow(fig, tuple(max(s, 0.0) / fig.dpi for s in short))  # type: ignore[arg-type]
    rgba = np.asarray(canvas.buffer_rgba())  # (H, W, 4) uint8, row 0 at the top
    rows, cols = rgba.shape[:2]
    left, right = max(int(ink.x0 - pad), 0), min(int(np.ceil(ink.x1 + pad)), cols)
    top, bottom = max(int(rows - ink.y1 - pad), 0), min(int(np.ceil(rows - ink.y0 + pad)), rows)
    rgba = rgba[top:bottom, left:right]
    if rgba[..., 3].min() == 255:  # opaque, as the usual white figure: RGB is a quarter less to compress
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))  # (h, w, 3) uint8: RGB
    else:
        image = Image.fromarray(np.ascontiguousarray(rgba))  # (h, w, 4) uint8: RGBA
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(DPI, DPI))
    return buffer.getvalue()


def _ink(fig: Figure) -> Bbox:
    """Pixel box around every axes and the texts around it, as last drawn.

    Lines, points and legends lie inside an axes; tick marks are shorter than ``PAD``.
    """
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        boxes.append(ax.bbox)
        texts = [ax.title]
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible():
                texts += [axis.label, axis.get_offset_text(), *_drawn_tick_labels(axis)]
        boxes += [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
    return Bbox.union(boxes)


def _drawn_tick_labels(axis: Axis) -> list[Text]:
    """The tick labels of ``axis`` inside its view limits, i.e. the ones drawn."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * abs(high - low)
    labels = []
    for locs, ticks in ((axis.get_majorticklocs(), axis.get_major_ticks),
                        (axis.get_minorticklocs(), axis.get_minor_ticks)):
        labels += [label for tick, loc in zip(ticks(len(locs)), locs) if low - slack <= loc <= high + slack
                   for label in (tick.label1, tick.label2)]
    return labels


def class_color(k: int) -> str:
    """Colour of class ``k`` (Okabe-Ito, cycling after 8 classes)."""
    return PALETTE[k % len(PALETTE)]
