import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tracker.dates import PartialDate


@pytest.mark.parametrize(
    ("date", "precision", "shown", "iso"),
    [
        (datetime.date(2006, 1, 1), "year", "2006", "2006"),
        (datetime.date(2026, 4, 1), "quarter", "Q2 2026", "2026-Q2"),
        (datetime.date(2023, 2, 1), "month", "Feb 2023", "2023-02"),
        (datetime.date(2025, 9, 25), "day", "25 Sep 2025", "2025-09-25"),
    ],
)
def test_a_partial_date_is_shown_as_precisely_as_the_source_gives_it(date, precision, shown, iso):
    with translation.override("en"):
        assert str(PartialDate(date, precision)) == shown
    assert PartialDate(date, precision).isoformat() == iso


def test_a_quarter_is_given_to_html_as_its_year_which_html_time_can_express():
    assert PartialDate(datetime.date(2026, 4, 1), "quarter").html_datetime() == "2026"
    assert PartialDate(datetime.date(2023, 2, 1), "month").html_datetime() == "2023-02"


@pytest.mark.parametrize(
    ("date", "precision"),
    [
        (datetime.date(2006, 3, 1), "year"),
        (datetime.date(2026, 5, 1), "quarter"),
        (datetime.date(2026, 4, 2), "quarter"),
        (datetime.date(2023, 2, 14), "month"),
    ],
)
def test_a_date_more_precise_than_its_precision_is_refused(date, precision):
    with pytest.raises(ValidationError):
        PartialDate(date, precision).validate()


@pytest.mark.parametrize(
    ("date", "precision"),
    [
        (datetime.date(2006, 1, 1), "year"),
        (datetime.date(2026, 10, 1), "quarter"),
        (datetime.date(2023, 2, 1), "month"),
        (datetime.date(2023, 2, 14), "day"),
    ],
)
def test_a_date_stored_as_the_first_day_of_its_period_is_valid(date, precision):
    PartialDate(date, precision).validate()


def test_partial_dates_sort_chronologically():
    dates = [PartialDate(datetime.date(2023, 2, 1), "month"), PartialDate(datetime.date(2006, 1, 1), "year")]
    assert [d.year for d in sorted(dates)] == [2006, 2023]


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("25.09.2025.", "2025-09-25"),
        ("25. 9. 2025.", "2025-09-25"),
        ("25. septembra 2025.", "2025-09-25"),
        ("septembar 2025", "2025-09"),
        ("rujan 2025", "2025-09"),
        ("септембар 2025", "2025-09"),
        ("09.2025.", "2025-09"),
        ("1. kvartal 2026", "2026-Q1"),
        ("2. tromjesečje 2026", "2026-Q2"),
        ("2006.", "2006"),
        ("Q1 2026", "2026-Q1"),
        ("25 September 2025", "2025-09-25"),
    ],
)
def test_dates_are_read_as_the_region_and_english_write_them(written, iso):
    from tracker.dates import parse_partial_date

    assert parse_partial_date(written).isoformat() == iso


@pytest.mark.parametrize("written", ["31.02.2026.", "5. kvartal 2026", "13.2025."])
def test_impossible_regional_dates_are_refused(written):
    from tracker.dates import parse_partial_date

    with pytest.raises(ValueError):
        parse_partial_date(written)
