"""Template helpers for the public pages."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from .. import structured_data

register = template.Library()


@register.simple_tag
def checkboxes(bound_field):
    """The checkboxes of a multiple-choice filter, one ``div.choice`` each with its label.

    The inputs Django's ``CheckboxSelectMultiple`` gives, written here because a widget template per
    choice (and then a template loop over them) made the filter form most of a cold page's cost. A model
    field's terms are read in one query, where its choice iterator opens a server-side cursor (three round
    trips on PostgreSQL).
    """
    field = bound_field.field
    if hasattr(field, "queryset"):
        choices = [(field.prepare_value(term), field.label_from_instance(term)) for term in field.queryset]
    else:
        choices = field.choices
    selected = {str(value) for value in bound_field.value() or []}

    def options():
        for index, (value, label) in enumerate(choices):
            input_id = f"{bound_field.auto_id}_{index}"
            yield bound_field.html_name, value, input_id, CHECKED if str(value) in selected else "", input_id, label

    return format_html_join(
        "",
        '<div class="choice"><input type="checkbox" name="{}" value="{}" id="{}"{}> <label for="{}">{}</label></div>',
        options(),
    )


CHECKED = mark_safe(" checked")


@register.filter
def html_datetime(moment):
    """A date and time as an HTML ``<time datetime>`` takes it: to the second (HTML allows at most three
    decimals, Python's ``isoformat`` gives six), in the site's time zone like the text beside it."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


@register.simple_tag(takes_context=True)
def json_ld(context, subject):
    """The page's schema.org description of ``subject`` (``tracker.structured_data``)."""
    return structured_data.json_ld(subject, context["request"])


# A list renders these once or twice a row; as template includes they were most of a cold list's
# rendering time (a new context and a template per call), so the markup is written here, once.


@register.simple_tag
def time_of(date, empty="—"):
    """A partial date (``tracker.dates.PartialDate``) as ``<time>``, or ``empty`` when there is none."""
    if not date:
        return empty
    return format_html('<time datetime="{}">{}</time>', date.html_datetime(), date)


@register.simple_tag
def tag_list(tags):
    """Linked names (focus areas, organisations) as a list of tags; nothing when there are none."""
    items = format_html_join("", '<li><a href="{}">{}</a></li>', ((tag.get_absolute_url(), tag.name) for tag in tags))
    return format_html('<ul class="tags">{}</ul>', items) if items else ""


@register.simple_tag
def evidence_badge(record):
    """A badge on a record that no checkable citation supports."""
    if record.has_verified_evidence:
        return ""
    return format_html(
        ' <span class="badge badge-unverifiable" title="{}">{}</span>',
        gettext(
            "Supported only by citations that cannot be checked against an archived text, "
            "or only by unverified sources."
        ),
        gettext("Unverified evidence"),
    )


DEADLINE_BADGES = {
    "overdue": ("badge-overdue", gettext_lazy("Overdue")),
    "due_soon": ("badge-due-soon", gettext_lazy("Due soon")),
}


@register.simple_tag
def deadline_badge(record):
    """A badge on a record whose end or target date has passed, or is near, while it is still open (a
    challenge or a visit has no deadline)."""
    badge = DEADLINE_BADGES.get(getattr(record, "deadline", None))
    return format_html(' <span class="badge {}">{}</span>', *badge) if badge else ""
