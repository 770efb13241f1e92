"""Forms of the portal pages. They only carry and re-render the citizen's input; every rule
lives in the services, whose field errors are put back on these forms."""

from django import forms

from .models import Evaluation, PetitionType
from .services.errors import BridgeError
from .services.submission import REGIONS


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


def _text(label, *, max_length=None, textarea=False, **attrs):
    widget = (
        forms.Textarea(attrs={"rows": 8, **attrs}) if textarea else forms.TextInput(attrs=attrs)
    )
    # Generous limits: the services give the precise message; this only stops absurd input.
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=widget, strip=True
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
    title = _text("标题", max_length=200)
    content = _text("信访事项", max_length=20000, textarea=True)
    region_code = forms.ChoiceField(
        label="事项发生地（市）", choices=[("", "请选择")] + list(REGIONS.items()), required=False
    )
    county = _text("区县", max_length=64)
    address = _text("详细地点", max_length=400)
    respondent = _text("被反映对象", max_length=400)
    name = _text("姓名", max_length=64, autocomplete="name")
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
    reason = _text("理由（选择“不满意”时必填）", max_length=4000, textarea=True)


class FollowUpForm(BridgeForm):
    content = _text("追加内容", max_length=8000, textarea=True)
