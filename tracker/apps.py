from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Cooperation tracker")

    def ready(self):
        from .caching import announce_changes
        from .exports import register_sqlite_functions

        announce_changes(self)
        connection_created.connect(register_sqlite_functions)
