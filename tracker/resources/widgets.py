"""How one cell reads and writes: the widgets and fields the resources' columns are made of.

A related record is named by its natural key (a focus area as "Cyber defence",
organisations as a ``;``-separated list of names, records by slug), a choice by
its value or its label in any of the site's languages, a date with its precision
in one cell; a cell that names nothing known is an error that says which.
"""

import re

from django.conf import settings
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.functional import cached_property
from import_export.fields import Field
from import_export.widgets import CharWidget, DecimalWidget, ForeignKeyWidget, ManyToManyWidget, Widget

from ..dates import PartialDate, Precision, parse_partial_date

SEPARATOR = ";"


def lookup_ignoring_case(model, field, values):
    """``{lowercased value: object}`` for the objects of ``model`` whose ``field`` is among ``values``."""
    lowered = {str(value).lower() for value in values}
    objects = model.objects.annotate(_key=Lower(field)).filter(_key__in=lowered)
    return {getattr(obj, field).lower(): obj for obj in objects}


def split_names(cell):
    """The names in a cell holding one or several ``;``-separated names, in order."""
    return [name.strip() for name in str(cell or "").split(SEPARATOR) if name.strip()]


def names_in(dataset, column):
    """Every name a column gives."""
    return {name for cell in dataset[column] for name in split_names(cell)}


def split_lines(cell):
    """The non-empty lines of a cell, trimmed."""
    return [line.strip() for line in str(cell or "").splitlines() if line.strip()]


def describe(values):
    return ", ".join(f"“{value}”" for value in values)


class CachedLookupMixin:
    """Related records looked up once per import (``preload``) rather than once per row.

    ``pending`` holds records created earlier in the same import and not saved
    yet, so a row can refer to one (an initiative "part of" another in the file).
    """

    cache = None

    def preload(self, values):
        self.cache = lookup_ignoring_case(self.model, self.field, values)
        self.pending = {}

    def find(self, values):
        """``{lowercased value: record}`` for those of ``values`` that name a record."""
        if self.cache is None:
            return lookup_ignoring_case(self.model, self.field, values)
        missing = [value for value in values if value.lower() not in self.cache and value.lower() not in self.pending]
        if missing:
            self.cache.update(lookup_ignoring_case(self.model, self.field, missing))
        found = {}
        for value in values:
            key = value.lower()
            record = self.cache.get(key) or self.pending.get(key)
            if record is not None:
                found[key] = record
        return found


