"""What a public page says about its subject to machines: schema.org JSON-LD, built from what the page shows.

Visits are ``Event``s, initiatives ``Project``s, challenges and recommendations ``CreativeWork``s of their
genre, and sources ``Article``s (news and analysis) or ``WebPage``s (official and unverified pages), each
naming the sources it cites.
"""

import json

from django.utils.safestring import mark_safe

from .models import Challenge, Initiative, Recommendation, Source, Visit

# What a JSON text inside <script> must not contain literally (as django.utils.html.json_script escapes).
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def date(partial_date):
    return partial_date.html_datetime() if partial_date else None


def source_data(source, url):
    kind = "Article" if source.kind in (Source.Kind.NEWS, Source.Kind.ANALYSIS) else "WebPage"
    return {
        "@type": kind,
        "name": source.title,
        "url": url,
        "sameAs": source.url or None,
        "publisher": {"@type": "Organization", "name": source.publisher} if source.publisher else None,
        "author": {"@type": "Person", "name": source.author} if source.author else None,
        "datePublished": date(source.publication),
    }


def record_data(record, build_url):
    if isinstance(record, Visit):
        kind = {
            "@type": "Event",
            "startDate": date(record.when),
            "location": {"@type": "Place", "name": record.place} if record.place else None,
            "organizer": {"@type": "Organization", "name": str(record.visitor_organisation)}
            if record.visitor_organisation
            else None,
            "about": record.topic_list,
        }
    elif isinstance(record, Initiative):
        kind = {
            "@type": "Project",
            "alternateName": record.short_name or None,
            "foundingDate": date(record.start),
            "dissolutionDate": date(record.end),
        }
    else:
        kind = {
            "@type": "CreativeWork",
            "genre": {Challenge: "Challenge", Recommendation: "Recommendation"}[record._meta.model],
        }
    sources = {citation.source_id: citation.source for citation in record.citations.all()}.values()
    return {
        **kind,
        "name": record.title,
        "description": record.summary or record.description or None,
        "url": build_url(record.get_absolute_url()),
        "dateModified": record.updated.isoformat(timespec="seconds"),
        "keywords": [area.name for area in record.focus_areas.all()],
        "citation": [source_data(source, build_url(source.get_absolute_url())) for source in sources],
    }


def without_empty(value):
    """``value`` without the keys of nothing (``None``, ``[]``), at every depth."""
    if isinstance(value, dict):
        return {key: without_empty(item) for key, item in value.items() if item not in (None, [])}
    if isinstance(value, list):
        return [without_empty(item) for item in value]
    return value


def json_ld(subject, request):
    """The ``<script type="application/ld+json">`` element describing ``subject`` (a record or a source)."""
    if isinstance(subject, Source):
        data = source_data(subject, request.build_absolute_uri(subject.get_absolute_url()))
    else:
        data = record_data(subject, request.build_absolute_uri)
    data = {"@context": "https://schema.org", **without_empty(data)}
    text = json.dumps(data, ensure_ascii=False, default=str).translate(SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above
