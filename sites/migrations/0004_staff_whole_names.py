"""Staff names kept whole in ``first_name`` (one 姓名 field): accounts entered through Wagtail's
own forms before it held 名 in ``first_name`` and 姓 in ``last_name``; join them (姓 first, no
space, for Chinese names) so that ``get_full_name()`` reads right everywhere in the admin."""

from django.conf import settings
from django.db import migrations


def _has_cjk(text):
    return any("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def join_names(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    for user in User.objects.exclude(last_name="").only("pk", "first_name", "last_name"):
        first, last = user.first_name.strip(), user.last_name.strip()
        if first and last:
            name = last + first if _has_cjk(first + last) else f"{first} {last}"
        else:
            name = first or last
        User.objects.filter(pk=user.pk).update(first_name=name[:150], last_name="")


class Migration(migrations.Migration):
    dependencies = [
        ("portal_sites", "0003_alter_portalsettings_options_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(join_names, migrations.RunPython.noop)]
