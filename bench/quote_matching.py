"""How fast quotes are found in an archived text: ``.venv/bin/python bench/quote_matching.py``.

Locates every sentence of NATO's page (the fixtures' largest text) 10,000 times, normalises a
1.1 MB text once (what a long PDF costs when its source is saved), and finds the closest passage
of an invented quote (what a refused quote costs).
"""

import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker import quotes  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources.json"


def main():
    texts = {item["fields"]["slug"]: item["fields"]["text"] for item in json.loads(FIXTURE.read_text("utf-8"))}
    text = texts["nato-relations-with-bosnia-and-herzegovina"]
    sentences = [line for line in re.split(r"(?<=[.!?])\s+", text) if len(line) > 40]
    wanted = [sentences[n % len(sentences)] for n in range(10_000)]
    started = time.perf_counter()
    assert all(quotes.locate(quote, text) for quote in wanted)
    print(f"located: {len(wanted) / (time.perf_counter() - started):,.0f} quotes/s in a {len(text):,}-character text")
    started = time.perf_counter()
    quotes.normalise(text * 100)
    print(f"normalised a {len(text) * 100:,}-character text in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    quotes.closest_passage(
        "NATO promised Bosnia and Herzegovina full membership by 2027.", quotes.normalise(text), text
    )
    print(f"closest passage of a refused quote: {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
