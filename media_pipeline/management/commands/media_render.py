"""``manage.py media_render INPUT --profile NAME --out PATH``: render one file with one profile.

For staff preparing material by hand and for operations checking a file. Exits non-zero with
a zh-hans message (Django's CommandError) when the file cannot be made to fit.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from media_pipeline.errors import MediaError
from media_pipeline.imaging import FocalPoint, render_image
from media_pipeline.profiles import ImageProfile, get_profile, human_bytes
from media_pipeline.video import transcode


class Command(BaseCommand):
    help = "用指定规格处理一个图片或视频文件，例如：media_render photo.jpg --profile wechat_cover --out cover.jpg"

    def add_arguments(self, parser):
        parser.add_argument("input", help="输入文件（图片或视频）")
        parser.add_argument("--profile", required=True, help="规格名，见 media_profiles")
        parser.add_argument("--out", required=True, help="输出文件路径")
        parser.add_argument(
            "--width", type=int, help="响应式规格的宽度（如 portal_article 的 480/960/1440）"
        )
        parser.add_argument(
            "--format", dest="fmt", help="输出格式（jpeg 或 webp），默认按规格或输出文件后缀"
        )
        parser.add_argument("--focal", help="焦点中心，格式 x,y（原图像素）")
        parser.add_argument("--poster", help="视频封面帧输出路径（仅视频规格）")

    def handle(self, *args, input, profile, out, width, fmt, focal, poster, **options):
        src, out = Path(input), Path(out)
        if not src.is_file():
            raise CommandError(f"找不到输入文件：{src}")
        try:
            spec = get_profile(profile)
            if isinstance(spec, ImageProfile):
                self._image(src, out, spec, width, fmt, focal)
            else:
                result = transcode(src, out, spec, poster=poster)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"已生成 {out}：{result.width}×{result.height}，{result.duration:.1f} 秒，"
                        f"{human_bytes(result.byte_size)}"
                    )
                )
                for note in result.notes:
                    self.stdout.write(f"提示：{note}")
        except MediaError as exc:
            raise CommandError(f"无法按规格“{profile}”处理 {src.name}：{exc.message}") from exc

    def _image(self, src, out, spec, width, fmt, focal):
        if fmt is None:
            suffix = out.suffix.lower().lstrip(".").replace("jpg", "jpeg")
            fmt = suffix if suffix in spec.formats else spec.formats[0]
        focal_point = None
        if focal:
            try:
                x, y = (float(v) for v in focal.split(","))
            except ValueError:
                raise CommandError("--focal 的格式应为 x,y，例如 --focal 800,450") from None
            focal_point = FocalPoint(x, y)
        result = render_image(src, spec, width=width, fmt=fmt, focal_point=focal_point)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.data)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {out}：{result.width}×{result.height} {result.format.upper()}，"
                f"{human_bytes(result.byte_size)}（质量 {result.quality}）"
            )
        )
        for note in result.notes:
            self.stdout.write(f"提示：{note}")
