"""Staff names in the admin: one 姓名 field, shown whole (family name first), no Gravatar."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("root-admin", password="Pw-root-admin-2026")
    client.force_login(user)
    return user


def test_the_user_form_asks_for_one_full_name(client, superuser):
    html = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert "姓名" in html and 'name="first_name"' in html and 'name="last_name"' not in html
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "wang-editor",
            "email": "wang@example.gov.cn",
            "first_name": "王小明",
        },
    )
    # The new account's one-time password is shown once (sites.admin_users).
    assert response.status_code == 200 and "one-time-password" in response.content.decode()
    user = User.objects.get(username="wang-editor")
    assert user.get_full_name() == "王小明" and user.last_name == ""
    assert "王小明" in client.get(reverse("wagtailusers_users:index")).content.decode()


def test_the_edit_form_keeps_the_name_whole(client, superuser):
    user = User.objects.create_user("li-editor", first_name="李", last_name="四")
    html = client.get(reverse("wagtailusers_users:edit", args=[user.pk])).content.decode()
    assert 'name="last_name"' not in html and "姓名" in html


def test_no_avatar_is_fetched_from_outside(client, superuser):
    html = client.get("/admin/").content.decode()
    assert "gravatar" not in html.lower()
