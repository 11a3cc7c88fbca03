"""PNG plots: the loss curve the learner collects but never draws, and the decision boundary.

Figures are built with :class:`matplotlib.figure.Figure` and rendered by the
Agg canvas straight into PNG bytes.  ``pyplot`` is never imported, so there is
no display, no global figure registry to leak, and a notebook's own backend
is left alone.  Colours are the Okabe-Ito palette (colour-blind friendly) and
each class also has its own marker shape.

These run at the end of every ``chainrule train``, so they are kept quick:

* each figure is drawn once.  The plot box has a fixed size in inches with
  roomy margins, and the PNG is cropped to the drawn labels afterwards, which
  is what ``savefig(bbox_inches="tight")`` does with a second full draw.  Only
  a label that sticks out of the figure makes the margins grow and the figure
  be drawn again;
* the class regions are one RGBA image (``imshow``) with a thin contour line
  on the borders, not a filled contour per class;
* the grid is predicted 256 points at a time with BLAS held to one thread, so
  a wide hidden layer's activations stay in cache;
* log-axis labels are plain text (``10⁻²``), which spares the first use of
  matplotlib's mathtext parser, and zlib runs at a fast level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from chainrule.output import ensure_writable, write_bytes
from chainrule.plots.boundary import decision_boundary_png, predict_in_chunks
from chainrule.plots.figure import (ACCURACY_COLOR, DPI, EDGE_COLOR, LOSS_COLOR, MARKERS, PALETTE,
                                    PNG_SIGNATURE, REGION_ALPHA, class_color)
from chainrule.plots.loss import _decade_label, _two_five_label, _wants_log, loss_curve_png

__all__ = ["ACCURACY_COLOR", "DPI", "EDGE_COLOR", "LOSS_COLOR", "MARKERS", "PALETTE", "PNG_SIGNATURE",
           "REGION_ALPHA", "_decade_label", "_two_five_label", "_wants_log", "class_color",
           "decision_boundary_png", "loss_curve_png", "predict_in_chunks", "write_plots"]


def write_plots(out_dir: str | Path, pngs: Mapping[str, bytes], force: bool) -> list[Path]:
    """Write ``{file name: PNG bytes}`` into ``out_dir``; nothing is written if any would be overwritten.

    Parameters
    ----------
    out_dir : str or Path
        The folder (created if missing).
    pngs : mapping of str to bytes
        e.g. ``{"loss.png": ..., "boundary.png": ...}``; plain file names only.
    force : bool
        Replace existing files (``--force``).

    Returns
    -------
    list of Path
        The written files, in the mapping's order.
    """
    folder = Path(out_dir)
    paths = []
    for name in pngs:
        if not name or Path(name).name != name:
            raise ValueError(f"plot name {name!r} must be a plain file name such as 'loss.png'")
        paths.append(ensure_writable(folder / name, force))  # check all before writing any
    return [write_bytes(path, pngs[path.name], force) for path in paths]
