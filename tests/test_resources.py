"""Import and export through the resources: round trips, natural keys, row errors, atomicity."""

import datetime
import gc

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.utils import translation
from import_export import exceptions
from import_export.formats import base_formats

from tracker.models import (
    Challenge,
    Citation,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
)
from tracker.resources import RESOURCES
from tracker.resources.importing import describe_errors, import_dataset

from .conftest import empty_the_tracker
from .factories import ChallengeFactory, FocusAreaFactory, InitiativeFactory, RecommendationFactory, SourceFactory

IMPORT_ORDER = list(RESOURCES)


def export(model, file_format=base_formats.CSV):
    return file_format().export_data(RESOURCES[model]().export())


def load(data, file_format=base_formats.CSV):
    return file_format().create_dataset(data)


def import_rows(model, csv_text, dry_run=False, user=None):
    return import_dataset(RESOURCES[model](), tablib.Dataset().load(csv_text, format="csv"), dry_run=dry_run, user=user)


def snapshot():
    """Every model's export, row by row: the data as staff see it."""
    return {model.__name__: sorted(map(tuple, RESOURCES[model]().export())) for model in IMPORT_ORDER}


@pytest.mark.parametrize("file_format", [base_formats.CSV, base_formats.XLSX, base_formats.JSON])
def test_exported_fixtures_reimport_into_an_empty_database_as_the_same_data(seeded, file_format):
    before = snapshot()
    files = {model: export(model, file_format) for model in IMPORT_ORDER}
    empty_the_tracker()
    assert Initiative.objects.count() == 0

    for model in IMPORT_ORDER:
        result = import_dataset(RESOURCES[model](), load(files[model], file_format), dry_run=False)
        assert describe_errors(result) == [], model

    assert snapshot() == before


def test_reimporting_an_unchanged_export_changes_nothing_and_says_so(seeded):
    stamps = dict(Initiative.objects.values_list("slug", "updated"))
    history = Initiative.history.count()

    result = import_dataset(RESOURCES[Initiative](), load(export(Initiative)), dry_run=False)

    assert result.totals["skip"] == Initiative.objects.count() == 32
    assert result.totals["new"] == result.totals["update"] == 0
    assert dict(Initiative.objects.values_list("slug", "updated")) == stamps
    assert Initiative.history.count() == history


@pytest.mark.django_db
def test_related_records_are_read_by_name_and_slug_ignoring_case():
    FocusAreaFactory(name="Cyber defence")
    FocusAreaFactory(name="Crisis management")
    Organisation.objects.create(name="NATO Headquarters Sarajevo")
    InitiativeFactory(slug="dcb-package", title="DCB package")
    source = SourceFactory(slug="official-page")

    result = import_rows(
        Recommendation,
        "Title,Focus area,Focus areas,Proposed by,Initiatives,Target,Status,Source,Quote,Published\n"
        "Enhance cyber defence,cyber defence,Cyber defence; Crisis management,NATO Headquarters Sarajevo,"
        'dcb-package,Q1 2026,In progress,official-page,"NATO supports cyber defence.",yes\n',
    )

    assert describe_errors(result) == []
    recommendation = Recommendation.objects.get(slug="enhance-cyber-defence")
    assert recommendation.focus_area.name == "Cyber defence"
    assert sorted(recommendation.focus_areas.values_list("name", flat=True)) == ["Crisis management", "Cyber defence"]
    assert recommendation.proposed_by.name == "NATO Headquarters Sarajevo"
    assert list(recommendation.initiatives.values_list("slug", flat=True)) == ["dcb-package"]
    assert (recommendation.target_date, recommendation.target_precision) == (datetime.date(2026, 1, 1), "quarter")
    assert recommendation.status == "in_progress" and recommendation.published
    assert list(recommendation.citations.values_list("source", "quote")) == [
        (source.pk, "NATO supports cyber defence.")
    ]


