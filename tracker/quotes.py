"""Finding a quote in its source's archived text.

A quote matches when it occurs in the text once both are read the same way,
ignoring only what does not change meaning: runs of whitespace and line breaks,
straight or typographic quotes and apostrophes, hyphens and dashes, non-breaking
and other special spaces, invisible characters (soft hyphens, zero-width spaces),
"…" for "...", and a table's cell boundaries (a quote writes a table row as
"cell | cell | cell"; the text may separate cells by a line break or by nothing).
Letters, case, digits and every other mark must be as in the text.
"""

import array
import dataclasses
import functools
import re

from rapidfuzz import fuzz

EQUIVALENTS = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
}
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
CELL_BOUNDARY = re.compile(r" ?\| ?")
#: Below this similarity (0–100) a passage is not offered as what the quote meant.
SIMILAR_ENOUGH = 60
#: How many characters of context around the closest passage an error message shows at most.
PASSAGE_SLACK = 40


@dataclasses.dataclass(frozen=True)
class Normalised:
    """A text read as matching reads it, with the position in the original of each of its characters."""

    text: str
    origin: array.array

    def span_in_original(self, start, end):
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text):
    chars, origin = [], array.array("L")
    space_at = None
    for position, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char.isspace():
            if space_at is None and chars:
                space_at = position
            continue
        if space_at is not None:
            chars.append(" ")
            origin.append(space_at)
            space_at = None
        for equivalent in EQUIVALENTS.get(char, char):
            chars.append(equivalent)
            origin.append(position)
    return Normalised("".join(chars), origin)


@functools.lru_cache(maxsize=8)
def normalised_text(text):
    """``normalise`` for a source's text, remembered: it is read for each of its quotes. (Quotes are not
    remembered here, or a file's quotes would push its sources' texts out.)"""
    return normalise(text)


def pattern(quote):
    """A regular expression over normalised text for ``quote``; its cells may be separated by a space or nothing."""
    cells = CELL_BOUNDARY.split(normalise(quote).text)
    return re.compile(r"(?: ?\| ?| ?)".join(re.escape(cell) for cell in cells))


def locate(quote, text, near=None):
    """``(start, end)`` of ``quote`` in ``text`` (offsets into ``text`` as given), or ``None``.

    ``text`` may be a ``Normalised`` already. Where the quote occurs more than once, the
    occurrence nearest ``near`` (an earlier start) is taken, else the first.
    """
    normalised = text if isinstance(text, Normalised) else normalised_text(text)
    if not quote.strip():
        return None
    spans = [normalised.span_in_original(*match.span()) for match in pattern(quote).finditer(normalised.text)]
    if not spans:
        return None
    if near is None:
        return spans[0]
    return min(spans, key=lambda span: abs(span[0] - near))


@dataclasses.dataclass(frozen=True)
class Passage:
    """The passage of a text most like a quote, for telling staff what the source really says."""

    text: str
    similarity: int  # 0–100


def closest_passage(quote, text, original):
    """The passage of ``original`` (whose ``Normalised`` is ``text``) most like ``quote``, widened to whole words."""
    wanted = normalise(quote).text
    if not wanted or not text.text:
        return None
    alignment = fuzz.partial_ratio_alignment(wanted, text.text)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    start, end = text.span_in_original(alignment.dest_start, alignment.dest_end)
    limit = len(quote) + PASSAGE_SLACK
    while start > 0 and not original[start - 1].isspace() and end - start < limit:
        start -= 1
    while end < len(original) and not original[end].isspace() and end - start < limit:
        end += 1
    return Passage(" ".join(original[start:end].split()), round(alignment.score))
