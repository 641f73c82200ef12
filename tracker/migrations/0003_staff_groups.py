"""The two staff roles: Editors keep the data current, Viewers read and export it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "focusarea",
    "organisation",
    "source",
    "challenge",
    "initiative",
    "milestone",
    "visit",
    "recommendation",
    "citation",
    "statusupdate",  # from migration 0012, which sets the groups up again
]
PUBLISHABLE = ["source", "challenge", "initiative", "visit", "recommendation"]
UNDELETABLE_BY_EDITORS = ["source"]


def codenames_for_editors():
    for model in MODELS:
        yield from (f"add_{model}", f"change_{model}", f"view_{model}", f"import_{model}", f"export_{model}")
        if model not in UNDELETABLE_BY_EDITORS:
            yield f"delete_{model}"
        if model in PUBLISHABLE:
            yield f"publish_{model}"


def codenames_for_viewers():
    for model in MODELS:
        yield from (f"view_{model}", f"export_{model}")


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("tracker")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    set_up_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def set_up_groups(Group, Permission):
    """Create (or reset) both groups; tests call it too, after a flushed database."""
    for name, codenames in [("Editors", codenames_for_editors()), ("Viewers", codenames_for_viewers())]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="tracker", codename__in=list(codenames))
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_history_and_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
