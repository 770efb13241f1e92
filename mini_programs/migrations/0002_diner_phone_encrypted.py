"""Diners' phone numbers become SM4-GCM ciphertext with an HMAC-SM3 blind index (like citizens'
personal data): the plain column is widened, every existing number is encrypted and indexed in
place, then the column is declared encrypted and the index unique. Reversible."""

import backend_bridge.crypto
from django.db import migrations, models

PURPOSE = "diner_phone"  # mini_programs.models.PHONE_INDEX_PURPOSE


def encrypt_numbers(apps, schema_editor):
    from backend_bridge import crypto

    Diner = apps.get_model("mini_programs", "Diner")
    # Here ``phone`` is still a plain text column: what is read is what is stored.
    for pk, phone in Diner.objects.values_list("pk", "phone").iterator():
        if not phone or phone.startswith(crypto.TOKEN_PREFIX):
            continue
        Diner.objects.filter(pk=pk).update(
            phone=crypto.encrypt(phone), phone_index=crypto.blind_index(phone, PURPOSE)
        )


def decrypt_numbers(apps, schema_editor):
    from backend_bridge import crypto

    Diner = apps.get_model("mini_programs", "Diner")
    for pk, phone in Diner.objects.values_list("pk", "phone").iterator():
        if phone and phone.startswith(crypto.TOKEN_PREFIX):
            Diner.objects.filter(pk=pk).update(phone=crypto.decrypt(phone), phone_index=str(pk))


class Migration(migrations.Migration):
    dependencies = [("mini_programs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="diner",
            name="phone_index",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="diner", name="phone", field=models.TextField(verbose_name="手机号")
        ),
        migrations.RunPython(encrypt_numbers, decrypt_numbers),
        migrations.AlterField(
            model_name="diner",
            name="phone",
            field=backend_bridge.crypto.EncryptedTextField(verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="diner",
            name="phone_index",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
