"""The synthetic data of benchmarks and load tests keeps the rules real data keeps."""

import pytest

from tracker import synthetic
from tracker.models import Challenge, Citation, Initiative, Recommendation, StatusUpdate, latest_status

pytestmark = pytest.mark.django_db


def test_generated_status_updates_are_cited_and_set_their_records_status():
    written = synthetic.generate(90)

    assert written["tracker_initiative"] == 90 and written["tracker_statusupdate"] == StatusUpdate.objects.count() > 0
    assert not StatusUpdate.objects.filter(citations__isnull=True).exists()
    assert not StatusUpdate.objects.exclude(citations__source__published=True).exists()
    for model in (Initiative, Challenge, Recommendation):
        records = model.objects.filter(status_updates__isnull=False).distinct()
        assert records.exists(), model
        for record in records:
            assert record.status == latest_status(record), record
            record.full_clean()  # the model's own rules agree
    assert Citation.objects.filter(status_update__isnull=False).count() == StatusUpdate.objects.count()
