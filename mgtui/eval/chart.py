"""The report chart, drawn by hand: `report.svg` (accuracy bars with 95 % whiskers, cost on
a second axis) and the same data as text lines for the terminal and the app.

When a price is unknown (local models) the second axis shows tokens instead, and says so.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from mgtui.eval.summary import EvalSummary, SystemStats

W, H = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 90, 50, 80
BAR = "#4c78a8"
BEST = "#f58518"
WHISKER = "#222222"
SECOND = "#54a24b"


def second_axis(summary: EvalSummary) -> tuple[str, list[float]]:
    """('cost (USD)', costs) when every price is known, else ('tokens', token counts)."""
    systems = summary.systems()
    if systems and all(s.cost is not None for s in systems):
        return "cost (USD)", [float(s.cost or 0.0) for s in systems]
    return "tokens (cost unknown)", [float(s.tokens) for s in systems]


def nice_max(value: float) -> float:
    """A round axis top at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _number(value: float, money: bool = False) -> str:
    if money:
        return f"${value:.3g}" if value else "$0"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def svg(summary: EvalSummary) -> str:
    systems = summary.systems()
    label, values = second_axis(summary)
    top = nice_max(max(values, default=0.0))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(systems))
    money = label.startswith("cost")

    def y(fraction: float) -> float:
        return TOP + plot_h * (1 - fraction)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="#ffffff"/>',
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">'
        f'{escape(f"mgtui eval: {summary.suite} ({summary.n} questions, {summary.score})")}</text>',
    ]
    for tick in range(5):  # left axis: accuracy; right axis: cost or tokens
        f = tick / 4
        out.append(f'<line x1="{LEFT}" y1="{y(f):.1f}" x2="{W - RIGHT}" y2="{y(f):.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y(f) + 4:.1f}" text-anchor="end">{100 * f:.0f}%</text>')
        out.append(f'<text x="{W - RIGHT + 8}" y="{y(f) + 4:.1f}" fill="{SECOND}">{escape(_number(top * f, money))}</text>')
    out.append(f'<text transform="translate(18 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">accuracy (95% Wilson interval)</text>')
    out.append(f'<text transform="translate({W - 14} {TOP + plot_h / 2}) rotate(90)" text-anchor="middle" fill="{SECOND}">{escape(label)}</text>')
    points = []
    for i, (s, value) in enumerate(zip(systems, values, strict=True)):
        cx = LEFT + slot * (i + 0.5)
        out += _bar(s, cx, slot * 0.5, y, best=s.name == summary.best_single and s.kind == "single")
        points.append((cx, y(value / top)))
        out.append(f'<text x="{cx:.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{escape(s.name)}</text>')
    for (x, py), value in zip(points, values, strict=True):  # categories: dots, no connecting line
        out.append(f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" fill="{SECOND}"/>')
        out.append(f'<text x="{x + 7:.1f}" y="{py - 6:.1f}" fill="{SECOND}" font-size="10">{escape(_number(value, money))}</text>')
    out.append(f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{W - RIGHT}" y2="{y(0):.1f}" stroke="#888888"/>')
    out.append(f'<text x="{LEFT}" y="{H - 20}" font-size="11" fill="#555555">bars: accuracy with 95% interval · '
               f'<tspan fill="{BEST}">orange</tspan>: best member alone · <tspan fill="{SECOND}">dots</tspan>: {escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _bar(s: SystemStats, cx: float, width: float, y, best: bool) -> list[str]:  # type: ignore[no-untyped-def]
    if s.accuracy is None:
        return []
    parts = [f'<rect x="{cx - width / 2:.1f}" y="{y(s.accuracy):.1f}" width="{width:.1f}" height="{y(0) - y(s.accuracy):.1f}" '
             f'fill="{BEST if best else BAR}"><title>{escape(s.name)}: {100 * s.accuracy:.1f}%</title></rect>']
    low, high = s.interval or (s.accuracy, s.accuracy)
    cap = width / 4
    parts.append(f'<line x1="{cx:.1f}" y1="{y(low):.1f}" x2="{cx:.1f}" y2="{y(high):.1f}" stroke="{WHISKER}" stroke-width="1.5"/>')
    for edge in (low, high):
        parts.append(f'<line x1="{cx - cap:.1f}" y1="{y(edge):.1f}" x2="{cx + cap:.1f}" y2="{y(edge):.1f}" stroke="{WHISKER}" stroke-width="1.5"/>')
    parts.append(f'<text x="{cx + cap + 3:.1f}" y="{y(high) - 4:.1f}" font-size="11">{100 * s.accuracy:.0f}%</text>')
    return parts


def text_chart(summary: EvalSummary, width: int = 40) -> str:
    """Per system a bar (accuracy) with its interval beneath (├──┤), then the second axis."""
    systems = summary.systems()
    label, values = second_axis(summary)
    top = max(values, default=0.0) or 1.0
    name_w = max((len(s.name) for s in systems), default=4) + 2
    money = label.startswith("cost")
    lines = [f"{'':{name_w}}0%{'':{width - 6}}100%   {label}"]
    for s, value in zip(systems, values, strict=True):
        mark = "*" if s.name == summary.best_single and s.kind == "single" else " "
        if s.accuracy is None:
            lines.append(f"{s.name + mark:{name_w}}(no answers)")
            continue
        filled = round(s.accuracy * width)
        side = "▇" * max(0, round(value / top * 12))
        lines.append(f"{s.name + mark:{name_w}}{'█' * filled}{'░' * (width - filled)} {100 * s.accuracy:5.1f}%  {side} {_number(value, money)}")
        low, high = s.interval or (s.accuracy, s.accuracy)
        a, b = round(low * (width - 1)), round(high * (width - 1))
        whisker = [" "] * width
        for i in range(a, b + 1):
            whisker[i] = "─"
        whisker[a], whisker[b] = ("├", "┤") if b > a else ("│", "│")
        lines.append(f"{'':{name_w}}{''.join(whisker)} {100 * low:.0f}–{100 * high:.0f}%")
    return "\n".join(lines)
