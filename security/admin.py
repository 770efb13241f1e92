"""Django admin: the SMS devices beside django-otp's TOTP devices (removed when a phone is lost)."""

from django.contrib import admin

from security.models import SMSDevice


@admin.register(SMSDevice)
class SMSDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "phone", "confirmed")
    search_fields = ("user__username", "phone")
    raw_id_fields = ("user",)
    exclude = ("token", "valid_until")
