"""Server-rendered charts: the numbers an SVG template needs, no JavaScript."""

import collections
import datetime

from .dates import quarter_text

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


QUARTER_WIDTH = 10
COLUMN_HEIGHT = 120


def status_by_quarter(statuses, updates, today, list_url):
    """Stacked columns, one per quarter from the first dated update to ``today``'s: how many records stood
    in each of ``statuses`` (``[(value, label)]``) at the quarter's end, by their latest update then.
    ``updates`` are ``(record id, date, status)`` in date order; a record counts from its first update."""
    if not updates:
        return None
    first = updates[0][1]
    quarter = (first.year, (first.month - 1) // 3)
    last = (today.year, (today.month - 1) // 3)
    standing, columns, position = {}, [], 0
    while quarter <= last:
        year, index = quarter
        end = datetime.date(year + (index == 3), 1 if index == 3 else 3 * index + 4, 1)  # the next quarter's start
        while position < len(updates) and updates[position][1] < end:
            record, _, status = updates[position]
            standing[record] = status
            position += 1
        columns.append(((index + 1, year), collections.Counter(standing.values())))
        quarter = (year + (index == 3), (index + 1) % 4)
    largest = max(sum(counts.values()) for _, counts in columns) or 1
    drawn = []
    for number, ((quarter_number, year), counts) in enumerate(columns):
        y, bands = COLUMN_HEIGHT, []
        for value, status_label in statuses:
            if counts[value]:
                height = round(COLUMN_HEIGHT * counts[value] / largest, 1)
                y -= height
                bands.append(
                    {"status": value, "label": status_label, "count": counts[value], "y": round(y, 1), "height": height,
                     "url": f"{list_url}?status={value}"}
                )  # fmt: skip
        drawn.append(
            {
                "label": quarter_text(quarter_number, year),
                "year": year,
                "x": number * QUARTER_WIDTH,
                "bands": bands,
                "year_start": quarter_number == 1,
            }  # fmt: skip
        )
    return {
        "columns": drawn,
        "width": len(drawn) * QUARTER_WIDTH,
        "height": COLUMN_HEIGHT,
        "bar_width": QUARTER_WIDTH - 2,
        "first": quarter_text(*columns[0][0]),
        "last": quarter_text(*columns[-1][0]),
        "legend": [(value, label, columns[-1][1][value], f"{list_url}?status={value}") for value, label in statuses],
    }
