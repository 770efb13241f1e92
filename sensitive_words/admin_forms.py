"""The publication gate in the page editor: publish, submit and approve refuse unpublishable content.

Portal pages use :class:`GatedPageForm` as their ``base_form_class`` and put a
:class:`SensitiveGatePanel` at the top of their content panels. When an editor publishes,
submits for review or approves a review step from the editor, the form checks the content being
saved: block-level hits refuse the action with every hit listed where it is; review-level hits
that nobody has confirmed on the portal refuse publication and approval until the person ticks
the confirmation box, which is recorded. The form re-renders with everything the editor entered.
Saving a draft is never refused.
"""

from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import Panel

from . import gate

CONFIRM_FIELD = "sensitive_confirm"

ACTION_LABELS = {"publish": "发布", "submit": "提交审核", "approve": "通过审核"}


class GatedPageForm(WagtailAdminPageForm):
    sensitive_confirm = forms.BooleanField(
        label="我已逐条核对上列需人工审核的词语，确认可以发布",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate_verdict: gate.Verdict | None = None
        self._gate_checked = False
        self._confirm_on_save: gate.Verdict | None = None

    def gate_action(self) -> str | None:
        """Which gated action this POST asks for (the buttons of Wagtail's editor footer)."""
        data = self.data
        if data.get("action-publish") and self._user_can_publish():
            return "publish"
        if data.get("action-submit") or data.get("action-restart-workflow"):
            return "submit"
        if data.get("action-workflow-action") and data.get("workflow-action-name") == "approve":
            return "approve"
        return None

    def _user_can_publish(self) -> bool:
        user = self.for_user
        if self.instance.pk:
            return self.instance.permissions_for_user(user).can_publish()
        parent = self.parent_page
        return bool(parent and parent.permissions_for_user(user).can_publish_subpage())

    def _site(self) -> str:
        path = self.instance.path or (self.parent_page.path if self.parent_page else "")
        return gate.site_code_at(path) if path else ""

    def is_valid(self):
        valid = super().is_valid()
        if not valid or self._gate_checked:
            return valid
        self._gate_checked = True
        action = self.gate_action()
        if action is None:
            return True
        verdict = gate.assess(self.instance, self._site())
        self.gate_verdict = verdict
        label = ACTION_LABELS[action]
        if verdict.blocked:
            self.add_error(None, f"不能{label}：{verdict.message()}")
            return False
        if verdict.pending and action in ("publish", "approve"):
            if not self.cleaned_data.get(CONFIRM_FIELD):
                self.add_error(
                    CONFIRM_FIELD,
                    f"不能{label}：{verdict.message()}请核对后勾选确认。",
                )
                return False
            self._confirm_on_save = verdict
        return True

    def save(self, commit=True):
        page = super().save(commit=commit)
        if self._confirm_on_save is not None:
            action = ACTION_LABELS[self.gate_action() or "publish"]
            gate.confirm(self._confirm_on_save, self.for_user, page=page, note=f"{action}时确认")
            self._confirm_on_save = None
        return page


class SensitiveGatePanel(Panel):
    """Shows, after a refused action, every hit that stopped it and the confirmation box."""

    @property
    def clean_name(self):
        return "sensitive_gate"

    class BoundPanel(Panel.BoundPanel):
        template_name = "sensitive_words/gate_panel.html"

        def verdict(self):
            return getattr(self.form, "gate_verdict", None)

        def is_shown(self):
            verdict = self.verdict()
            return bool(verdict and (verdict.blocked or verdict.pending))

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            verdict = self.verdict()
            context.update(
                {
                    "verdict": verdict,
                    "rows": (verdict.blocked + verdict.pending) if verdict else [],
                    "confirm_field": self.form[CONFIRM_FIELD] if verdict.pending else None,
                    "page_check_id": self.instance.pk,
                }
            )
            return context
