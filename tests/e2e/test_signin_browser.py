"""Signing in to the admin in Chromium: password, first-login enrolment of a TOTP app by QR code,
the admin opening after it; the screens pass axe and run under the admin's CSP."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_editor_enrols_a_totp_app_and_reaches_the_admin(portal_content, desktop):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sites.models import Portal
    from tests.conftest import make_staff

    from .conftest import run_axe

    editor = make_staff("nanning-otp-editor", Portal.objects.get(code="nanning"), "editor")
    errors = []
    desktop.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    desktop.goto(portal_content("nanning", "/admin/login/"))
    desktop.fill("#id_username", editor.username)
    desktop.fill("#id_password", "Pw-nanning-otp-editor-2026")
    with desktop.expect_navigation():
        desktop.click("button[type=submit]")
    desktop.wait_for_selector(".security-qr img")
    assert "首次登录：绑定动态验证码" in desktop.content()
    # The QR code is drawn (an SVG picture, allowed as data: by the admin's CSP).
    assert desktop.evaluate("document.querySelector('.security-qr img').naturalWidth") > 0
    assert run_axe(desktop, "main") == []

    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    desktop.fill("#id_token", "000000")
    with desktop.expect_navigation():
        desktop.click("button[type=submit]")
    assert "动态验证码不正确" in desktop.content()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    desktop.fill("#id_token", f"{totp(device.bin_key):06d}")
    with desktop.expect_navigation():
        desktop.click("button[type=submit]")
    assert "/admin/" in desktop.url and "身份验证器已绑定" in desktop.content()
    assert not [e for e in errors if "Content Security Policy" in e]
