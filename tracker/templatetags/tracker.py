"""Template helpers for the public pages."""

from django import template
from django.utils import timezone

from .. import structured_data

register = template.Library()


@register.filter
def checkbox_options(bound_field):
    """``(value, label, checked, id)`` for each choice of a multiple-choice filter.

    The same markup Django's ``CheckboxSelectMultiple`` gives, without rendering
    a widget template per choice (which made filter forms most of a page's cost).
    """
    selected = {str(value) for value in bound_field.value() or []}
    options = []
    for index, (value, label) in enumerate(bound_field.field.choices):
        value = str(value)
        options.append((value, label, value in selected, f"{bound_field.auto_id}_{index}"))
    return options


@register.filter
def html_datetime(moment):
    """A date and time as an HTML ``<time datetime>`` takes it: to the second (HTML allows at most three
    decimals, Python's ``isoformat`` gives six), in the site's time zone like the text beside it."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


@register.simple_tag(takes_context=True)
def json_ld(context, subject):
    """The page's schema.org description of ``subject`` (``tracker.structured_data``)."""
    return structured_data.json_ld(subject, context["request"])
