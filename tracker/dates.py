"""Dates as precise as the sources that give them.

Sources say "2006", "Q2 2026", "February 2023" or "25 September 2025". A
partial date is stored as a real ``DateField`` holding the first day of the
period plus a precision, so it sorts and filters like any date but is never
shown with a day or month the source did not give.
"""

import calendar
import dataclasses
import datetime
import functools
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Precision(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def quarter_text(quarter, year):
    """A quarter as the reader's language writes it: "Q2 2026", "2. kvartal 2026."."""
    return pgettext("a quarter of a year", "Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


@dataclasses.dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str = Precision.DAY

    def __str__(self):
        if self.precision == Precision.YEAR:
            return str(self.date.year)
        if self.precision == Precision.QUARTER:
            return quarter_text(self.quarter, self.date.year)
        month = MONTHS_3[self.date.month].title()  # what date_format's "M" gives, without its per-call overhead
        if self.precision == Precision.MONTH:
            return f"{month} {self.date.year}"
        return f"{self.date.day} {month} {self.date.year}"

    @property
    def quarter(self):
        return (self.date.month - 1) // 3 + 1

    @property
    def year(self):
        return self.date.year

    def isoformat(self):
        """The shortest ISO-like form: ``2006``, ``2026-Q2``, ``2023-02``, ``2025-09-25``."""
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.QUARTER:
            return f"{self.date.year:04d}-Q{self.quarter}"
        if self.precision == Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def html_datetime(self):
        """The value of an HTML ``<time datetime>``, which has no quarters: a quarter gives its year."""
        if self.precision == Precision.QUARTER:
            return f"{self.date.year:04d}"
        return self.isoformat()

    def validate(self):
        """Refuse a date that carries more detail than its precision claims."""
        month, day = self.date.month, self.date.day
        if self.precision == Precision.YEAR and (month, day) != (1, 1):
            raise ValidationError(_("A date with year precision must be stored as 1 January."))
        if self.precision == Precision.QUARTER and (month not in (1, 4, 7, 10) or day != 1):
            raise ValidationError(_("A date with quarter precision must be stored as the first day of the quarter."))
        if self.precision == Precision.MONTH and day != 1:
            raise ValidationError(_("A date with month precision must be stored as the first day of the month."))


def today():
    """The site's date: the day it is in Sarajevo (``TIME_ZONE``), whatever the server's clock zone."""
    return timezone.localdate()


def period_start(day, precision):
    """The first day of the year, quarter, month or day that holds ``day``."""
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.QUARTER:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


def ended_before(date_field, precision_field, day):
    """A condition on a partial date: its whole period ended before ``day`` ("Q1 2026" ends with 31 March
    2026, so it has ended before 1 April). A period ends before ``day`` when it starts before the period of
    the same precision that holds ``day``."""
    condition = Q(pk__in=[])
    for precision in Precision.values:
        condition |= Q(**{precision_field: precision, f"{date_field}__lt": period_start(day, precision)})
    return condition


#: Month names as the region writes them, each month's forms in one line: Bosnian and Serbian (Latin and
#: Cyrillic), Croatian, each as a name ("septembar") and as in a date ("25. septembra"), and abbreviations.
REGIONAL_MONTHS = [
    "januar januara jan siječanj siječnja sij јануар јануара јан",
    "februar februara feb veljača veljače velj фебруар фебруара феб",
    "mart marta mar ožujak ožujka ožu март марта мар",
    "april aprila apr travanj travnja tra април априла апр",
    "maj maja svibanj svibnja svi мај маја",
    "juni jun juna lipanj lipnja lip јун јуна",
    "juli jul jula srpanj srpnja srp јул јула",
    "august augusta avgust avgusta aug avg kolovoz kolovoza kol август августа авг",
    "septembar septembra sep sept rujan rujna ruj септембар септембра сеп",
    "oktobar oktobra okt listopad listopada lis октобар октобра окт",
    "novembar novembra nov studeni studenoga studenog stu новембар новембра нов",
    "decembar decembra dec prosinac prosinca pro децембар децембра дец",
]
MONTHS = (
    {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
    | {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
    | {name: number for number, names in enumerate(REGIONAL_MONTHS, 1) for name in names.split()}
)
NAME = r"(?P<month_name>[^\W\d_]+)"  # letters of any alphabet
QUARTER_WORD = r"(?:kvartal|tromjesečje|квартал)"
PATTERNS = [
    (Precision.YEAR, r"(?P<year>\d{4})\.?"),
    (Precision.QUARTER, r"(?P<year>\d{4})[- ]?Q(?P<quarter>[1-4])"),
    (Precision.QUARTER, r"Q(?P<quarter>[1-4])[- ](?P<year>\d{4})"),
    (Precision.QUARTER, rf"(?P<quarter>[1-4])\.? ?{QUARTER_WORD} (?P<year>\d{{4}})\.?"),  # "1. kvartal 2026"
    (Precision.MONTH, r"(?P<year>\d{4})-(?P<month>\d{1,2})"),
    (Precision.MONTH, r"(?P<month>\d{1,2})[/.] ?(?P<year>\d{4})\.?"),
    (Precision.MONTH, rf"{NAME}\.? (?P<year>\d{{4}})\.?"),
    (Precision.DAY, r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),
    (Precision.DAY, r"(?P<day>\d{1,2})[./] ?(?P<month>\d{1,2})[./] ?(?P<year>\d{4})\.?"),  # "25. 9. 2025."
    (Precision.DAY, rf"(?P<day>\d{{1,2}})\.? {NAME}\.? (?P<year>\d{{4}})\.?"),
    (Precision.DAY, rf"{NAME}\.? (?P<day>\d{{1,2}}),? (?P<year>\d{{4}})"),
]


@functools.lru_cache(maxsize=4096)
def parse_partial_date(text):
    """Read a date as people write it: "2006", "Q2 2026", "Feb 2023", "25 September 2025", "2025-09-25",
    and as the region writes it: "25.09.2025.", "25. 9. 2025.", "septembar 2025", "1. kvartal 2026".

    Raises ``ValueError`` with a message fit for the person who wrote it. Answers are remembered: the
    same few dates recur down a spreadsheet's column.
    """
    text = " ".join(str(text).split())
    for precision, pattern in PATTERNS:
        match = re.fullmatch(pattern, text, flags=re.IGNORECASE)
        if not match:
            continue
        parts = match.groupdict()
        month = int(parts.get("month") or 1)
        if parts.get("month_name"):
            month = MONTHS.get(parts["month_name"].lower())
            if month is None:
                raise ValueError(f"“{text}”: unknown month “{parts['month_name']}”.")
        if parts.get("quarter"):
            month = 3 * int(parts["quarter"]) - 2
        try:
            date = datetime.date(int(parts["year"]), month, int(parts.get("day") or 1))
        except ValueError:
            raise ValueError(f"“{text}” is not a real date.") from None
        return PartialDate(date, precision)
    raise ValueError(
        f"“{text}” is not a date this tracker can read: write 2006, Q2 2026, 2023-02, Feb 2023, "
        "2025-09-25, 25 September 2025, 25.09.2025. or 1. kvartal 2026."
    )


class PrecisionField(models.CharField):
    """The precision of the ``DateField`` named by ``date_field`` on the same model."""

    def __init__(self, *args, date_field, **kwargs):
        self.date_field = date_field
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("choices", Precision.choices)
        kwargs.setdefault("default", Precision.DAY)
        kwargs.setdefault("verbose_name", _("precision"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["date_field"] = self.date_field
        return name, path, args, kwargs


class PartialDateAttribute:
    """``instance.start`` → ``PartialDate(instance.start_date, instance.start_precision)`` or ``None``."""

    def __init__(self, date_field, precision_field):
        self.date_field = date_field
        self.precision_field = precision_field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.date_field)
        if value is None:
            return None
        return PartialDate(value, getattr(instance, self.precision_field))


def validate_partial_dates(instance):
    """Check every date/precision pair of ``instance``; errors are keyed by the date field."""
    errors = {}
    for field in instance._meta.fields:
        if isinstance(field, PrecisionField):
            value = getattr(instance, field.date_field)
            if value is None:
                continue
            try:
                PartialDate(value, getattr(instance, field.name)).validate()
            except ValidationError as error:
                errors[field.date_field] = error.messages
    if errors:
        raise ValidationError(errors)
