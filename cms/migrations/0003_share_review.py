"""Pushes (推送) become actions reviewed by the receiving portal (接收审核).

``ArticleShare`` leaves the article's revisions (a plain foreign key instead of a ParentalKey)
and gains a review state. Shares that existed before were shown at once, so they are kept as
accepted; new pushes start as pending.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUS_CHOICES = [("pending", "待接收"), ("accepted", "已接收"), ("declined", "已拒绝")]


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_topic_green_channel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="articleshare",
            options={"verbose_name": "文章推送", "verbose_name_plural": "文章推送"},
        ),
        migrations.RemoveField(model_name="articleshare", name="sort_order"),
        migrations.AlterField(
            model_name="articleshare",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="shares",
                to="cms.articlepage",
                verbose_name="文章",
            ),
        ),
        # Existing rows take this default: they were already shown in the receiving columns.
        migrations.AddField(
            model_name="articleshare",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES,
                db_index=True,
                default="accepted",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="articleshare",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES,
                db_index=True,
                default="pending",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="articleshare",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="推送人",
            ),
        ),
        migrations.AddField(
            model_name="articleshare",
            name="requested_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="推送时间"),
        ),
        migrations.AddField(
            model_name="articleshare",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核人",
            ),
        ),
        migrations.AddField(
            model_name="articleshare",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审核时间"),
        ),
        migrations.AddField(
            model_name="articleshare",
            name="decline_reason",
            field=models.TextField(blank=True, verbose_name="拒绝理由"),
        ),
        migrations.AddIndex(
            model_name="articleshare",
            index=models.Index(fields=["column", "status"], name="cms_share_column_status"),
        ),
    ]
