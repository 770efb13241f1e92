"""The admin's statistics page: exact figures, per portal for its administrator, all 15 for the
regional one, nothing for content staff, and the same figures in the XLSX export."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from backend_bridge.models import Evaluation, Leader, Source, Status, SuggestionCampaign
from backend_bridge.services import board, citizen, status, suggestions
from backend_bridge.services.board import MessageInput
from backend_bridge.services.suggestions import SuggestionInput
from cms.factories import ArticlePageFactory, ColumnPageFactory
from stats.counting import flush

URL = "/admin/statistics/"
GOOD = "246810"


def reply(submission, days):
    submitted = submission.created_at
    status.record_event(
        submission,
        status=Status.ACCEPTED,
        origin="webhook",
        occurred_at=submitted + timedelta(hours=1),
    )
    status.record_event(
        submission,
        status=Status.REPLIED,
        origin="webhook",
        occurred_at=submitted + timedelta(days=days),
        reply="已处理完毕。",
    )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def traffic(client, portals, column):
    article = ArticlePageFactory(parent=column, title="南宁统计文章")
    for _ in range(4):
        client.get("/", HTTP_HOST=portals["nanning"].site.hostname, REMOTE_ADDR="203.0.113.1")
    client.get(
        f"/{column.slug}/{article.slug}/",
        HTTP_HOST=portals["nanning"].site.hostname,
        REMOTE_ADDR="203.0.113.2",
    )
    client.get("/", HTTP_HOST=portals["liuzhou"].site.hostname, REMOTE_ADDR="203.0.113.3")
    flush()
    return article


@pytest.fixture
def handled(portals, submit, sms_ok, id_number):
    """南宁: 3 petitions (2 replied in 2 and 4 days, one evaluated 满意, one 不满意), a leader message
    answered and published, a suggestion in a campaign; 柳州: one petition."""
    nanning = portals["nanning"]
    petitions = [submit(title=f"南宁信访事项{i}").submission for i in range(3)]
    reply(petitions[0], 2)
    reply(petitions[1], 4)
    citizen.evaluate(petitions[0], Evaluation.Rating.SATISFIED)
    citizen.evaluate(petitions[1], Evaluation.Rating.DISSATISFIED, "答复没有解决问题。")
    submit(portal_code="liuzhou", title="柳州信访事项甲")
    leader = Leader.objects.create(portal=nanning, name="李明", title="局长")
    message = board.submit_message(
        nanning,
        MessageInput(
            leader=str(leader.pk),
            title="关于信访接待时间的留言",
            content="希望周末也能安排信访接待，方便上班族反映问题。",
            name="王芳",
            phone="13800138001",
            sms_code=GOOD,
        ),
        source=Source.WECHAT,
    ).submission
    reply(message, 1)
    message.publication = "approved"
    message.save(update_fields=["publication"])
    suggestions.ensure_domains()
    today = timezone.localdate()
    campaign = SuggestionCampaign.objects.create(
        portal=nanning,
        title="平陆运河建设意见征集",
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=3),
    )
    suggestions.submit_suggestion(
        nanning,
        SuggestionInput(
            campaign=str(campaign.pk),
            domain=str(suggestions.active_domains()[0].pk),
            title="运河沿线绿化建议",
            content="建议在运河沿线多种本地树种，兼顾防洪与景观。",
            name="赵强",
            phone="13800138002",
            sms_code=GOOD,
        ),
        source=Source.APP,
    )
    return petitions


def figures_row(html, label):
    start = html.index(f'<th scope="row">{label}</th>')
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_a_portal_administrator_sees_exact_figures_of_their_own_portal(
    client, staff, traffic, handled
):
    client.force_login(staff("nanning", "admin"))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "网站总访问量<strong>5</strong>" in html
    assert "独立用户访问总量<strong>2</strong>" in html
    petitions = figures_row(html, "信访件")
    # received 3, accepted 2, answered 2, published 0, reply rate 66.7%, average 3 days,
    # longest 4 days, satisfaction 50% of 2 evaluations
    cells = [c.split("<")[0] for c in petitions.split("<td>")[1:]]
    assert cells[:7] == ["3", "2", "2", "0", "66.7%", "3.0 天", "4.0 天"]
    assert "50.0%（2 条评价）" in petitions
    messages = [c.split("<")[0] for c in figures_row(html, "领导留言").split("<td>")[1:]]
    assert messages[:5] == ["1", "1", "1", "1", "100.0%"]
    assert "平陆运河建设意见征集" in html
    channels = {label: figures_row(html, label) for label in ("门户网站", "微信", "APP")}
    assert "<td>3</td>" in channels["门户网站"] and "<td>1</td>" in channels["微信"]
    assert "<td>1</td>" in channels["APP"]
    # 柳州's visit and petition are not 南宁's, and 柳州 is not offered
    assert "柳州" not in html


@pytest.mark.django_db
def test_the_regional_administrator_sees_the_group_and_each_portal(
    client, staff, portals, traffic, handled
):
    client.force_login(staff("gx", "admin"))
    html = client.get(URL).content.decode()
    assert "全部门户（站群合计）" in html
    assert "网站总访问量<strong>6</strong>" in html
    assert "收到信访件<strong>4</strong>" in html
    html = client.get(URL, {"portal": "liuzhou"}).content.decode()
    assert "网站总访问量<strong>1</strong>" in html
    assert "收到信访件<strong>1</strong>" in html


@pytest.mark.django_db
def test_filters_by_channel_and_column(client, staff, portals, column, traffic, handled):
    client.force_login(staff("nanning", "admin"))
    html = client.get(URL, {"portal": "nanning", "source": "wechat"}).content.decode()
    assert "收到信访件<strong>0</strong>" in html and "收到领导留言<strong>1</strong>" in html
    html = client.get(URL, {"portal": "nanning", "column": column.pk}).content.decode()
    assert "网站总访问量<strong>1</strong>" in html  # the article only, not the home page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "approver"])
def test_content_staff_see_no_statistics(client, staff, role, traffic):
    client.force_login(staff("nanning", role))
    response = client.get(URL)
    assert response.status_code == 403
    assert "网站总访问量" not in response.content.decode()
    assert "数据统计" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_another_portal_cannot_be_asked_for(client, staff, traffic):
    client.force_login(staff("nanning", "admin"))
    response = client.get(URL, {"portal": "liuzhou"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "选择一个有效的选项" in html
    assert "网站总访问量" not in html


@pytest.mark.django_db
def test_bad_dates_are_explained_and_the_filters_kept(client, staff):
    client.force_login(staff("nanning", "admin"))
    response = client.get(URL, {"portal": "nanning", "start": "2026-06-01", "end": "2026-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in html
    assert 'value="2026-06-01"' in html
    response = client.get(URL, {"start": "不是日期"})
    assert response.status_code == 200 and "有效的日期" in response.content.decode()


@pytest.mark.django_db
def test_export_has_the_figures_of_the_page(client, staff, traffic, handled):
    client.force_login(staff("nanning", "admin"))
    response = client.get(URL, {"portal": "nanning", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert summary["网站总访问量（次）"] == 5
    assert summary["独立用户访问总量（个）"] == 2
    interaction = {row[0]: row[1:] for row in book["互动交流"].iter_rows(values_only=True)}
    assert interaction["信访件"][:3] == (3, 2, 2)
    assert sum(row[1] for row in book["按月"].iter_rows(min_row=2, values_only=True)) == 5


@pytest.mark.django_db
def test_columns_marked_as_interpretation_are_counted(client, staff, portals):
    home = portals["nanning"].site.root_page
    interpretation = ColumnPageFactory(
        parent=home, title="政策解读", statistics_kind="interpretation"
    )
    for i in range(2):
        ArticlePageFactory(parent=interpretation, title=f"解读{i}")
    from stats import services

    scope = services.year_scope([portals["nanning"]], timezone.localdate().year)
    assert services.content(scope)["by_kind"]["interpretation"] == 2
