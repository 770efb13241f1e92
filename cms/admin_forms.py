"""Forms of the Wagtail admin that the project adjusts: the login form names its password field
in Chinese (Wagtail's own leaves the label to Django's English default ``Password``)."""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm


class PortalLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