@pytest.mark.django_db
def test_every_bad_row_is_named_and_nothing_is_written():
    FocusAreaFactory(name="Cyber defence")
    RecommendationFactory(title="Existing", slug="existing")

    result = import_rows(
        Recommendation,
        "Slug,Title,Focus areas,Target,Status\n"
        "existing,Existing renamed,Cyber defence,Q1 2026,Proposed\n"
        "new-good,A good new row,Cyber defence,2026,Proposed\n"
        "bad-1,Unknown focus areas,Cyber defence; Cyber; Cyber attacks,2026,Proposed\n"
        "bad-2,Impossible date,,31/02/2026,Proposed\n"
        "bad-3,,,,Proposed\n"
        "bad-4,Unknown status,,,Maybe\n",
    )

    assert describe_errors(result) == [
        "Row 3, Focus areas: unknown focus areas “Cyber”, “Cyber attacks”",
        "Row 4, Target: “31/02/2026” is not a real date.",
        "Row 5, Title: This field cannot be blank.",
        "Row 6, Status: “Maybe” is not one of “Proposed”, “Accepted”, “In progress”, “Implemented”, “Rejected”, “Superseded”",
    ]
    assert list(Recommendation.objects.values_list("title", flat=True)) == ["Existing"]


@pytest.mark.django_db
def test_a_published_record_needs_a_citation_in_the_database_or_in_its_row():
    result = import_rows(Challenge, "Title,Category,Published\nUncited,Political and constitutional,yes\n")
    assert describe_errors(result) == ["Row 1, Published: A record needs at least one citation before it is published."]
    assert not Challenge.objects.exists()

    result = import_rows(Challenge, "Title,Category,Published\nUncited,Political and constitutional,no\n")
    assert describe_errors(result) == [] and Challenge.objects.get().published is False


@pytest.mark.django_db
def test_a_bad_row_with_a_citation_reports_only_its_real_problems():
    SourceFactory(slug="official-page")
    result = import_rows(
        Challenge,
        "Title,Category,Source,Quote,Published\nCited,Weather,official-page,A quote,yes\nAlso,Weather,nowhere,A quote,yes\n",
    )
    assert [line.split(":")[0] for line in describe_errors(result)] == [
        "Row 1, Category",
        "Row 2, Category",
        "Row 2, Source",
    ]


@pytest.mark.django_db
def test_a_source_without_a_quote_is_refused():
    SourceFactory(slug="official-page")
    result = import_rows(
        Challenge, "Title,Category,Source,Quote\nHalf cited,Political and constitutional,official-page,\n"
    )
    assert describe_errors(result) == ["Row 1, Quote: Give both a Source and a Quote, or neither."]


@pytest.mark.django_db
def test_initiative_validation_runs_on_import():
    result = import_rows(
        Initiative,
        "Title,Kind,Status,Start,End,Amount\nBackwards,Programme,Ongoing,2010,2009,\nUnpriced,Package,Completed,,,500000\n",
    )
    assert describe_errors(result) == [
        "Row 1, End: The end cannot be before the start.",
        "Row 2, Currency: Give the currency of the amount.",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Title;Category;Status", "it seems to use another separator"),
        ("Category,Status", "missing columns “Title”"),
        ("Title,Category,Colour", "unknown columns “Colour”"),
    ],
)
def test_columns_are_checked_before_any_row(header, message):
    row = (
        header.replace("Title", "A title").replace("Category", "Political and constitutional").replace("Status", "Open")
    )
    result = import_rows(Challenge, f"{header}\n{row}\n")
    assert message in describe_errors(result)[0]
    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_hand_made_rows_without_slugs_update_on_the_second_import():
    csv_text = "Title,Category\nDefence budget limitations,Budget and resources\n"
    import_rows(Challenge, csv_text)
    result = import_rows(Challenge, csv_text)
    assert result.totals["skip"] == 1
    assert list(Challenge.objects.values_list("slug", flat=True)) == ["defence-budget-limitations"]


@pytest.mark.django_db
def test_a_file_exported_in_bosnian_imports_again_and_either_language_is_understood():
    InitiativeFactory(title="Completed one", kind="process", status="completed")
    resource = RESOURCES[Initiative]
    with translation.override("bs"):
        dataset = resource().export()
        assert (dataset.dict[0]["Kind"], dataset.dict[0]["Status"]) == ("Proces", "Završena")
        result = import_dataset(resource(), dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), describe_errors(result)
    assert Initiative.objects.get(title="Completed one").status == "completed"
    dataset = resource().export()
    dataset.dict = [{**row, "Status": "U toku"} for row in dataset.dict]  # a Bosnian label in an English session
    assert not import_dataset(resource(), dataset, dry_run=False).has_validation_errors()
    assert Initiative.objects.get(title="Completed one").status == "ongoing"


