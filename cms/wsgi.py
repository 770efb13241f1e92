"""WSGI entry point (gunicorn cms.wsgi). Refuses to start production with development providers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
application = get_wsgi_application()

from security.checks import refuse_development_providers  # noqa: E402

refuse_development_providers()