class NaturalKeyWidget(CachedLookupMixin, ForeignKeyWidget):
    """One related record by name or slug; an unknown one is an error that names it."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        found = self.find([value]).get(value.lower())
        if found is None:
            raise ValueError(f"unknown {self.model._meta.verbose_name} {describe([value])}")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class NaturalKeyListWidget(CachedLookupMixin, ManyToManyWidget):
    """``"Cyber defence; Crisis management"``: every name must exist, or the row fails naming the unknown ones.

    (django-import-export's own widget silently drops names it does not know.)
    """

    def __init__(self, model, field="name"):
        super().__init__(model, separator=SEPARATOR, field=field)

    def clean(self, value, row=None, **kwargs):
        names = list(dict.fromkeys(split_names(value)))
        if not names:
            return []
        found = self.find(names)
        unknown = [name for name in names if name.lower() not in found]
        if unknown:
            raise ValueError(f"unknown {self.model._meta.verbose_name_plural} {describe(unknown)}")
        return [found[name.lower()] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        items = value if isinstance(value, list) else value.all()
        return f"{SEPARATOR} ".join(sorted(getattr(item, self.field) for item in items))


class ManyField(Field):
    """A many-to-many column whose value, before a bulk save, is the one the row set (see ``RecordResource``)."""

    def get_value(self, instance):
        pending = getattr(instance, "pending_m2m", {})
        return pending[self.attribute] if self.attribute in pending else super().get_value(instance)


class ChoiceWidget(Widget):
    """A choice by its stored value ("in_progress") or its label in any of the site's languages
    ("In progress", "U toku"); exported as the label in the active language, so a file exported
    in Bosnian imports again."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.labels_by_language = {}

    @cached_property
    def by_text(self):
        """Every accepted spelling, lowercased (read on first use: labels are translated then, not at import)."""
        by_text = {str(value).lower(): value for value, _label in self.choices}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                by_text.update({str(label).lower(): value for value, label in self.choices})
        return by_text

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        try:
            return self.by_text[text.lower()]
        except KeyError:
            raise ValueError(
                f"{describe([text])} is not one of {describe(label for _, label in self.choices)}"
            ) from None

    def render(self, value, obj=None, **kwargs):
        return self.labels().get(value, value or "")

    def labels(self):
        """``{value: label}`` in the active language, made once per language."""
        language = translation.get_language()
        if language not in self.labels_by_language:
            self.labels_by_language[language] = {value: str(label) for value, label in self.choices}
        return self.labels_by_language[language]


class StatusWidget(Widget):
    """A status among those of the row's kind of record (the one of Initiative, Challenge or Recommendation
    that is filled in), by value or by label in any of the site's languages."""

    def __init__(self, kinds, **kwargs):
        super().__init__(**kwargs)
        self.widgets = {column: ChoiceWidget(model.Status.choices) for column, model in kinds.items()}

    def clean(self, value, row=None, **kwargs):
        column = next((column for column in self.widgets if (row or {}).get(column)), None)
        if column is None:
            return str(value or "").strip()  # the model's check names the missing record
        return self.widgets[column].clean(value, row)


class YesNoWidget(Widget):
    TRUE = {"yes", "y", "true", "1", "da"}
    FALSE = {"no", "n", "false", "0", "ne", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"{describe([value])} is not yes or no")

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class PartialDateWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        if hasattr(value, "year") and hasattr(value, "month"):  # a date cell from a spreadsheet
            return PartialDate(value if not hasattr(value, "date") else value.date(), Precision.DAY)
        text = str(value or "").strip()
        return parse_partial_date(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class PartialDateField(Field):
    """One column for a date and its precision: "2006", "2026-Q2", "2023-02", "2025-09-25"."""

    def __init__(self, date_field, precision_field, column_name):
        super().__init__(attribute=date_field, column_name=column_name, widget=PartialDateWidget())
        self.precision_field = precision_field

    def get_value(self, instance):
        value = getattr(instance, self.attribute)
        return PartialDate(value, getattr(instance, self.precision_field)) if value else None

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = self.clean(row, **kwargs)
        setattr(instance, self.attribute, value.date if value else None)
        setattr(instance, self.precision_field, value.precision if value else Precision.DAY)


class NumberWidget(DecimalWidget):
    """An amount as English or the region writes it: "500000", "500,000.00", "500.000,00", "500 000,00"."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(plain_number(value), row=row, **kwargs)
        except (ArithmeticError, ValueError):
            raise ValueError(f"{describe([value])} is not a number") from None


THOUSANDS = {",": re.compile(r"-?\d{1,3}(,\d{3})+"), ".": re.compile(r"-?\d{1,3}(\.\d{3})+")}


def plain_number(value):
    """``value`` with a point for decimals and no thousands separators. Where both a comma and a point
    appear, the last one is the decimal mark; a lone mark followed by groups of three digits separates
    thousands ("500.000", "1,500,000"), any other is the decimal mark ("2,5")."""
    if not isinstance(value, str):
        return value
    text = "".join(value.split())  # ``split()`` also takes out non-breaking spaces
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        return text.replace("." if decimal == "," else ",", "").replace(",", ".")
    for mark in (",", "."):
        if mark in text:
            return text.replace(mark, "") if THOUSANDS[mark].fullmatch(text) else text.replace(",", ".")
    return text


# Column factories, each taking the column's header first, then the model attribute it fills (the order of
# ``tracker.exports``' column helpers).


def text_field(header, attribute):
    return Field(attribute=attribute, column_name=header, widget=CharWidget(allow_blank=True))


def choice_field(header, attribute, choices):
    return Field(attribute=attribute, column_name=header, widget=ChoiceWidget(choices))


def one_field(header, attribute, model, key="name"):
    """One related record, named by its ``key`` (name or slug)."""
    return Field(attribute=attribute, column_name=header, widget=NaturalKeyWidget(model, field=key))


def many_field(header, attribute, model, key="name"):
    """Related records, named by their ``key`` (name or slug) and separated by ``;``."""
    return ManyField(attribute=attribute, column_name=header, widget=NaturalKeyListWidget(model, field=key))


def yes_no_field(header, attribute):
    return Field(attribute=attribute, column_name=header, widget=YesNoWidget())


def number_field(header, attribute):
    return Field(attribute=attribute, column_name=header, widget=NumberWidget())


def partial_date_field(header, date_field, precision_field):
    return PartialDateField(date_field, precision_field, column_name=header)


def custom_field(header):
    """A column with no attribute of its own: the resource writes it (``dehydrate_<name>``) and reads it."""
    return Field(column_name=header, readonly=True)


def status_field(header, attribute, kinds):
    """A status among those of the row's kind of record, ``kinds`` naming each kind's column."""
    return Field(attribute=attribute, column_name=header, widget=StatusWidget(kinds))
