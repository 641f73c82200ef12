"""Server-rendered charts: the numbers an SVG template needs, no JavaScript."""

import collections
import datetime

from django.utils.html import escape
from django.utils.safestring import mark_safe

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
    return status_chart(statuses, standing_by_quarter(updates, today), list_url)


def quarter_of(day):
    return (day.year, (day.month - 1) // 3)


def quarter_end(quarter):
    """The first day of the quarter after ``(year, index)``."""
    year, index = quarter
    return datetime.date(year + (index == 3), 1 if index == 3 else 3 * index + 4, 1)


def next_quarter(quarter):
    year, index = quarter
    return (year + (index == 3), (index + 1) % 4)


def standing_by_quarter(updates, today):
    """``[((quarter number, year), Counter of statuses)]`` from the first update's quarter to ``today``'s, or
    ``None`` without updates (see ``status_by_quarter``)."""
    if not updates:
        return None
    quarter, last = quarter_of(updates[0][1]), quarter_of(today)
    standing, columns, position = {}, [], 0
    while quarter <= last:
        end = quarter_end(quarter)
        while position < len(updates) and updates[position][1] < end:
            record, _, status = updates[position]
            standing[record] = status
            position += 1
        columns.append(((quarter[1] + 1, quarter[0]), collections.Counter(standing.values())))
        quarter = next_quarter(quarter)
    return columns


def standing_from_changes(changes, today):
    """The columns of ``standing_by_quarter`` from ``[(quarter's first day, status, net change)]`` in
    quarter order, as PostgreSQL keeps them (``tracker.summaries``): a quarter's counts are the sums of the
    changes up to it."""
    if not changes:
        return None
    quarter, last = quarter_of(changes[0][0]), quarter_of(today)
    counts, columns, position = collections.Counter(), [], 0
    while quarter <= last:
        while position < len(changes) and quarter_of(changes[position][0]) <= quarter:
            _day, status, change = changes[position]
            counts[status] += change
            position += 1
        columns.append(((quarter[1] + 1, quarter[0]), collections.Counter({s: n for s, n in counts.items() if n})))
        quarter = next_quarter(quarter)
    return columns


def status_chart(statuses, columns, list_url):
    """The chart of ``status_by_quarter`` from its columns (``None`` draws nothing)."""
    if columns is None:
        return None
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
        "markup": columns_markup(drawn, COLUMN_HEIGHT, QUARTER_WIDTH - 2),
        "width": len(drawn) * QUARTER_WIDTH,
        "height": COLUMN_HEIGHT,
        "bar_width": QUARTER_WIDTH - 2,
        "first": quarter_text(*columns[0][0]),
        "last": quarter_text(*columns[-1][0]),
        "legend": [(value, label, columns[-1][1][value], f"{list_url}?status={value}") for value, label in statuses],
    }


def columns_markup(columns, height, bar_width):
    """The SVG of the columns: a linked rectangle per band, a year under each year's first quarter.

    Written here rather than in the template: a chart of 20 years has some 500 bands, and rendering their
    5,000 template variables took most of the home page's first request. For the same reason it replaces
    ``format_html``, which escaped (and translated) every label again for every band: each status's label
    and link and each quarter's label is escaped once; the rest are numbers."""
    statuses = {}  # status: its label, link and class name, escaped
    parts = []
    for column in columns:
        quarter, x, bands = escape(column["label"]), column["x"], []
        for band in column["bands"]:
            if band["status"] not in statuses:
                statuses[band["status"]] = (escape(str(band["label"])), escape(band["url"]), escape(band["status"]))
            label, url, status = statuses[band["status"]]  # str(): escape() of a lazy label stays lazy
            described = f"{quarter}: {label}, {band['count']}"
            bands.append(
                f'<a href="{url}" aria-label="{described}"><rect x="{x}" y="{band["y"]}" width="{bar_width}" '
                f'height="{band["height"]}" class="band band-{status}"><title>{described}</title>'
                "</rect></a>"
            )
        parts.append("".join(bands))
        if column["year_start"]:
            parts.append(f'<text x="{x}" y="{height + 14}" class="chart-axis">{column["year"]}</text>')
    return mark_safe("\n".join(parts))  # noqa: S308 -- every text in it escaped above
