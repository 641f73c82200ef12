"""The Atom feed of ``/changes/``: each entry says what changed; opened in a browser it reads as a page
(an XSLT stylesheet the app serves turns it into HTML)."""

from django.contrib.syndication.views import Feed
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import changes

FEED_LENGTH = 30


class StyledAtomFeed(Atom1Feed):
    """Atom with an ``xml-stylesheet`` instruction, so a browser shows the feed as a readable page."""

    def write(self, outfile, encoding):
        outfile.write(f'<?xml version="1.0" encoding="{encoding}"?>\n')
        outfile.write(f'<?xml-stylesheet type="text/xsl" href="{static("feed.xsl")}"?>\n')
        super().write(NoDeclaration(outfile), encoding)


class NoDeclaration:
    """``outfile`` without the XML declaration the feed generator writes first (written above instead)."""

    def __init__(self, outfile):
        self.outfile, self.started = outfile, False

    def write(self, text):
        if not self.started and text.startswith(b"<?xml" if isinstance(text, bytes) else "<?xml"):
            self.started = True
            return
        self.started = True
        self.outfile.write(text)


class ChangesFeed(Feed):
    """What changed in published records, newest first, as on ``/changes/``."""

    feed_type = StyledAtomFeed
    title = _("NATO–Bosnia and Herzegovina Cooperation Tracker: what changed")
    subtitle = _("Published records, status updates with their evidence, and edits, newest first.")
    link = reverse_lazy("tracker:changes")

    def items(self):
        return changes.changes(list(changes.change_rows()[:FEED_LENGTH]))

    def item_title(self, change):
        return f"{str(change.kind_label).capitalize()}: {change.title}"

    def item_description(self, change):
        return changes.describe(change)

    def item_link(self, change):
        return change.url

    def item_guid(self, change):
        return f"{change.url}#change-{change.kind}-{change.history_id}"

    def item_updateddate(self, change):
        return change.date

    def item_pubdate(self, change):
        return change.date
