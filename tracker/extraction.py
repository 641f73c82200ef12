"""The text of an uploaded source document: plain text, HTML or PDF.

HTML is read by a real parser (BeautifulSoup over Python's ``html.parser``):
scripts, styles and other non-content elements are dropped, and every block
element and table cell starts a new line, so the text reads as the page did.
PDF text comes from pypdf, page by page. Plain text is kept exactly as it is.
"""

import dataclasses
import io
import re

from bs4 import BeautifulSoup
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

PDF, HTML, TEXT = "application/pdf", "text/html", "text/plain"
DROPPED = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]
BLOCKS = [
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
]  # fmt: skip


class ExtractionError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Extracted:
    text: str
    content_type: str


def content_type_of(data, name):
    """What an upload is, by its first bytes, then by its name."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF-"):
        return PDF
    if head.startswith((b"<!doctype html", b"<html")) or name.lower().endswith((".html", ".htm")):
        return HTML
    if name.lower().endswith((".txt", ".text")) or "." not in name:
        return TEXT
    raise ExtractionError(_("“%(name)s” is not a plain text, HTML or PDF file.") % {"name": name})


def decode(data):
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractionError(_("The file is not UTF-8 text: save it as UTF-8 and upload it again."))


def html_text(markup):
    soup = BeautifulSoup(markup, "html.parser")
    for element in soup(DROPPED):
        element.decompose()
    for element in soup(BLOCKS):
        element.insert_before("\n")
        element.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def pdf_text(data):
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError(_("The PDF is encrypted: upload a copy without a password."))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ExtractionError(_("The PDF could not be read (%(error)s).") % {"error": type(error).__name__}) from None
    return re.sub(r"\n{3,}", "\n\n", "\n\n".join(page.strip() for page in pages)).strip()


def extract(data, name):
    """The text of the file ``name`` holding ``data``, and what kind of file it is."""
    if not data:
        raise ExtractionError(_("The file is empty."))
    content_type = content_type_of(data, name)
    if content_type == PDF:
        text = pdf_text(data)
    elif content_type == HTML:
        text = html_text(decode(data))
    else:
        text = decode(data)
    if not text.strip():
        raise ExtractionError(
            _("No text could be read from “%(name)s” (a scanned PDF has none): paste the text instead.")
            % {"name": name}
        )
    return Extracted(text, content_type)
