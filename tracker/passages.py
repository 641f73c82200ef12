"""A source's archived text as the public reads it: paragraphs, with the passages records cite marked."""

import dataclasses
import itertools


@dataclasses.dataclass
class Segment:
    """A run of text within one paragraph, cited by the same citations throughout."""

    text: str
    cited_by: list  # the citations whose passage covers it
    starting: list  # the citations whose passage starts here (their anchors go before it)
    ending: list  # the citations whose passage ends here (their links go after it)


def paragraphs(text, citations):
    """``[[Segment, …], …]``: a paragraph for each non-empty line of ``text``, cut wherever a cited
    passage (``citation.start``–``citation.end``) begins or ends. Citations without offsets are left out."""
    located = sorted((c for c in citations if c.start is not None), key=lambda c: (c.start, c.end, c.pk))
    cuts = sorted({offset for c in located for offset in (c.start, c.end)})
    result, position = [], 0
    for line in text.splitlines(keepends=True):
        line_start, line_end = position, position + len(line.rstrip("\r\n"))
        position += len(line)
        if not line.strip():
            continue
        points = [line_start, *(cut for cut in cuts if line_start < cut < line_end), line_end]
        segments = []
        for start, end in itertools.pairwise(points):
            covering = [c for c in located if c.start < end and c.end > start]
            segments.append(
                Segment(
                    text=text[start:end],
                    cited_by=covering,
                    starting=[c for c in covering if c.start >= start],
                    ending=[c for c in covering if c.end <= end],
                )
            )
        result.append(segments)
    return result
