"""Small inline-SVG charts for the static report: a line chart over categories (commits)
with optional interval whiskers, and a horizontal box plot of distributions.

Plain SVG strings, no scripts and no external files, so the page is one file that opens
anywhere and diffs as text.  Every chart is an `<svg class="plot" data-plot=NAME>` with
one `<g class="series">` per series and one `<circle class="point">` (line chart) or
`<g class="box">` (box plot) per value drawn, so a test can count what was drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
FONT = 'font-family="sans-serif" font-size="11"'


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def nice_range(values: Sequence[float], *, floor: float | None = None) -> tuple[float, float]:
    """A y range that holds `values` with round ends."""
    lo = min(values) if floor is None else floor
    hi = max(values)
    if hi <= lo:  # one value: put it in the middle
        half = abs(hi) * 0.1 or 1.0
        lo, hi = (lo if floor is not None else hi - half), hi + half
    step = 10 ** (math.floor(math.log10(hi - lo)) - 1)
    for mult in (1, 2, 5, 10, 20, 50, 100):
        if (hi - lo) / (step * mult) <= 6:
            step *= mult
            break
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    step = (hi - lo) / count
    return [lo + i * step for i in range(count + 1)]


def line_chart(name: str, title: str, categories: Sequence[str],
               series: dict[str, Sequence[float | None]], *,
               whiskers: dict[str, Sequence[tuple[float, float] | None]] | None = None,
               y_range: tuple[float, float] | None = None,
               y_label: Callable[[float], str] = _fmt, width: int = 720,
               height: int = 260) -> str:
    """Values per category (x, in order) for each series; None leaves a gap.
    `whiskers` draws an interval (low, high) around each point."""
    values = [v for vs in series.values() for v in vs if v is not None]
    for ws in (whiskers or {}).values():
        values += [x for w in ws if w is not None for x in w]
    lo, hi = y_range or nice_range(values or [0.0, 1.0])
    left, right, top, bottom = 60, 150, 28, 70
    pw, ph = width - left - right, height - top - bottom
    n = max(1, len(categories))

    def x(i: int) -> float:
        return left + (pw * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph if hi > lo else top + ph / 2

    out = [f'<svg class="plot" data-plot="{escape(name)}" xmlns="http://www.w3.org/2000/svg" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
           f'<title>{escape(title)}</title>',
           f'<text x="{left}" y="16" {FONT} font-weight="bold">{escape(title)}</text>']
    for t in ticks(lo, hi):
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" {FONT}>'
                   f'{escape(y_label(t))}</text>')
    for i, cat in enumerate(categories):
        out.append(f'<text transform="translate({x(i):.1f},{top + ph + 10}) rotate(40)" '
                   f'{FONT}>{escape(cat[:14])}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               'stroke="#888"/>')
    for k, (label, vs) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        out.append(f'<g class="series" data-series="{escape(label)}">')
        run: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(run) > 1:
                    out.append(_polyline(run, color))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
        if len(run) > 1:
            out.append(_polyline(run, color))
        for i, v in enumerate(vs):
            w = (whiskers or {}).get(label, [None] * len(vs))[i]
            if w is not None:
                out.append(f'<line class="whisker" x1="{x(i):.1f}" x2="{x(i):.1f}" '
                           f'y1="{y(w[0]):.1f}" y2="{y(w[1]):.1f}" stroke="{color}" '
                           'stroke-width="1.5" opacity="0.6"/>')
            if v is not None:
                out.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" '
                           f'fill="{color}"><title>{escape(label)} @ '
                           f'{escape(categories[i])}: {escape(y_label(v))}</title></circle>')
        out.append("</g>")
        ly = top + 12 + 16 * k
        out.append(f'<rect x="{left + pw + 12}" y="{ly - 9}" width="10" height="10" '
                   f'fill="{color}"/><text x="{left + pw + 26}" y="{ly}" {FONT}>'
                   f'{escape(label[:20])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _polyline(points: list[str], color: str) -> str:
    return (f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
            'stroke-width="2"/>')


def quartiles(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    """(min, q1, median, q3, max) with linear interpolation between order statistics."""
    s = sorted(values)

    def q(p: float) -> float:
        pos = p * (len(s) - 1)
        i = int(pos)
        return s[i] if i + 1 >= len(s) else s[i] + (s[i + 1] - s[i]) * (pos - i)
    return s[0], q(0.25), q(0.5), q(0.75), s[-1]


def box_chart(name: str, title: str, rows: Sequence[tuple[str, Sequence[float]]], *,
              unit: str = "s", width: int = 720) -> str:
    """One horizontal box (min, quartiles, max) per labelled distribution."""
    rows = [(label, vs) for label, vs in rows if vs]
    height = 50 + 26 * max(1, len(rows)) + 30
    left, right, top = 150, 40, 30
    pw = width - left - right
    values = [v for _, vs in rows for v in vs] or [0.0, 1.0]
    lo, hi = nice_range(values, floor=0.0)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * pw

    out = [f'<svg class="plot" data-plot="{escape(name)}" xmlns="http://www.w3.org/2000/svg" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
           f'<title>{escape(title)}</title>',
           f'<text x="{left}" y="16" {FONT} font-weight="bold">{escape(title)}</text>']
    axis_y = top + 26 * max(1, len(rows)) + 6
    for t in ticks(lo, hi):
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{axis_y}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{x(t):.1f}" y="{axis_y + 14}" text-anchor="middle" {FONT}>'
                   f'{escape(_fmt(t))} {escape(unit)}</text>')
    for k, (label, vs) in enumerate(rows):
        mn, q1, med, q3, mx = quartiles(vs)
        cy = top + 26 * k + 12
        color = PALETTE[k % len(PALETTE)]
        out.append(f'<g class="box" data-label="{escape(label)}" data-n="{len(vs)}">'
                   f'<title>{escape(label)}: n={len(vs)}, median {med:.3f} {escape(unit)}, '
                   f'min {mn:.3f}, max {mx:.3f}</title>')
        out.append(f'<text x="{left - 6}" y="{cy + 4}" text-anchor="end" {FONT}>'
                   f'{escape(label[:22])}</text>')
        out.append(f'<line x1="{x(mn):.1f}" x2="{x(mx):.1f}" y1="{cy}" y2="{cy}" '
                   f'stroke="{color}"/>')
        out.append(f'<rect x="{x(q1):.1f}" y="{cy - 8}" width="{max(1.0, x(q3) - x(q1)):.1f}" '
                   f'height="16" fill="{color}" fill-opacity="0.3" stroke="{color}"/>')
        out.append(f'<line x1="{x(med):.1f}" x2="{x(med):.1f}" y1="{cy - 8}" y2="{cy + 8}" '
                   f'stroke="{color}" stroke-width="2"/></g>')
    out.append("</svg>")
    return "\n".join(out)
