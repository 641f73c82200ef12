"""The benchmark's growth chart: a plain SVG drawn from the figures, no plotting library.

Both axes are logarithmic: the number of initiatives across, milliseconds up. Each
series is one line through its value at each scale, dashed or solid; a series of
the same group shares its colour, and the legend names each group once.
"""

import math
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]
FLOOR_COLOUR = "#999999"


def scale_label(scale):
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if scale % size == 0:
            return f"{scale // size}{suffix}"
    return f"{scale:,}"


def ms_label(value):
    return f"{value:g} ms" if value < 1000 else f"{value / 1000:g} s"


def decades(low, high):
    """Ticks at 1, 2 and 5 times each power of ten between ``low`` and ``high``."""
    ticks = []
    for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for step in (1, 2, 5):
            tick = step * 10**power
            if low <= tick <= high:
                ticks.append(tick)
    return ticks


def growth_svg(scales, series, title="", width=820, height=480):
    """``series``: ``(name, group, dashed, values)``, one value (ms) per scale, in the order of ``scales``.
    A group named "Floor" is drawn grey, as the reference line."""
    left, right, top, bottom = 70, 260, 40, 50
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [value for *_, row in series for value in row if value and value > 0]
    low, high = min(values) / 1.5, max(values) * 1.5
    x_low, x_high = min(scales) / 2, max(scales) * 2

    def x(scale):
        return left + plot_width * math.log(scale / x_low) / math.log(x_high / x_low)

    def y(value):
        return top + plot_height * (1 - math.log(value / low) / math.log(high / low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in decades(low, high):
        parts.append(f'<line x1="{left}" x2="{left + plot_width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     'stroke="#e5e5e5"/>')  # fmt: skip
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{ms_label(tick)}</text>')
    for scale in scales:
        parts.append(f'<line x1="{x(scale):.1f}" x2="{x(scale):.1f}" y1="{top}" y2="{top + plot_height}" '
                     'stroke="#e5e5e5"/>')  # fmt: skip
        parts.append(f'<text x="{x(scale):.1f}" y="{top + plot_height + 18}" text-anchor="middle">'
                     f"{scale_label(scale)}</text>")  # fmt: skip
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_width}" height="{plot_height}" fill="none" stroke="#333"/>')
    parts.append(f'<text x="{left + plot_width / 2}" y="{height - 10}" text-anchor="middle">'
                 "initiatives (log scale)</text>")  # fmt: skip
    parts.append(f'<text transform="translate(16 {top + plot_height / 2}) rotate(-90)" text-anchor="middle">'
                 "server time (log scale)</text>")  # fmt: skip
    groups = list(dict.fromkeys(group for _name, group, _dashed, _values in series))
    colours = {group: COLOURS[n % len(COLOURS)] for n, group in enumerate(g for g in groups if g != "Floor")}
    colours["Floor"] = FLOOR_COLOUR
    for name, group, dashed, row in series:
        points = [(x(scale), y(value)) for scale, value in zip(scales, row, strict=True) if value and value > 0]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        path = " ".join(f"{'M' if n == 0 else 'L'}{px:.1f},{py:.1f}" for n, (px, py) in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{colours[group]}" stroke-width="2"{dash}>'
                     f"<title>{escape(name)}</title></path>")  # fmt: skip
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colours[group]}"/>' for px, py in points]
    legend_x, legend_y = left + plot_width + 20, top + 10
    for n, group in enumerate(groups):
        row_y = legend_y + 20 * n
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{row_y}" y2="{row_y}" '
                     f'stroke="{colours[group]}" stroke-width="3"/>')  # fmt: skip
        parts.append(f'<text x="{legend_x + 30}" y="{row_y + 4}">{escape(group)}</text>')
    row_y = legend_y + 20 * len(groups) + 10
    parts.append(
        f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{row_y}" y2="{row_y}" stroke="#333" stroke-width="2"/>'
    )
    parts.append(f'<text x="{legend_x + 30}" y="{row_y + 4}">warm (median)</text>')
    parts.append(f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{row_y + 20}" y2="{row_y + 20}" stroke="#333" '
                 'stroke-width="2" stroke-dasharray="6 4"/>')  # fmt: skip
    parts.append(f'<text x="{legend_x + 30}" y="{row_y + 24}">cold (nothing remembered)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
