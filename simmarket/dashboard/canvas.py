"""Fast redraws for the dashboard's charts: draw a figure's static parts once, then only what moves.

A week's redraw of a whole matplotlib figure (ticks, labels, legends, grids) cost 100-200 ms per
chart; most of it never changes. `Canvas` keeps a bitmap of the static layers and, each week,
restores it and draws only the animated artists (lines, dots, bars, week titles) on top. Static
artists that must lie over the moving ones (legends, outlines) are drawn once into a transparent
overlay that is blended on top each week: text is the slowest thing matplotlib draws (a legend
cost 10-35 ms a week). Texts that change every week (titles with the week's numbers) are not drawn
at all: they are captions the browser writes over the picture at the same place (`captions_html`),
as matplotlib lays out each new string afresh (1-5 ms a title). The static layers and the overlay
are drawn again only when their `layout` changes (a colour scale, a label); a panel whose own
layout changed (its axis range) is drawn again alone. Axis ranges only widen during a run
(`Sticky`), in round steps, so that happens rarely.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

DPI = 80
PNG_LEVEL = 1  # zlib level: fastest; the charts are flat colours and compress well anyway
PANEL_MARGIN = 2  # pixels around a panel redrawn alone (antialiased edges)


def png(fig: Figure, dpi: int = DPI) -> bytes:
    """A whole figure drawn afresh, as PNG bytes (for one-off figures)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": PNG_LEVEL})
    return buf.getvalue()


