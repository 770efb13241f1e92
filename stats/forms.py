"""The statistics page's filter form: portal (or the whole group), period, channel, column."""

from datetime import date

from django import forms
from django.utils import timezone

from backend_bridge.models import Source
from cms.models import ColumnPage

GROUP = "all"


class StatisticsFilterForm(forms.Form):
    portal = forms.ChoiceField(label="门户")
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部渠道"), *Source.choices]
    )
    column = forms.TypedChoiceField(label="栏目", required=False, coerce=int, empty_value=None)

    def __init__(self, data, portals):
        self.portals = list(portals)
        today = timezone.localdate()
        initial = {"start": date(today.year, 1, 1), "end": today}
        if len(self.portals) == 1:
            initial["portal"] = self.portals[0].code
        elif data.get("portal") is None:
            initial["portal"] = GROUP
        merged = {**{k: str(v) for k, v in initial.items()}, **data.dict()}
        super().__init__(merged)
        choices = [(p.code, p.name) for p in self.portals]
        if len(self.portals) > 1:
            choices.insert(0, (GROUP, "全部门户（站群合计）"))
        self.fields["portal"].choices = choices
        columns = ColumnPage.objects.none()
        chosen = self.chosen_portals_from(merged.get("portal"))
        if len(chosen) == 1:
            columns = ColumnPage.objects.descendant_of(chosen[0].site.root_page).order_by("path")
        self.fields["column"].choices = [("", "全部栏目")] + [
            (c.pk, "　" * max(c.depth - 3, 0) + c.title) for c in columns
        ]

    def chosen_portals_from(self, code):
        if code == GROUP:
            return self.portals
        return [p for p in self.portals if p.code == code]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "结束日期不能早于开始日期。")
        if start and end and (end - start).days > 366 * 5:
            self.add_error("start", "统计期间最长为五年，请缩短期间。")
        data["portals"] = self.chosen_portals_from(data.get("portal"))
        return data
