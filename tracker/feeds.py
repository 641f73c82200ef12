import itertools

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Challenge, Initiative, Recommendation, Visit

FEED_LENGTH = 30


class LatestRecordsFeed(Feed):
    """The most recently added or updated published records of every kind."""

    feed_type = Atom1Feed
    title = _("NATO–Bosnia and Herzegovina Cooperation Tracker: latest changes")
    subtitle = _("Initiatives, challenges, recommendations and visits, newest first.")
    link = reverse_lazy("tracker:home")

    def items(self):
        newest = (
            model.objects.published().order_by("-updated")[:FEED_LENGTH]
            for model in (Initiative, Challenge, Recommendation, Visit)
        )
        return sorted(itertools.chain.from_iterable(newest), key=lambda record: record.updated, reverse=True)[
            :FEED_LENGTH
        ]

    def item_title(self, item):
        return f"{item._meta.verbose_name.capitalize()}: {item.title}"

    def item_description(self, item):
        return item.summary

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.created
