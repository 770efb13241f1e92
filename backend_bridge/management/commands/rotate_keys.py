"""python manage.py rotate_keys: re-encrypt personal data under the current SM4 key and re-key
the blind indexes, in batches, without downtime (see backend_bridge.services.keys)."""

from django.core.management.base import BaseCommand, CommandError

from backend_bridge.services import keys


class Command(BaseCommand):
    help = "按批将个人信息改用当前 SM4 密钥加密、盲索引改用当前索引密钥（轮换期间新旧密钥均可读）"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的信访件数")
        parser.add_argument("--pause", type=float, default=0.0, help="两批之间暂停的秒数")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args, batch_size, pause, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1")
        report = keys.rotate(batch_size=batch_size, pause=pause, dry_run=dry_run)
        verb = "需要" if dry_run else "已"
        self.stdout.write(
            f"当前密钥版本：SM4 v{report.sm4_version}，索引 v{report.index_version}；"
            f"检查 {report.checked} 件，{verb}重新加密 {report.reencrypted} 件，"
            f"{verb}重建索引 {report.reindexed} 件。"
        )
        for label, table in report.tables.items():
            self.stdout.write(
                f"{label}：检查 {table.checked} 条，{verb}重新加密 {table.reencrypted} 条，"
                f"{verb}重建索引 {table.reindexed} 条。"
            )
        for version, count in report.query_codes_by_old_key.items():
            self.stdout.write(
                self.style.WARNING(
                    f"仍有 {count} 件的查询码索引使用索引密钥 v{version}（查询码不落库，无法重建）："
                    f"在这些信访件办结并过期前请保留该旧密钥。"
                )
            )
        failed_tables = {label: t.failed for label, t in report.tables.items() if t.failed}
        if failed_tables and not report.failed:
            raise CommandError(
                "；".join(
                    f"{label} {len(pks)} 条无法解密（缺少对应版本的旧密钥？）：编号 "
                    + ", ".join(str(pk) for pk in pks[:20])
                    for label, pks in failed_tables.items()
                )
            )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} 件无法解密（缺少对应版本的旧密钥？）：编号 "
                + ", ".join(str(pk) for pk in report.failed[:20])
            )
