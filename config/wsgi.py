import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models) lives as long as the process: frozen, it is left
# out of the garbage collector's full passes, which otherwise scan it all every few dozen requests.
gc.freeze()
