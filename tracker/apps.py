from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Cooperation tracker")

    def ready(self):
        from . import counts
        from .caching import follow_requests
        from .data_versions import install_after_migrate
        from .exports import register_sqlite_functions
        from .list_counts import install_after_migrate as install_list_counts
        from .models import Citation, Source, verify_loaded
        from .search import register_sqlite_functions as register_search_functions
        from .summaries import install_after_migrate as install_summaries

        follow_requests()
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="tracker-data-versions")
        post_migrate.connect(install_list_counts, sender=self, dispatch_uid="tracker-list-counts")
        post_migrate.connect(counts.install_after_migrate, sender=self, dispatch_uid="tracker-counts")
        post_migrate.connect(install_summaries, sender=self, dispatch_uid="tracker-summaries")
        connection_created.connect(register_sqlite_functions)
        connection_created.connect(register_search_functions)
        for model in (Source, Citation):
            post_save.connect(verify_loaded, sender=model, dispatch_uid=f"tracker-verify-loaded-{model._meta.label}")
