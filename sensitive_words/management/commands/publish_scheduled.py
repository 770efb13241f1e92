"""Wagtail's ``publish_scheduled`` with the publication gate: a refused revision stays unpublished.

Overrides Wagtail's command of the same name (this app comes before ``wagtail`` in
INSTALLED_APPS). A scheduled revision was checked when it was scheduled, but dictionaries change
before it goes live: the page model's gate refuses it then, and this command records the refusal
in the page's history, clears the schedule so that it is not retried every minute, tells the
operator, and goes on with the other revisions.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.management.commands.publish_scheduled import Command as WagtailCommand
from wagtail.models import Revision

from sensitive_words.gate import PublicationRefused

REFUSED_ACTION = "sensitive_words.publish_refused"


class Command(WagtailCommand):
    help = "发布已到时间的定时发布版本（先经敏感词检查），并下线已到期的页面。"

    def handle(self, *args, **options):
        if not options["dryrun"]:
            self.publish_due_revisions()
        super().handle(*args, **options)

    def publish_due_revisions(self):
        due = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by(
            "approved_go_live_at"
        )
        for revision in due:
            try:
                with transaction.atomic():
                    revision.publish(log_action="wagtail.publish.scheduled")
            except PublicationRefused as refused:
                self.refuse(revision, refused)

    def refuse(self, revision, refused):
        Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
        obj = revision.content_object
        log(
            instance=getattr(obj, "specific", obj),
            action=REFUSED_ACTION,
            revision=revision,
            data={"reason": str(refused.args[0]) if refused.args else str(refused)},
        )
        self.stderr.write(f"定时发布被拒绝：{revision.object_str}（版本 {revision.pk}）：{refused}")
