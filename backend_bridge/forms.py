"""Forms of the portal pages, and the filter of the admin's evaluations list. They only carry
and re-render the input; every rule lives in the services, whose field errors are put back on
these forms."""

import re
from datetime import date

from django import forms

from .models import Evaluation, PetitionType
from .services.citizen import MAX_FOLLOW_UP, MAX_REASON
from .services.errors import BridgeError
from .services.submission import LIMITS, REGIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class LimitedCharField(forms.CharField):
    """A text field whose browser limit (``maxlength`` and the remaining-characters counter of
    ``bridge.js``) is the service's limit ``limit``, while the form itself only stops absurd
    input (``max_length``): the service checks the real limit together with every other field,
    so that all errors are shown at once and in the service's words."""

    def __init__(self, *args, limit=None, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.limit:
            attrs["maxlength"] = str(self.limit)
            attrs["data-limit"] = str(self.limit)
        return attrs


def _text(label, *, max_length=None, limit=None, textarea=False, **attrs):
    widget = (
        forms.Textarea(attrs={"rows": 8, **attrs}) if textarea else forms.TextInput(attrs=attrs)
    )
    # Generous limits: the services give the precise message; this only stops absurd input.
    return LimitedCharField(
        label=label,
        required=False,
        max_length=max_length,
        limit=limit,
        widget=widget,
        strip=True,
    )


class BridgeForm(forms.Form):
    def apply(self, error: BridgeError) -> None:
        """Put a service's errors on this form (unknown fields become form errors)."""
        if not error.field_errors:
            self.add_error(None, error.message)
        for field, messages in error.field_errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class PetitionForm(BridgeForm):
    petition_type = forms.ChoiceField(
        label="信访类型", choices=[("", "请选择")] + list(PetitionType.choices), required=False
    )
    title = _text("标题", max_length=200, limit=LIMITS["title"])
    content = _text("信访事项", max_length=20000, limit=LIMITS["content"], textarea=True)
    region_code = forms.ChoiceField(
        label="事项发生地（市）", choices=[("", "请选择")] + list(REGIONS.items()), required=False
    )
    county = _text("区县", max_length=64, limit=LIMITS["county"])
    address = _text("详细地点", max_length=400, limit=LIMITS["address"])
    respondent = _text("被反映对象", max_length=400, limit=LIMITS["respondent"])
    name = _text("姓名", max_length=64, limit=LIMITS["name"], autocomplete="name")
    id_number = _text("身份证号码", max_length=32, autocomplete="off")
    phone = _text("手机号码", max_length=32, autocomplete="tel", inputmode="tel")
    captcha_answer = _text("图形验证码", max_length=16, autocomplete="off")
    sms_code = _text("短信验证码", max_length=16, autocomplete="one-time-code", inputmode="numeric")
    attachments = MultipleFileField(
        label="附件",
        help_text="可选，最多5个，每个不超过10MB；支持图片、PDF、Word、Excel、PowerPoint、WPS。",
    )


class LookupForm(BridgeForm):
    query_code = _text("查询码", max_length=64, autocomplete="off")
    id_tail = _text("身份证号码后6位", max_length=16, autocomplete="off")
    phone = _text("或：手机号码", max_length=32, inputmode="tel")
    captcha_answer = _text("图形验证码", max_length=16, autocomplete="off")
    sms_code = _text("短信验证码", max_length=16, inputmode="numeric")


class EvaluationForm(BridgeForm):
    rating = forms.ChoiceField(
        label="评价", choices=Evaluation.Rating.choices, widget=forms.RadioSelect, required=False
    )
    reason = _text("理由（选择“不满意”时必填）", max_length=4000, limit=MAX_REASON, textarea=True)


class FollowUpForm(BridgeForm):
    content = _text("追加内容", max_length=8000, limit=MAX_FOLLOW_UP, textarea=True)


class _WriterFields(BridgeForm):
    """Title, content and the writer: real name is the name plus a phone verified by SMS."""

    title = _text("标题", max_length=200, limit=LIMITS["title"])
    content = _text("内容", max_length=20000, limit=LIMITS["content"], textarea=True)
    name = _text("姓名", max_length=64, limit=LIMITS["name"], autocomplete="name")
    phone = _text("手机号码", max_length=32, autocomplete="tel", inputmode="tel")
    id_number = _text(
        "身份证号码（选填）",
        max_length=32,
        autocomplete="off",
    )
    captcha_answer = _text("图形验证码", max_length=16, autocomplete="off")
    sms_code = _text("短信验证码", max_length=16, autocomplete="one-time-code", inputmode="numeric")


class LeaderMessageForm(_WriterFields):
    field_order = ["leader", "title", "content", "keep_private"]
    leader = forms.ChoiceField(label="留言对象", required=False)
    keep_private = forms.BooleanField(
        label="不公开我的留言",
        required=False,
        help_text="勾选后，您的留言和答复不会在留言板上公开。不勾选的，经审核后可能公开，"
        "公开时隐去您的姓名（显示为“张*”）和联系方式。",
    )

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "请选择")] + [
            (str(leader.pk), f"{leader.title} {leader.name}") for leader in leaders
        ]
        self.fields["content"].label = "留言内容"


class SuggestionForm(_WriterFields):
    field_order = ["domain", "campaign", "title", "content"]
    domain = forms.ChoiceField(label="建议领域", required=False)
    campaign = forms.ChoiceField(label="主题征集", required=False)

    def __init__(self, *args, domains=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "请选择")] + [(str(d.pk), d.name) for d in domains]
        # A campaign that closed while the citizen typed stays selectable, so the service can
        # say why it is refused instead of the form silently dropping the choice.
        self.fields["campaign"].choices = [("", "不参加主题征集")] + [
            (str(c.pk), c.title) for c in campaigns
        ]
        self.fields["content"].label = "建议内容"


class EvaluationFilterForm(forms.Form):
    """The filters of the admin's 满意度评价 list: one of the user's portals, a month, a rating."""

    portal = forms.ModelChoiceField(
        label="门户",
        queryset=None,
        required=False,
        empty_label="全部门户",
        error_messages={"invalid_choice": "请选择本人所在的门户。"},
    )
    month = forms.CharField(
        label="评价月份",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    rating = forms.ChoiceField(
        label="评价",
        required=False,
        choices=[("", "全部")] + list(Evaluation.Rating.choices),
        error_messages={"invalid_choice": "请选择满意、基本满意或不满意。"},
    )

    def __init__(self, *args, portals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portal"].queryset = portals

    def clean_month(self):
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError("月份格式应为“年-月”，如 2026-01。")
        return date(int(match[1]), int(match[2]), 1)

    def chosen(self):
        from .services.evaluations import EvaluationFilter

        data = self.cleaned_data
        return EvaluationFilter(
            portal_id=data["portal"].pk if data.get("portal") else None,
            month=data.get("month"),
            rating=data.get("rating") or "",
        )
