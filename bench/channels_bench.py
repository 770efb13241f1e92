"""Benchmark of the WeChat channel: one article with 10 pictures against a far-away WeChat.

Run: ``.venv/bin/python bench/channels_bench.py`` (about half a minute). Builds a throw-away
database (bench/out/channels), starts the loopback WeChat simulator with a latency per call
(``--latency``, default 80 ms, about what a government data centre sees from api.weixin.qq.com),
and prints, in one run:

- the time for one article with 10 body pictures and a cover to go from published to a
  published WeChat article, with the pictures uploaded one at a time (``WECHAT_UPLOAD_CONCURRENCY
  =1``) and with the pipeline's own concurrency (default 4), and their ratio;
- the worker's deliveries per second, for 50 one-picture articles.
Pictures are rendered to their channel variants before timing (that is media_pipeline's
benchmark), so the figures are the channel's own work and WeChat's latency.
"""

import argparse
import io
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "channels"
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "cms.test_settings",
        "DATABASE_URL": f"sqlite:///{OUT / 'channels.sqlite3'}",
        "LOG_LEVEL": "ERROR",
    }
)


def setup_django():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sites.services.seeding import seed_portals

    seed_portals(demo=False, dictionaries=False)


def picture(collection, title, seed):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 1200), (seed * 20 % 255, 120, 90)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title, collection=collection, file=ImageFile(buffer, name=f"{title}.jpg")
    )


def articles(column, portal, count, pictures):
    from cms.factories import ArticlePageFactory
    from media_pipeline.services import variant

    pages = []
    for n in range(count):
        cover = picture(portal.collection, f"封面{n}", n)
        body = []
        for k in range(pictures):
            image = picture(portal.collection, f"图{n}-{k}", n + k)
            variant(image, "wechat_article")
            body.append(("image", {"image": image, "alt": f"图{k}", "caption": ""}))
        variant(cover, "wechat_cover")
        page = ArticlePageFactory(
            parent=column,
            title=f"基准测试稿件{n}",
            live=False,
            cover_image=cover,
            cover_alt="封面",
            body=body,
        )
        page.save_revision()
        pages.append(page)
    return pages


def deliver_all(pages) -> float:
    from channels import services

    for page in pages:
        page.get_latest_revision().publish()
    started = time.perf_counter()
    while services.run_once(batch=10).claimed:
        pass
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.080)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings

    from channels import base, services
    from channels.models import ChannelTarget, Delivery
    from sites.models import Portal
    from tests.simulators.wechat import WeChatSimulator

    # The worker delivers, as on a production host; no task runs inside the publishing call.
    services.kick = lambda: None

    with WeChatSimulator(latency=args.latency) as simulator:
        settings.WECHAT_API_BASE = simulator.url
        settings.WECHAT_ACCOUNTS = json.dumps([simulator.account_entry(code="gxxf")])
        base.forget_channels()
        services.sync_targets()
        portal = Portal.objects.select_related("site__root_page").get(code="nanning")
        column = portal.site.root_page.get_children().get(slug="gzdt")
        ChannelTarget.objects.get(code="wechat-gxxf").columns.add(column)

        times = {}
        for workers in (1, args.concurrency):
            settings.WECHAT_UPLOAD_CONCURRENCY = workers
            (page,) = articles(column, portal, 1, 10)
            calls_before = len(simulator.requests)
            times[workers] = deliver_all([page])
            calls = len(simulator.requests) - calls_before
            state = Delivery.objects.get(page=page).state
            print(
                f"one article, 10 pictures, uploads {workers} at a time: "
                f"{times[workers]:.2f} s ({calls} WeChat calls, {state})"
            )
        print(f"ratio serial / concurrent: {times[1] / times[args.concurrency]:.2f}x")

        batch = articles(column, portal, 50, 1)
        elapsed = deliver_all(batch)
        published = Delivery.objects.filter(page__in=batch, state="published").count()
        print(
            f"worker: {published} one-picture articles in {elapsed:.2f} s = "
            f"{published / elapsed:.1f} deliveries/s at {args.latency * 1000:.0f} ms per call"
        )


if __name__ == "__main__":
    main()