@pytest.mark.django_db
def test_exported_cells_that_look_like_formulas_are_neutralised_and_restored_on_import():
    for text in ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)"):
        InitiativeFactory(title=f"Title {text}", summary=text)

    exported = export(Initiative)
    summaries = [row["Summary"] for row in load(exported).dict]
    assert sorted(summaries) == sorted(["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)"])

    result = import_dataset(RESOURCES[Initiative](), load(exported), dry_run=False)
    assert result.totals["skip"] == 4
    assert sorted(Initiative.objects.values_list("summary", flat=True)) == sorted(
        ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)"]
    )


@pytest.mark.django_db
def test_milestone_citations_round_trip_by_initiative_and_title():
    initiative = InitiativeFactory(slug="map", title="Membership Action Plan")
    milestone = Milestone.objects.create(
        initiative=initiative, title="Invited to MAP", date=datetime.date(2010, 1, 1), date_precision="year"
    )
    source = SourceFactory(slug="official-page")
    Citation.objects.create(source=source, quote="invited to join the MAP in 2010", milestone=milestone)

    rows = load(export(Citation)).dict
    assert {
        "Source": "official-page",
        "Quote": "invited to join the MAP in 2010",
        "Initiative": "map",
        "Milestone": "Invited to MAP",
    }.items() <= rows[-1].items()

    Citation.objects.filter(milestone=milestone).delete()
    result = import_dataset(RESOURCES[Citation](), load(export_rows(rows)), dry_run=False)
    assert describe_errors(result) == []
    assert milestone.citations.get().quote == "invited to join the MAP in 2010"


def export_rows(rows):
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return dataset.csv


@pytest.mark.django_db
def test_imports_are_recorded_in_the_history_with_the_user(django_user_model):
    editor = django_user_model.objects.create_user("editor")
    import_rows(Challenge, "Title,Category\nDefence budget limitations,Budget and resources\n", user=editor)
    import_rows(Challenge, "Title,Category\nDefence budget limitations,Political and constitutional\n", user=editor)

    history = Challenge.objects.get().history.order_by("history_date")
    assert [(entry.history_type, entry.history_user, entry.category) for entry in history] == [
        ("+", editor, "resources"),
        ("~", editor, "political"),
    ]


@pytest.mark.django_db
def test_only_users_allowed_to_publish_can_publish_by_import(django_user_model):
    from django.contrib.auth.models import Permission

    SourceFactory(slug="official-page")
    importer = django_user_model.objects.create_user("importer")
    importer.user_permissions.set(
        Permission.objects.filter(codename__in=["import_challenge", "change_challenge", "add_challenge"])
    )
    row = "Title,Category,Source,Quote,Published\nCited,Political and constitutional,official-page,A quote,yes\n"

    result = import_rows(Challenge, row, user=importer)
    assert describe_errors(result) == ["Row 1, Published: You may not publish or unpublish challenges."]
    assert not Challenge.objects.exists()

    importer.user_permissions.add(Permission.objects.get(codename="publish_challenge"))
    importer = django_user_model.objects.get(pk=importer.pk)  # fresh permission cache
    assert describe_errors(import_rows(Challenge, row, user=importer)) == []
    citation = Challenge.objects.get().citations.get()
    assert citation.history.get().history_user == importer


@pytest.mark.django_db
def test_a_citation_from_a_draft_source_does_not_allow_publishing():
    challenge = ChallengeFactory(published=False, cited__source=SourceFactory(published=False))
    challenge.published = True
    with pytest.raises(ValidationError):
        challenge.full_clean()


@pytest.mark.django_db
def test_a_bad_number_and_a_title_without_latin_letters_are_explained():
    result = import_rows(
        Initiative,
        "Title,Kind,Status,Amount,Currency\nPriced,Package,Completed,abc,EUR\nОдбрана,Package,Completed,,\n",
    )
    assert describe_errors(result) == [
        "Row 1, Amount: “abc” is not a number",
        "Row 2: Slug: the title has no Latin letters to make a slug from; give one.",
    ]


