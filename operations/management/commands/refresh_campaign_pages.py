"""``manage.py refresh_campaign_pages``: the pages of the portals whose themed calls for
suggestions (主题征集) opened or closed since the last run render afresh
(``operations.campaigns``). Run shortly after midnight by gxxf-campaign-pages.timer through
``manage.py periodic``; running it again the same day does nothing more."""

from django.core.management.base import BaseCommand

from operations.campaigns import refresh_campaign_pages


class Command(BaseCommand):
    help = "主题征集按日期开始或结束后，刷新相关门户的页面（清除页面缓存并通知静态发布）。"

    def handle(self, *args, **options):
        done = refresh_campaign_pages()
        span = f"{done.since:%Y-%m-%d} 至 {done.today:%Y-%m-%d}"
        if not done.site_ids:
            self.stdout.write(f"{span}：没有主题征集开始或结束，页面无需刷新。")
            return
        for campaign in done.opened:
            self.stdout.write(f"已开始：{campaign.portal.name}“{campaign.title}”")
        for campaign in done.closed:
            self.stdout.write(f"已结束：{campaign.portal.name}“{campaign.title}”")
        names = sorted({c.portal.name for c in done.opened + done.closed})
        self.stdout.write(f"{span}：已刷新 {len(names)} 个门户的页面（{'、'.join(names)}）。")
