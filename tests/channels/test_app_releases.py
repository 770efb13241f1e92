"""Release checks of the APP (latest, optional and forced updates, staged rollout, bad input) and
their management in the admin by the regional portal's administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.app.releases import in_rollout
from channels.models import AppRelease

pytestmark = pytest.mark.django_db

CHECK = "/api/app/v1/releases/latest"


def release(version, platform="android", **fields) -> AppRelease:
    defaults = {
        "release_notes": f"{version} 更新说明",
        "download_url": f"https://app.gxxf.example/gxxf-{version}.apk",
        "published": True,
    }
    return AppRelease.objects.create(platform=platform, version=version, **{**defaults, **fields})


def check(client, **params):
    return client.get(CHECK, params)


def test_the_latest_version_needs_no_update(client):
    release("2.0.0")
    release("2.1.0")
    body = check(client, platform="android", version="2.1.0").json()
    assert body["latest"]["version"] == "2.1.0"
    assert (body["update_available"], body["update_required"]) == (False, False)


def test_an_older_version_gets_an_optional_update(client):
    release("2.0.0")
    release("2.10.0", min_supported_version="1.5")
    release("2.9.9")  # numeric, not alphabetical, order: 2.10.0 is the newest
    body = check(client, platform="android", version="2.0.0").json()
    assert body["latest"]["version"] == "2.10.0"
    assert body["latest"]["download_url"].endswith("gxxf-2.10.0.apk")
    assert (body["update_available"], body["update_required"]) == (True, False)


def test_a_version_below_the_minimum_must_update(client):
    release("3.0.0", min_supported_version="2.5.0")
    body = check(client, platform="android", version="2.4.9").json()
    assert (body["update_available"], body["update_required"]) == (True, True)
    assert body["latest"]["min_supported_version"] == "2.5.0"


def test_platforms_are_separate_and_unpublished_versions_are_not_offered(client):
    release("5.0.0", platform="ios")
    release("9.0.0", published=False)
    body = check(client, platform="android", version="1.0").json()
    assert body["latest"] is None and body["update_available"] is False
    assert check(client, platform="ios", version="1.0").json()["latest"]["version"] == "5.0.0"


def test_unknown_platform_or_bad_version_is_a_clear_400(client):
    unknown = check(client, platform="windows", version="1.0.0")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_platform"
    assert "android、ios 或 harmony" in unknown.json()["message"]
    bad = check(client, platform="harmony", version="v1.beta")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_version"
    assert "版本号" in bad.json()["message"]
    missing = client.get(CHECK, {"platform": "ios"})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"


def test_a_staged_rollout_reaches_the_same_devices_every_time(client):
    release("1.0.0")
    staged = release("1.1.0", rollout_percent=30)
    devices = [f"device-{n}" for n in range(200)]
    chosen = [d for d in devices if in_rollout(staged, d)]
    assert 30 <= len(chosen) <= 90  # about 30 % of 200
    inside, outside = chosen[0], next(d for d in devices if d not in chosen)

    for _ in range(2):
        got = check(client, platform="android", version="1.0.0", device_id=inside).json()
        assert got["latest"]["version"] == "1.1.0" and got["update_available"] is True
    other = check(client, platform="android", version="1.0.0", device_id=outside).json()
    assert other["latest"]["version"] == "1.0.0" and other["update_available"] is False
    # Without a device id only what reached every device is offered.
    assert check(client, platform="android", version="1.0.0").json()["latest"]["version"] == "1.0.0"
    # Growing the share keeps the devices that had it.
    staged.rollout_percent = 60
    staged.save()
    assert all(in_rollout(staged, d) for d in chosen)


def test_the_release_check_answers_304_to_its_etag(client):
    release("1.0.0")
    first = check(client, platform="android", version="1.0.0")
    again = client.get(
        CHECK, {"platform": "android", "version": "1.0.0"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304 and first["Cache-Control"] == "no-cache"


# --- the admin's APP版本管理 -------------------------------------------------------------------


def form(**fields):
    data = {
        "platform": "android",
        "version": "2.3.1",
        "release_notes": "修复已知问题，优化信访件查询。",
        "download_url": "https://app.gxxf.example/gxxf-2.3.1.apk",
        "checksum": "A" * 64,
        "min_supported_version": "2.0.0",
        "rollout_percent": "20",
        "published": "on",
    }
    data.update(fields)
    return data


def test_a_regional_administrator_publishes_a_release_through_the_admin(client, staff):
    client.force_login(staff("gx", "admin"))
    assert reverse("app_releases:index") in client.get("/admin/").content.decode()  # the menu
    index = client.get(reverse("app_releases:index"))
    assert index.status_code == 200 and "APP 版本" in index.content.decode()
    response = client.post(reverse("app_releases:add"), form())
    assert response.status_code == 302, response.context["form"].errors
    saved = AppRelease.objects.get()
    assert (saved.version, saved.rollout_percent, saved.checksum) == ("2.3.1", 20, "a" * 64)

    edited = client.post(reverse("app_releases:edit", args=[saved.pk]), form(rollout_percent="100"))
    assert edited.status_code == 302
    answer = client.get(CHECK, {"platform": "android", "version": "1.9.0"}).json()
    assert answer["latest"]["version"] == "2.3.1" and answer["update_required"] is True


def test_wrong_release_input_is_shown_in_chinese_and_kept(client, staff):
    client.force_login(staff("gx", "admin"))
    response = client.post(
        reverse("app_releases:add"),
        form(version="2.3.x", checksum="zz", rollout_percent="150", min_supported_version="9"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "版本号“2.3.x”格式不正确" in errors["version"][0]
    assert "64 位十六进制" in errors["checksum"][0]
    assert "rollout_percent" in errors
    html = response.content.decode()
    assert 'value="2.3.x"' in html and "修复已知问题" in html
    assert not AppRelease.objects.exists()

    higher = client.post(reverse("app_releases:add"), form(min_supported_version="3.0"))
    assert "最低支持版本不能高于本版本" in higher.context["form"].errors["min_supported_version"][0]


def test_city_portal_staff_cannot_manage_releases(client, staff):
    existing = release("7.7.7", release_notes="仅管理员可见的说明")
    for role in ("admin", "editor"):
        client.force_login(staff("nanning", role))
        refused = client.get(reverse("app_releases:index"))
        assert refused.status_code == 403
        assert "仅管理员可见的说明" not in refused.content.decode()
        dashboard = client.get("/admin/").content.decode()
        assert reverse("app_releases:index") not in dashboard  # nor in the menu
        posted = client.post(reverse("app_releases:edit", args=[existing.pk]), form())
        assert posted.status_code == 403
    existing.refresh_from_db()
    assert existing.version == "7.7.7"