@pytest.mark.django_db
def test_a_dry_run_writes_nothing():
    result = import_rows(Challenge, "Title,Category\nDry run,Budget and resources\n", dry_run=True)
    assert result.totals["new"] == 1
    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_a_bulk_import_writes_links_citations_history_and_parts_of_new_records(django_user_model):
    """Rows are saved together at the end; what per-row saves gave must all still be there."""
    analyst = django_user_model.objects.create_user("analyst", is_superuser=True)
    FocusAreaFactory(name="Cyber defence")
    FocusAreaFactory(name="Crisis management")
    SourceFactory(slug="official-page")
    result = import_rows(
        Initiative,
        "Title,Kind,Status,Focus areas,Part of,Source,Quote,Published\n"
        "Whole package,Package,Ongoing,Cyber defence; Crisis management,,official-page,The package.,yes\n"
        "One part,Project,Planned,Crisis management,whole-package,official-page,The part.,yes\n",
        user=analyst,
    )
    assert not result.has_errors() and not result.has_validation_errors(), describe_errors(result)
    whole, part = Initiative.objects.get(slug="whole-package"), Initiative.objects.get(slug="one-part")
    assert part.parent == whole
    assert sorted(whole.focus_areas.values_list("name", flat=True)) == ["Crisis management", "Cyber defence"]
    assert whole.published and whole.citations.get().quote == "The package."
    history = whole.history.get()
    assert history.history_user == analyst and history.history_type == "+"
    assert sorted(str(link.focusarea) for link in history.focus_areas.all()) == ["Crisis management", "Cyber defence"]
    assert Citation.history.filter(history_user=analyst).count() == 2


@pytest.mark.django_db
def test_an_update_replaces_the_links_the_file_gives_and_its_history_keeps_the_others(django_user_model):
    analyst = django_user_model.objects.create_user("analyst", is_superuser=True)
    cyber, crisis = FocusAreaFactory(name="Cyber defence"), FocusAreaFactory(name="Crisis management")
    nato = Organisation.objects.create(name="NATO", kind=Organisation.Kind.INTERNATIONAL)
    initiative = InitiativeFactory(slug="dcb", title="Old title", focus_areas=[cyber], organisations=[nato])

    result = import_rows(
        Initiative,
        "Slug,Title,Kind,Status,Focus areas\ndcb,New title,Package,Ongoing,Crisis management\n",
        user=analyst,
    )

    assert describe_errors(result) == [] and result.totals["update"] == 1
    initiative.refresh_from_db()
    assert initiative.title == "New title"
    assert list(initiative.focus_areas.all()) == [crisis]
    assert list(initiative.organisations.all()) == [nato]
    change = initiative.history.filter(history_user=analyst).get()
    assert (change.title, change.history_user, change.kind) == ("New title", analyst, "package")
    assert [link.focusarea for link in change.focus_areas.all()] == [crisis]
    assert [link.organisation for link in change.organisations.all()] == [nato]


@pytest.mark.django_db
def test_a_preview_writes_nothing_yet_reports_every_problem(django_user_model):
    SourceFactory(slug="official-page")
    rows = (
        "Title,Kind,Status,Part of,Source,Quote,Published\n"
        "Whole,Package,Ongoing,,official-page,The package.,yes\n"
        "Part,Project,Planned,whole,official-page,The part.,yes\n"
        "Bad,Project,Someday,nowhere,,,\n"
    )
    result = import_rows(Initiative, rows, dry_run=True)
    assert describe_errors(result) == [
        "Row 3, Status: “Someday” is not one of “Planned”, “Ongoing”, “Completed”, “Suspended”",
        "Row 3, Part of: unknown initiative “nowhere”",
    ]
    result = import_rows(Initiative, rows.rsplit("Bad", 1)[0], dry_run=True)
    assert describe_errors(result) == [] and result.totals["new"] == 2
    assert not Initiative.objects.exists() and not Citation.objects.exists() and not Initiative.history.exists()


@pytest.mark.django_db
def test_a_slug_twice_in_one_file_is_an_error_naming_the_first_row():
    result = import_rows(Challenge, "Title,Category\nSame title,Political\nSame title,Political\n")
    assert any("row 1" in line for line in describe_errors(result)), describe_errors(result)
    assert not Challenge.objects.exists()


