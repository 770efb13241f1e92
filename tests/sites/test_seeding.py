"""seed_portals builds the 15 portals once and changes nothing when run again."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Site, Workflow

from cms.models import ArticlePage, ColumnPage, TopicPage
from sites.models import Portal, PortalSettings
from sites.registry import PORTALS

pytestmark = pytest.mark.django_db


def test_every_portal_is_a_site_with_its_own_hostname_and_home():
    sites = {s.hostname: s for s in Site.objects.select_related("root_page")}
    assert len(sites) == 15
    for spec in PORTALS:
        site = sites[f"{spec.code}.localhost"]
        assert site.site_name == spec.name
        assert site.root_page.specific_class.__name__ == "HomePage"
        assert site.portal.code == spec.code


def test_the_regional_portal_answers_for_unknown_hosts(client):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "广西壮族自治区信访局" in response.content.decode()


def test_each_portal_has_the_standard_columns_and_its_topics(portals):
    for portal in portals.values():
        titles = set(portal.site.root_page.get_children().values_list("title", flat=True))
        assert {
            "工作动态",
            "通知公告",
            "政策法规",
            "信访指南",
            "铸牢中华民族共同体意识专栏",
        } <= titles
    assert "平陆运河专题" in {p.title for p in portals["qinzhou"].site.root_page.get_children()}


def test_each_portal_has_footer_settings_and_a_three_step_workflow(portals):
    for portal in portals.values():
        footer = PortalSettings.for_site(portal.site)
        assert footer.icp_number and footer.police_number and footer.site_identifier
        workflow = Workflow.objects.get(name=f"{portal.name}三审流程")
        steps = [t.name for t in workflow.tasks]
        assert steps[-3:] == [f"{portal.city}·初审", f"{portal.city}·复审", f"{portal.city}·终审"]
        assert portal.site.root_page.get_workflow() == workflow


def test_a_second_run_changes_nothing():
    before = (
        Page.objects.count(),
        Site.objects.count(),
        Portal.objects.count(),
        Workflow.objects.count(),
    )
    out = StringIO()
    call_command("seed_portals", "--no-admin", stdout=out)
    after = (
        Page.objects.count(),
        Site.objects.count(),
        Portal.objects.count(),
        Workflow.objects.count(),
    )
    assert before == after
    assert "新建门户：无" in out.getvalue()


def test_demo_content_is_idempotent_and_mentions_the_topics():
    call_command("seed_portals", "--demo", "--no-admin", stdout=StringIO())
    count = ArticlePage.objects.count()
    assert count > 100
    assert ArticlePage.objects.filter(title__contains="平陆运河").exists()
    call_command("seed_portals", "--demo", "--no-admin", stdout=StringIO())
    assert ArticlePage.objects.count() == count
    assert TopicPage.objects.filter(title="平陆运河专题").count() == 3
    assert ColumnPage.objects.filter(title="工作动态").count() == 15


def test_the_first_administrator_gets_a_random_password_shown_once():
    users = get_user_model().objects
    users.filter(is_superuser=True).delete()
    first, second = StringIO(), StringIO()
    call_command("seed_portals", stdout=first)
    call_command("seed_portals", stdout=second)
    admin = users.get(is_superuser=True)
    password = first.getvalue().split("初始密码（仅显示这一次）：")[1].split()[0]
    assert admin.check_password(password)
    assert len(password) >= 12
    assert "初始密码" not in second.getvalue()
    assert "http://nanning.localhost/" in first.getvalue()
