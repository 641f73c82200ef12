from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from tracker.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # sets the language cookie the admin follows (the public site follows its URL)
    path("i18n/", include("django.conf.urls.i18n")),
]
# Every public page in every language: English at the root, as it has always been, the others under
# /bs/, /hr/, /sr/.
urlpatterns += i18n_patterns(path("", include("tracker.urls")), prefix_default_language=False)
