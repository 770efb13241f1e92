"""Forms of the account screens."""

from django.contrib.auth.forms import PasswordChangeForm


class FirstPasswordForm(PasswordChangeForm):
    """Replace the one-time password; the new one must differ from it."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与一次性密码相同")
        return cleaned
