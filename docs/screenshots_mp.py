"""Take the canteen manual's screenshots in Chromium: `.venv/bin/python docs/screenshots_mp.py`.

Builds a throw-away demo database (bench/out/docs-mp), adds a demo canteen (departments,
diners, dishes, a week of meals, orders, a holiday), starts the app under gunicorn on loopback,
logs in as a temporary member of 食堂管理员 and writes PNG files into docs/img/mp-*.png.
"""

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import pages as bench  # noqa: E402

OUT = ROOT / "bench" / "out" / "docs-mp"
IMG = ROOT / "docs" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

DEMO_CANTEEN = """
from datetime import datetime, time, timedelta
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from mini_programs.models import Department, Diner, Dish, Holiday, Meal, MealDish
from mini_programs.services import ordering
from mini_programs.services.seeding import CANTEEN_GROUP
user = get_user_model().objects.create_user("canteen", password="{password}", first_name="食堂")
user.groups.add(Group.objects.get(name=CANTEEN_GROUP))
departments = [Department.objects.create(name=n) for n in ("办公室", "信访接待处", "督查室")]
dishes = [Dish.objects.create(name=n, description=d) for n, d in (
    ("白切鸡", "本地三黄鸡"), ("酸笋炒牛肉", "微辣"), ("清炒时蔬", ""), ("老友粉", "早餐"))]
names = "韦强 覃芳 莫兰 黄丽 李明 梁晨 陆洋 周敏 蒙刚 农红".split()
diners = [Diner.objects.create(name=n, phone=f"1380013{i:04d}", employee_no=f"GX{i:03d}",
          department=departments[i % 3], guests_allowed=i % 4 == 0) for i, n in enumerate(names)]
today = timezone.localdate()
tz = timezone.get_current_timezone()
for offset in range(0, 5):
    day = today + timedelta(days=offset)
    for kind, price, subsidy, hour in (("breakfast", "4.00", "2.00", 7), ("lunch", "15.00", "5.00", 10)):
        cutoff = timezone.make_aware(datetime.combine(day - timedelta(days=1) if offset else day, time(hour if not offset else 17)), tz)
        if offset == 0:
            cutoff = timezone.now() + timedelta(hours=2)
        meal = Meal.objects.create(date=day, kind=kind, price=Decimal(price), subsidy=Decimal(subsidy),
            cutoff_at=cutoff, capacity=120, guests_allowed=kind == "lunch")
        for dish in (dishes[3:] if kind == "breakfast" else dishes[:3]):
            MealDish.objects.create(meal=meal, dish=dish)
today_lunch = Meal.objects.get(date=today, kind="lunch")
for i, diner in enumerate(diners):
    ordering.place_order(diner, today_lunch.pk, guests=1 if diner.guests_allowed else 0,
                         dish_id=dishes[i % 3].pk)
for diner in diners[:6]:
    ordering.place_order(diner, Meal.objects.get(date=today, kind="breakfast").pk, dish_id=dishes[3].pk)
Holiday.objects.create(date=today + timedelta(days=30), name="元旦")
print(today_lunch.pk, dishes[0].pk)
"""


def main():
    IMG.mkdir(exist_ok=True)
    env = bench.environment(
        {
            "DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            "WECHAT_API_BASE": "http://127.0.0.1:9/",
        }
    )
    manage = bench.demo_database(OUT, env)
    password = "Mp-" + secrets.token_urlsafe(16)
    shown = subprocess.run(
        [*manage, "shell", "-c", DEMO_CANTEEN.replace("{password}", password)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    meal_id, dish_id = shown.stdout.strip().splitlines()[-1].split()
    server = bench.Server(env)
    base = f"http://localhost:{server.port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = desktop.new_page()
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "canteen")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.goto(base + "/admin/canteen/")
            page.screenshot(path=IMG / "mp-dashboard.png")
            page.goto(base + "/admin/snippets/mini_programs/meal/")
            page.screenshot(path=IMG / "mp-meals.png")
            page.goto(base + f"/admin/snippets/mini_programs/meal/edit/{meal_id}/")
            page.screenshot(path=IMG / "mp-meal-edit.png", full_page=True)
            page.goto(base + "/admin/snippets/mini_programs/holiday/add/")
            page.screenshot(path=IMG / "mp-holiday.png")
            page.goto(base + "/admin/canteen/import/")
            page.screenshot(path=IMG / "mp-import.png")
            page.goto(base + f"/admin/snippets/mini_programs/dish/delete/{dish_id}/")
            page.wait_for_timeout(1500)  # the admin's messages slide in
            page.screenshot(path=IMG / "mp-delete-refused.png")
            page.goto(base + "/admin/snippets/mini_programs/invitation/add/")
            page.screenshot(path=IMG / "mp-invitation.png")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
