"""``manage.py media_regenerate PROFILE``: re-render a profile's variants after its definition
changed. Resumable: finished images are skipped because their variants are current, and
``--after-id`` starts past the last id a previous run printed."""

from django.core.management.base import BaseCommand, CommandError

from media_pipeline.errors import MediaError
from media_pipeline.services import regenerate


class Command(BaseCommand):
    help = "重新生成某一规格的全部图片版本（可中断后续跑）。"

    def add_arguments(self, parser):
        parser.add_argument("profile", help="图片规格名，见 media_profiles")
        parser.add_argument(
            "--after-id", type=int, default=0, help="从该图片 ID 之后开始（续跑用）"
        )
        parser.add_argument("--limit", type=int, help="本次最多处理多少张")

    def handle(self, *args, profile, after_id, limit, **options):
        done = failed = 0
        last = after_id
        try:
            for image_id, outcome in regenerate(profile, after_id=after_id, limit=limit):
                last = image_id
                if outcome == "ok":
                    done += 1
                else:
                    failed += 1
                    self.stderr.write(f"图片 {image_id}：{outcome}")
                if (done + failed) % 50 == 0:
                    self.stdout.write(f"已处理到图片 {image_id}（续跑：--after-id {image_id}）")
        except MediaError as exc:
            raise CommandError(exc.message) from exc
        except KeyboardInterrupt:
            raise CommandError(f"已中断。续跑请加参数 --after-id {last}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"规格 {profile}：完成 {done} 张，失败 {failed} 张，最后图片 ID {last}。"
            )
        )
        if failed:
            raise CommandError(f"{failed} 张图片未能生成，原因见上。")