def encode(agg: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG bytes, without drawing the figure again (as savefig would)."""
    image = Image.frombuffer("RGBA", agg.get_width_height(), agg.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", compress_level=PNG_LEVEL)
    return buf.getvalue()


class Overlay:
    """Static artists drawn once onto a transparent layer, then blended over the canvas each time:
    the pixels they cover, their colours and their opacity (matplotlib's Agg keeps straight alpha)."""

    def __init__(self, agg: FigureCanvasAgg, artists: list[Artist]):
        w, h = agg.get_width_height()
        layer = RendererAgg(w, h, agg.figure.dpi)  # starts fully transparent
        for a in artists:
            if a.get_visible():
                a.draw(layer)
        rgba = np.asarray(layer.buffer_rgba()).reshape(-1, 4)
        self.pixels = np.flatnonzero(rgba[:, 3])
        self.alpha = rgba[self.pixels, 3:].astype(np.float32) / 255
        self.colour = rgba[self.pixels, :3].astype(np.float32) * self.alpha

    def blend(self, agg: FigureCanvasAgg) -> None:
        """Lay the overlay over what the canvas shows now ("over": colour x alpha + below x (1 - alpha))."""
        if not len(self.pixels):
            return
        flat = np.asarray(agg.buffer_rgba()).reshape(-1, 4)
        below = flat[self.pixels, :3].astype(np.float32)
        flat[self.pixels, :3] = np.rint(self.colour + below * (1 - self.alpha)).astype(np.uint8)


class Canvas:
    """A figure whose static layers are drawn once (per layout), its animated artists drawn each
    time on top of them, and static artists that must lie over those (`cover`) blended on last."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.agg = FigureCanvasAgg(fig)
        self.moving: list[Artist] = []
        self.over: list[Artist] = []
        self.captions: list[Text] = []
        self._background = None
        self._overlay: Overlay | None = None
        self._layout = None
        self._panel_keys: list = []
        self._panel_boxes: list[Bbox] = []
        self.full_draws = 0  # how often the static layers were drawn (for tests and the speed note)
        self.panel_draws = 0  # how often one panel's static layers were drawn

    def animate(self, *artists: Artist) -> None:
        """Mark artists as the ones that change week to week (left out of the static layers)."""
        for a in artists:
            a.set_animated(True)
            self.moving.append(a)

    def settle(self, *artists: Artist) -> None:
        """Make moving artists static (drawn into the static layers from the next layout on)."""
        for a in artists:
            a.set_animated(False)
            self.moving.remove(a)

    def cover(self, *artists: Artist) -> None:
        """Mark static artists that lie over the moving ones (legends over lines and dots)."""
        for a in artists:
            a.set_animated(True)  # left out of the static layers below the moving artists
            self.over.append(a)

    def caption(self, *texts: Text) -> None:
        """Mark texts that change week to week as captions: written by the browser, not drawn.
        (An axes title must have a fixed place, `set_title(..., y=1.0)`: matplotlib would move a
        hidden title up out of the figure.)"""
        for t in texts:
            t.set_visible(False)
            self.captions.append(t)

    def captions_html(self) -> str:
        """The captions as HTML laid over the picture: each at its text's place, size and colour, in
        units of the picture's width (the picture is shown in a box with `CAPTION_BOX`'s style)."""
        width, height = self.agg.get_width_height()
        px = self.fig.dpi / 72  # pixels per point
        return "".join(_caption(t, *t.get_transform().transform(t.get_position()), width, height, px)
                       for t in self.captions if t.get_text())

    def png(self, layout=None, panels: Sequence[tuple[Axes, object]] = ()) -> bytes:
        """The figure as PNG bytes; the static layers are redrawn only if `layout` changed, or, for
        `panels` (axes, each with a layout of its own, such as its y range), only the axes whose
        layout changed."""
        keys = [key for _, key in panels]
        if self._background is None or layout != self._layout or len(keys) != len(self._panel_keys):
            self.agg.draw()  # animated artists are left out
            self._panel_boxes = [ax.get_tightbbox(self.agg.get_renderer()) for ax, _ in panels]
            self._background = self.agg.copy_from_bbox(self.fig.bbox)
            self._overlay = Overlay(self.agg, self.over)
            self._layout = layout
            self.full_draws += 1
        else:
            self.agg.restore_region(self._background)
            changed = [i for i, key in enumerate(keys) if key != self._panel_keys[i]]
            for i in changed:
                self._redraw_panel(i, panels[i][0])
            if changed:
                self._background = self.agg.copy_from_bbox(self.fig.bbox)
        self._panel_keys = keys
        renderer = self.agg.get_renderer()
        for a in self.moving:
            if a.get_visible():
                a.draw(renderer)
        self._overlay.blend(self.agg)
        return encode(self.agg)

    def _redraw_panel(self, i: int, ax: Axes) -> None:
        """Draw one axes' static layers again, over its old ones (which may reach further: the
        box cleared is what the axes covered before and covers now, with a margin)."""
        renderer = self.agg.get_renderer()
        now = ax.get_tightbbox(renderer)
        box = Bbox.union([self._panel_boxes[i], now]).padded(PANEL_MARGIN)
        width, height = self.agg.get_width_height()
        x0, x1 = max(int(box.x0), 0), min(math.ceil(box.x1), width)
        y0, y1 = max(int(box.y0), 0), min(math.ceil(box.y1), height)
        pixels = np.asarray(self.agg.buffer_rgba())  # rows from the top
        pixels[height - y1:height - y0, x0:x1] = np.round(np.array(to_rgba(self.fig.get_facecolor())) * 255)
        ax.draw(renderer)
        self._panel_boxes[i] = now
        self.panel_draws += 1


# the style of the box that holds a picture and its captions (the captions are placed within it)
CAPTION_BOX = "position: relative; container-type: inline-size; line-height: 1.15"
_SHIFT_X = {"left": "0%", "center": "-50%", "right": "-100%"}
_SHIFT_Y = {"bottom": "0%", "baseline": "0.2em", "center": "50%", "center_baseline": "50%", "top": "100%"}


def _caption(t: Text, x: float, y: float, width: int, height: int, px: float) -> str:
    """One text as an absolutely placed HTML block: its anchor (x, y) in pixels from the bottom left."""
    style = (f"position: absolute; left: {100 * x / width:.2f}%; bottom: {100 * y / height:.2f}%; "
             f"transform: translate({_SHIFT_X[t.get_ha()]}, {_SHIFT_Y[t.get_va()]}); "
             f"font-size: {100 * t.get_fontsize() * px / width:.3f}cqw; color: {to_hex(t.get_color())}; "
             f"text-align: {t.get_ha()}; white-space: pre; font-family: 'DejaVu Sans', sans-serif")
    return f'<div style="{style}">{html.escape(t.get_text())}</div>'


def nice_step(span: float) -> float:
    """A round step (1, 2 or 5 x a power of ten) of about a fifth of the span."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class Sticky:
    """An axis range that only widens during a run, in round steps with some headroom, so the
    axes (and the cached static layers) change only now and then, and values stay comparable."""

    def __init__(self, from_zero: bool = False, headroom: float = 0.25, shrink_below: float = 0.0,
                 min_span: float = 0.0):
        self.from_zero = from_zero
        self.headroom = headroom
        self.min_span = min_span  # the range spans at least this share of the largest value shown
        self.shrink_below = shrink_below  # start afresh if the data fill less than this share of the range
        self.range: tuple[float, float] | None = None

    def reset(self) -> None:
        self.range = None

    def fit(self, lo: float, hi: float) -> tuple[float, float]:
        """The range to show for data spanning lo..hi (widened if the data left the current range)."""
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return self.range or (0.0, 1.0)
        if self.from_zero and lo >= 0:
            lo = 0.0
        if self.range is not None and hi - lo < self.shrink_below * (self.range[1] - self.range[0]):
            self.range = None
        if self.range is not None and self.range[0] <= lo and hi <= self.range[1]:
            return self.range
        if self.range is not None:
            lo, hi = min(lo, self.range[0]), max(hi, self.range[1])
        span = max(hi - lo, self.min_span * max(abs(lo), abs(hi))) or max(abs(hi) * 0.1, 1.0)
        step = nice_step(span * (1 + 2 * self.headroom))
        new_lo = lo if lo == 0 and self.from_zero else math.floor((lo - self.headroom * span) / step) * step
        new_hi = math.ceil((hi + self.headroom * span) / step) * step
        if self.from_zero and lo >= 0:
            new_lo = max(new_lo, 0.0)
        self.range = (new_lo, new_hi)
        return self.range