@pytest.mark.django_db
def test_an_import_runs_a_fixed_number_of_queries_whatever_the_rows(django_assert_max_num_queries):
    """Related records are looked up per column and rows written in bulk, not one query per row."""
    for name in ("Cyber defence", "Crisis management"):
        FocusAreaFactory(name=name)
    SourceFactory(slug="official-page")

    def rows(count):
        return "Title,Kind,Status,Focus areas,Source,Quote\n" + "".join(
            f"Initiative {n},Programme,Ongoing,Cyber defence; Crisis management,official-page,Quote {n}.\n"
            for n in range(count)
        )

    with django_assert_max_num_queries(40):
        assert not import_rows(Initiative, rows(5)).has_validation_errors()
    with django_assert_max_num_queries(40):
        result = import_rows(Initiative, rows(200).replace("Initiative ", "Other "))
        assert not result.has_validation_errors(), describe_errors(result)[:3]
    assert Initiative.objects.count() == 205
    with django_assert_max_num_queries(40):  # compared with what is stored, links included
        assert import_rows(Initiative, rows(200).replace("Initiative ", "Other ")).totals["skip"] == 200


@pytest.mark.django_db
def test_foreign_key_columns_are_checked_by_their_lookup_not_a_query_per_row(django_assert_max_num_queries):
    """Django's ``full_clean`` would check each foreign key with a query; the column's lookup already did."""
    InitiativeFactory(slug="whole")
    rows = "Title,Kind,Status,Part of\n" + "".join(f"Part {n},Project,Planned,whole\n" for n in range(200))
    with django_assert_max_num_queries(40):
        result = import_rows(Initiative, rows)
        assert not result.has_validation_errors(), describe_errors(result)[:3]
    assert Initiative.objects.filter(parent__slug="whole").count() == 200
    missing = import_rows(Initiative, "Title,Kind,Status,Part of\nAlone,Project,Planned,\n")
    assert not missing.has_validation_errors() and Initiative.objects.get(slug="alone").parent is None


@pytest.mark.django_db
def test_the_preview_shows_each_cell_and_the_confirmed_import_does_not_work_them_out_again():
    SourceFactory(slug="official-page")
    rows = "Title,Kind,Status,Source,Quote\nWhole <b>package</b>,Package,Ongoing,official-page,The package.\n"
    preview = import_rows(Initiative, rows, dry_run=True).rows[0].diff
    assert "<ins>Whole &lt;b&gt;package&lt;/b&gt;</ins>" in preview
    assert "<ins>Ongoing</ins>" in preview
    assert import_rows(Initiative, rows).rows[0].diff is None
    assert Initiative.objects.get().title == "Whole <b>package</b>"
    changed = import_rows(Initiative, rows.replace("Package,", "Programme,"), dry_run=True).rows[0].diff
    assert "<span>Whole &lt;b&gt;package&lt;/b&gt;</span>" in changed and "<span>Ongoing</span>" in changed
    assert any("<del>" in cell and "<ins>" in cell for cell in changed)
    assert not any("style=" in cell for cell in [*preview, *changed])  # the strict CSP would drop it


@pytest.mark.django_db
def test_the_cycle_collector_is_off_during_an_import_and_on_again_after_it_even_after_a_failure(monkeypatch):
    during = []
    resource = RESOURCES[Challenge]()
    monkeypatch.setattr(resource, "after_import", lambda *args, **kwargs: during.append(gc.isenabled()))
    import_dataset(resource, tablib.Dataset().load("Title,Category\nOne,Political\n", format="csv"), dry_run=True)
    with pytest.raises(exceptions.ImportError):  # raised for the missing columns
        RESOURCES[Challenge]().import_data(tablib.Dataset().load("Nonsense\nx\n", format="csv"), raise_errors=True)
    assert during == [False] and gc.isenabled()


@pytest.mark.django_db
def test_publishing_or_unpublishing_a_source_by_import_needs_the_publish_permission(django_user_model):
    from django.contrib.auth.models import Permission

    from tracker.models import Source

    source = SourceFactory(slug="official-page", published=False)
    importer = django_user_model.objects.create_user("importer")
    importer.user_permissions.set(
        Permission.objects.filter(codename__in=["import_source", "change_source", "add_source"])
    )
    header = "Slug,Title,Kind,Reliability,Published\n"
    for slug in ("official-page", "a-new-source"):
        result = import_rows(Source, f"{header}{slug},{source.title},Official,High,yes\n", user=importer)
        assert describe_errors(result) == ["Row 1, Published: You may not publish or unpublish sources."]
    source.refresh_from_db()
    assert not source.published and Source.objects.count() == 1
