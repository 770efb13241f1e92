"""Admin forms of the canteen screens: they hand the effects of a save to the services
(cancelling a meal notifies its diners, a holiday stops that day's meals, an invitation draws
its code)."""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction
from wagtail.admin.forms import WagtailAdminModelForm

from .services import accounts, ordering
from .services.errors import MealError


class MealForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        capacity = cleaned.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.reserved:
            self.add_error(
                "capacity", f"已订{self.instance.reserved}份，供应份数不能少于已订份数。"
            )
        price, subsidy = cleaned.get("price"), cleaned.get("subsidy")
        if price is not None and subsidy is not None and subsidy > price:
            self.add_error("subsidy", "补贴不能高于价格。")
        return cleaned

    def save(self, commit=True):
        was_cancelled = (
            bool(self.instance.pk)
            and type(self.instance).objects.filter(pk=self.instance.pk, cancelled=True).exists()
        )
        if not commit:
            return super().save(commit=False)
        # Orders may have arrived since the form was opened: the row is locked and re-read
        # (ordering.lock_for_edit raises a MealError the edit view shows on the field).
        try:
            with transaction.atomic():
                ordering.lock_for_edit(self.instance)
                meal = super().save(commit=True)
        except IntegrityError:
            # Another save won a race the form's own checks could not see (same day and meal).
            raise MealError(
                "save_conflict", "保存时该餐次已被他人修改或新增，请刷新后重新填写。", 409
            ) from None
        if meal.cancelled and not was_cancelled:
            ordering.cancel_meal(meal, meal.cancel_reason)
        return meal


class DinerForm(WagtailAdminModelForm):
    """The diner's form never shows the stored phone number (it is personal data, shown masked
    in the help text): the canteen types a new number to change it, or leaves it empty."""

    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["phone"]
        if self.instance.pk:
            field.help_text = f"当前号码：{self.instance.masked_phone}。不修改请留空。"
            self.initial["phone"] = ""
        else:
            field.required = True
            field.help_text = "11 位手机号码，职工绑定小程序时核对。"

    def clean_phone(self):
        from backend_bridge.idcard import validate_mobile

        value = (self.cleaned_data.get("phone") or "").strip()
        if not value:
            if self.instance.pk:
                return self.instance.phone  # unchanged
            raise forms.ValidationError("请填写手机号。")
        phone = validate_mobile(value)
        others = type(self.instance).objects.with_phone(phone).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("该手机号已登记为其他用餐人员。")
        return phone


class HolidayForm(WagtailAdminModelForm):
    def save(self, commit=True):
        holiday = super().save(commit=commit)
        if commit:
            ordering.cancel_meals_on(holiday.date, holiday.name)
        return holiday


class InvitationForm(WagtailAdminModelForm):
    def save(self, commit=True):
        invitation = self.instance
        if not invitation.code:
            invitation.code = accounts.new_invitation_code()
        return super().save(commit=commit)


class DinerImportForm(forms.Form):
    file = forms.FileField(
        label="人员名单文件",
        help_text="CSV 或 XLSX，首行为列名：姓名、手机号、部门、工号、允许代订客餐（后三列可省略）。",
    )


class DayForm(forms.Form):
    day = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MonthForm(forms.Form):
    month = forms.RegexField(
        label="月份",
        regex=r"^\d{4}-\d{1,2}$",
        error_messages={"invalid": "月份格式应为“年-月”，例如 2026-12。"},
    )
    unmasked = forms.BooleanField(
        label="含完整手机号",
        required=False,
        help_text="默认导出脱敏号码；导出完整号码须填写事由，记入审计日志。",
    )
    reason = forms.CharField(label="事由", max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unmasked") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "导出完整手机号须填写事由。")
        return cleaned
