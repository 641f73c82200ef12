"""Server-rendered charts: the numbers an SVG template needs, no JavaScript."""

BAR_HEIGHT = 28
LABEL_WIDTH = 140
BAR_AREA = 220


def bar_chart(items):
    """Horizontal bars for ``[(label, count, url)]``, scaled to the largest count."""
    largest = max((count for _, count, _ in items), default=0) or 1
    bars = [
        {
            "label": label,
            "count": count,
            "url": url,
            "y": index * BAR_HEIGHT,
            "width": round(BAR_AREA * count / largest),
        }
        for index, (label, count, url) in enumerate(items)
    ]
    return {
        "bars": bars,
        "height": len(bars) * BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
        "width": LABEL_WIDTH + BAR_AREA + 40,
    }
