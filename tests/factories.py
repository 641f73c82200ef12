import datetime

import factory

from tracker import models


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FocusArea
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Focus area {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = models.Organisation.Kind.NATO


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    title = factory.Sequence(lambda n: f"Source document {n}")
    kind = models.Source.Kind.OFFICIAL
    reliability = models.Source.Reliability.HIGH
    published = True


class CitedFactory(factory.django.DjangoModelFactory):
    """A published record with one citation, as every record in the tracker has."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    published = True

    @factory.post_generation
    def cited(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            models.Citation.objects.create(
                source=kwargs.get("source") or SourceFactory(),
                quote=f"A sentence supporting {obj}.",
                **{obj._meta.model_name: obj},
            )

    @factory.post_generation
    def focus_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focus_areas.set(extracted)


class ChallengeFactory(CitedFactory):
    class Meta:
        model = models.Challenge

    title = factory.Sequence(lambda n: f"Challenge {n}")
    category = models.Challenge.Category.POLITICAL


class InitiativeFactory(CitedFactory):
    class Meta:
        model = models.Initiative

    title = factory.Sequence(lambda n: f"Initiative {n}")
    kind = models.Initiative.Kind.PROGRAMME
    status = models.Initiative.Status.ONGOING
    start_date = datetime.date(2006, 1, 1)
    start_precision = "year"

    @factory.post_generation
    def organisations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organisations.set(extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    date = datetime.date(2010, 1, 1)
    date_precision = "year"


class VisitFactory(CitedFactory):
    class Meta:
        model = models.Visit

    title = factory.Sequence(lambda n: f"Visit {n}")
    date = datetime.date(2025, 9, 25)
    city = "Sarajevo"
    country = "Bosnia and Herzegovina"
    visitor_role = "NATO Deputy Secretary General"


class RecommendationFactory(CitedFactory):
    class Meta:
        model = models.Recommendation

    title = factory.Sequence(lambda n: f"Recommendation {n}")
    status = models.Recommendation.Status.PROPOSED


def inline_management(prefix, total=0, initial=0):
    """The management form of an admin inline as a browser posts it (``prefix``: its related name)."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
