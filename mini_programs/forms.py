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
            raise MealError(
                "capacity_below_reserved", "供应份数不能少于已订份数，请刷新后重新填写。", 409
            ) from None
        if meal.cancelled and not was_cancelled:
            ordering.cancel_meal(meal, meal.cancel_reason)
        return meal


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
