"""What keeps a spreadsheet cell safe and readable, for every file the tracker writes or reads.

A cell that begins like a formula (``= + - @``, a tab or a carriage return) would be
run by Excel or LibreOffice: exports put a quote in front (OWASP's advice on CSV
injection) and imports take it off again. A UTF-8 CSV starts with a byte-order mark,
or Excel reads its letters as Windows-1252.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def neutralise(value):
    """Prefix a cell a spreadsheet would run as a formula with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def restore(text):
    """``neutralise`` undone: the quote an export put before formula-like text is dropped."""
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_PREFIXES else text
