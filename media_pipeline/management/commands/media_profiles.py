"""``manage.py media_profiles``: list every channel profile with its limits."""

from django.core.management.base import BaseCommand

from media_pipeline.profiles import IMAGE_PROFILES, VIDEO_PROFILES


class Command(BaseCommand):
    help = "列出所有媒体规格及其尺寸、格式、体积和时长上限。"

    def handle(self, *args, **options):
        self.stdout.write("图片规格：")
        for p in IMAGE_PROFILES.values():
            self.stdout.write(
                f"  {p.name:<16}{p.channel} · {p.label}：{p.describe()}（依据：{p.source}）"
            )
        self.stdout.write("视频规格：")
        for p in VIDEO_PROFILES.values():
            self.stdout.write(
                f"  {p.name:<16}{p.channel} · {p.label}：{p.describe()}（依据：{p.source}）"
            )
