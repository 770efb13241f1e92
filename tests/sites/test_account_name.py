"""The admin's own account page (/admin/account/) asks for one 姓名, and the admin names the
person by it wherever Wagtail shows a user's name."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


def account_form(html: str) -> dict:
    """What a browser would post from the account page as it is (inputs, selects, checkboxes)."""
    form = BeautifulSoup(html, "html.parser").find("form", attrs={"method": "POST"}) or (
        BeautifulSoup(html, "html.parser").find("form", attrs={"method": "post"})
    )
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "file"):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def editor(client, staff):
    user = staff("nanning", "editor")
    user.email = "editor@nanning.gov.cn"
    user.save()
    client.force_login(user)
    return user


def test_the_account_page_asks_for_one_full_name(client, editor):
    html = client.get("/admin/account/").content.decode()
    assert 'name="name_email-first_name"' in html and "姓名" in html
    assert 'name="name_email-last_name"' not in html


def test_saving_the_name_keeps_it_whole_and_the_admin_shows_it(client, editor):
    data = account_form(client.get("/admin/account/").content.decode())
    data["name_email-first_name"] = "黄志明"
    response = client.post("/admin/account/", data)
    assert response.status_code == 302
    editor.refresh_from_db()
    assert (editor.first_name, editor.last_name) == ("黄志明", "")
    assert editor.get_full_name() == "黄志明"
    # The sidebar's account menu names the person by it.
    soup = BeautifulSoup(client.get("/admin/").content.decode(), "html.parser")
    props = json.loads(soup.find(id="wagtail-sidebar-props").text)
    assert "黄志明" in json.dumps(props, ensure_ascii=False)


def test_an_empty_name_is_refused_in_chinese_and_nothing_changes(client, editor):
    editor.first_name = "黄志明"
    editor.save()
    data = account_form(client.get("/admin/account/").content.decode())
    data["name_email-first_name"] = "  "
    response = client.post("/admin/account/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写姓名。" in html and 'value="editor@nanning.gov.cn"' in html
    editor.refresh_from_db()
    assert editor.first_name == "黄志明"


def test_a_name_entered_split_in_wagtails_forms_is_shown_whole(client, editor):
    # Wagtail's zh-hans forms label first_name 名 and last_name 姓.
    editor.first_name, editor.last_name = "志明", "黄"
    editor.save()
    data = account_form(client.get("/admin/account/").content.decode())
    assert data["name_email-first_name"] == "黄志明"
    assert client.post("/admin/account/", data).status_code == 302
    editor.refresh_from_db()
    assert editor.get_full_name() == "黄志明" and editor.last_name == ""


def test_the_user_screens_show_a_split_name_whole_too(client, django_user_model, portals):
    admin = django_user_model.objects.create_superuser("root-admin", password="Pw-root-2026!")
    client.force_login(admin)
    user = django_user_model.objects.create_user("li-editor", first_name="四", last_name="李")
    html = client.get(reverse("wagtailusers_users:edit", args=[user.pk])).content.decode()
    assert 'value="李四"' in html


def test_the_upgrade_joins_names_saved_split_so_the_admin_shows_them_whole(django_user_model):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sites.migrations.0004_staff_whole_names")
    chinese = django_user_model.objects.create_user("huang", first_name="志明", last_name="黄")
    latin = django_user_model.objects.create_user("ann", first_name="Ann", last_name="Lee")
    whole = django_user_model.objects.create_user("wang", first_name="王小明")
    migration.join_names(apps, None)
    for user, name in ((chinese, "黄志明"), (latin, "Ann Lee"), (whole, "王小明")):
        user.refresh_from_db()
        assert (user.get_full_name(), user.last_name) == (name, "")
