"""Admin wiring of static publishing: the tamper alert (网页防篡改告警) at the top of the
dashboard, for superusers, system administrators and the affected portals' administrators."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import tamper


class TamperAlertPanel(Component):
    name = "static_tamper_alert"
    template_name = "static_publish/tamper_alert_panel.html"
    order = 10  # above Wagtail's own panels

    def __init__(self, alerts):
        self.alerts = alerts

    def get_context_data(self, parent_context):
        for alert in self.alerts:
            if not hasattr(alert, "visible_findings"):
                alert.visible_findings = alert.findings
        return {"alerts": self.alerts}


@hooks.register("construct_homepage_panels")
def add_tamper_alert(request, panels):
    alerts = tamper.alerts_for(request.user)
    if alerts:
        panels.insert(0, TamperAlertPanel(alerts))
