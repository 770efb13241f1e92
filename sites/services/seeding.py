"""Building the 15 portals: sites, settings, groups, workflows, columns and (with demo) content.

Idempotent: every object is found by its natural key (portal code, page slug under its parent)
before it is created, so running it again changes nothing.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.factories import ArticlePageFactory, ColumnPageFactory, TopicPageFactory, paragraph
from cms.models import HomePage
from sites.models import AccountProfile, Portal, PortalSettings
from sites.registry import PORTALS, PortalSpec
from sites.services import home_seeding
from sites.services.permissions import ensure_admin_role_groups, ensure_portal_groups
from sites.services.workflows import ensure_portal_workflow

COLUMNS = (
    ("gzdt", "工作动态", "本单位信访工作的最新动态"),
    ("tzgg", "通知公告", "通知、公告与公示"),
    ("zcfg", "政策法规", "信访工作相关法律法规与政策文件"),
    ("xfzn", "信访指南", "如何反映诉求、办理流程与时限"),
)
TOPICS = {
    "plyh": (
        "平陆运河专题",
        "平陆运河是西部陆海新通道骨干工程，本专题集中发布运河建设中的群众诉求办理情况和绿色通道服务。",
        (("gcjz", "工程进展"), ("lstd", "绿色通道")),
    ),
    "zlgtt": (
        "铸牢中华民族共同体意识专栏",
        "深入学习贯彻习近平总书记关于加强和改进民族工作的重要思想，铸牢中华民族共同体意识。",
        (("llxx", "理论学习"), ("gzsj", "工作实践")),
    ),
}
# Which portals carry which topic: 平陆运河 runs through 南宁 and 钦州.
TOPICS_BY_PORTAL = {
    "gx": ("plyh", "zlgtt"),
    "nanning": ("plyh", "zlgtt"),
    "qinzhou": ("plyh", "zlgtt"),
}
DEFAULT_TOPICS = ("zlgtt",)

DEMO_ARTICLES = {
    "gzdt": (
        "{city}召开信访工作联席会议部署重点任务",
        "{city}信访局开展“信访事项办理质量提升年”活动",
        "{city}推进平陆运河建设征地拆迁信访问题化解",
        "{city}领导干部接访下访 面对面解决群众急难愁盼",
        "{city}信访局开展《信访工作条例》宣传月活动",
    ),
    "tzgg": (
        "关于调整{city}信访接待时间的通知",
        "{city}信访局关于开通平陆运河建设群众诉求绿色通道的公告",
        "关于公开征集人民建议的公告",
    ),
    "zcfg": (
        "信访工作条例",
        "{city}信访事项办理规范（试行）",
        "关于进一步规范网上信访工作的意见",
    ),
    "xfzn": (
        "网上信访办理流程",
        "信访事项办理时限说明",
        "如何查询信访事项办理进度和评价",
    ),
}
BODY_TEMPLATE = (
    "{title}。{city}各级信访部门坚持以人民为中心的发展思想，认真贯彻落实《信访工作条例》，"
    "依法及时就地解决群众合理诉求。信访事项办理实行首办负责制，受理后60日内办结；"
    "对平陆运河建设中涉及的征地拆迁、移民安置等信访事项，开通绿色通道，优先受理、优先办理。"
    "群众可通过网上信访、领导留言板、人民建议征集等渠道反映诉求，并凭查询码查询办理进度、评价办理结果。"
)


@dataclass
class SeedReport:
    created_portals: list[str] = field(default_factory=list)
    created_pages: int = 0
    admin_username: str = ""
    admin_password: str = ""  # only when the administrator was created by this run
    # Demo accounts created by this run: (username, role, one-time password).
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def portal_urls(self) -> list[tuple[str, str]]:
        """(name, address) of every portal as this installation serves it now."""
        return [
            (p.name, portal_base_url(p.site) + "/") for p in Portal.objects.select_related("site")
        ]


def portal_base_url(site) -> str:
    """``scheme://host[:port]`` of a portal from the settings read at run time (PORTAL_SCHEME,
    PORTAL_PORT), not from the values stored in the Site record when it was seeded: Wagtail's
    own ``Site.root_url`` cannot say https on a port other than 443."""
    scheme = settings.PORTAL_SCHEME
    port = int(settings.PORTAL_PORT)
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{site.hostname}" + ("" if port == default else f":{port}")


def ensure_wagtail_roots():
    """The tree roots Wagtail's migrations create; recreated when a database was emptied."""
    from django.conf import settings as django_settings
    from wagtail.models import Collection, Locale

    Locale.objects.get_or_create(language_code=django_settings.LANGUAGE_CODE)
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


def _remove_wagtail_welcome_site():
    """Wagtail's first migration creates a placeholder site and page; the portals replace them."""
    for site in Site.objects.filter(portal__isnull=True):
        page = site.root_page
        site.delete()
        if page.depth == 2 and page.specific_class is Page and not page.get_children().exists():
            page.delete()


def _remove_wagtail_default_groups_and_workflow():
    """Wagtail's migrations create "Editors"/"Moderators" groups with rights on the whole tree and
    a "Moderators approval" workflow on the root; in a group of portals whose staff must each see
    only their own portal, nothing may grant rights on every portal at once."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage

    root = Page.get_first_root_node()
    WorkflowPage.objects.filter(page=root).delete()
    for workflow in Workflow.objects.filter(name="Moderators approval"):
        tasks = list(workflow.tasks)
        workflow.delete()
        for task in tasks:
            if isinstance(task.specific, GroupApprovalTask) and not task.workflow_tasks.exists():
                task.delete()
    for group in Group.objects.filter(name__in=("Editors", "Moderators")):
        if group.user_set.exists():
            group.page_permissions.filter(page=root).delete()
        else:
            group.delete()


def _hostname(code: str) -> str:
    return f"{code}.{settings.PORTAL_DOMAIN}"


def _child(parent: Page, slug: str):
    return parent.get_children().filter(slug=slug).specific().first()


def ensure_portal(spec: PortalSpec, order: int, report: SeedReport) -> Portal:
    portal = Portal.objects.filter(code=spec.code).select_related("site__root_page").first()
    if portal is None:
        root = Page.get_first_root_node()
        home = _child(root, spec.code) or root.add_child(
            instance=HomePage(
                title=spec.name,
                slug=spec.code,
                intro=f"{spec.name}门户网站：网上信访、领导留言、人民建议征集、办理查询评价。",
            )
        )
        site = Site.objects.filter(hostname=_hostname(spec.code)).first() or Site(
            hostname=_hostname(spec.code)
        )
        site.port = settings.PORTAL_PORT
        site.site_name = spec.name
        site.root_page = home
        site.is_default_site = spec.is_regional
        site.save()
        portal = Portal.objects.create(
            site=site,
            code=spec.code,
            name=spec.name,
            city=spec.city,
            region_code=spec.region_code,
            is_regional=spec.is_regional,
            sort_order=order,
        )
        report.created_portals.append(spec.code)
    elif portal.site.port != settings.PORTAL_PORT:
        # Repair a record seeded under another PORTAL_PORT, so that Wagtail's own URLs agree.
        portal.site.port = settings.PORTAL_PORT
        portal.site.save(update_fields=["port"])
    footer = PortalSettings.for_site(portal.site)
    if not footer.sponsor:
        number = order + 1
        footer.sponsor = spec.name
        footer.organizer = f"{spec.name}办公室"
        footer.site_identifier = f"{spec.region_code}{number:04d}"
        footer.icp_number = f"桂ICP备{20000000 + number}号-1"
        footer.police_number = f"桂公网安备 {spec.region_code}02{number:06d}号"
        footer.address = f"广西壮族自治区{'南宁市' if spec.is_regional else spec.city + '市'}民族大道{100 + number}号"
        footer.phone = f"0771-{5600000 + number}"
        footer.postcode = f"{spec.region_code[:3]}000"  # corrected below: home_seeding
        footer.government_mark_url = "https://bszs.conac.cn/sitename?method=show&id=0"
        footer.save()
    home_seeding.repair_footer(portal, footer)
    return portal


def ensure_columns(portal: Portal, demo: bool, report: SeedReport):
    home = portal.site.root_page.specific
    columns = {}
    for slug, title, intro in COLUMNS:
        column = _child(home, slug)
        if column is None:
            column = ColumnPageFactory(parent=home, slug=slug, title=title, intro=intro)
            report.created_pages += 1
        columns[slug] = column
    for topic_slug in TOPICS_BY_PORTAL.get(portal.code, DEFAULT_TOPICS):
        title, intro, sections = TOPICS[topic_slug]
        topic = _child(home, topic_slug)
        if topic is None:
            topic = TopicPageFactory(
                parent=home,
                slug=topic_slug,
                title=title,
                intro=intro,
                green_channel=topic_slug == "plyh",
            )
            report.created_pages += 1
        for section_slug, section_title in sections:
            section = _child(topic, section_slug)
            if section is None:
                section = ColumnPageFactory(parent=topic, slug=section_slug, title=section_title)
                report.created_pages += 1
            columns[f"{topic_slug}/{section_slug}"] = section
    if demo:
        _ensure_demo_articles(portal, columns, report)
        report.created_pages += home_seeding.seed_demo_home(portal)
    return columns


def _ensure_demo_articles(portal: Portal, columns: dict, report: SeedReport):
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    titles = dict(DEMO_ARTICLES)
    titles["plyh/gcjz"] = ("平陆运河{city}段建设进展顺利", "平陆运河沿线群众诉求办理情况通报")
    titles["plyh/lstd"] = ("平陆运河绿色通道服务指引",)
    titles["zlgtt/llxx"] = ("深入学习铸牢中华民族共同体意识重要论述",)
    titles["zlgtt/gzsj"] = ("{city}以信访工作助力铸牢中华民族共同体意识",)
    for key, column in columns.items():
        if column.get_children().exists():
            continue
        for index, pattern in enumerate(titles.get(key, ())):
            title = pattern.format(city=portal.city if not portal.is_regional else "自治区")
            ArticlePageFactory(
                parent=column,
                title=title,
                slug=f"a{index + 1}",
                source=portal.name,
                author="综合科",
                publish_date=now - timedelta(days=index * 3 + len(key)),
                summary=title,
                body=paragraph(BODY_TEMPLATE.format(title=title, city=portal.city)),
            )
            report.created_pages += 1


def ensure_admin(report: SeedReport, username: str = "admin"):
    """Create the first administrator with a random password, printed once; never a fixed default."""
    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return
    password = secrets.token_urlsafe(12)
    user = user_model.objects.create_superuser(
        username=username, email="", password=password, first_name="系统管理员"
    )
    # The printed password is one-time: it must be replaced at first login, like imported ones.
    AccountProfile.objects.update_or_create(
        user=user, defaults={"must_change_password": True, "password_issued_at": timezone.now()}
    )
    report.admin_username, report.admin_password = username, password


@transaction.atomic
def seed_portals(
    demo: bool = False, create_admin: bool = False, dictionaries: bool = True
) -> SeedReport:
    report = SeedReport()
    ensure_wagtail_roots()
    _remove_wagtail_welcome_site()
    _remove_wagtail_default_groups_and_workflow()
    for order, spec in enumerate(PORTALS):
        portal = ensure_portal(spec, order, report)
        groups = ensure_portal_groups(portal)
        ensure_portal_workflow(portal, groups)
        ensure_columns(portal, demo, report)
    ensure_admin_role_groups()
    if dictionaries:
        seed_sensitive_words()
    from backend_bridge.services.seeding import seed_board_and_suggestions

    seed_board_and_suggestions(Portal.objects.all(), demo=demo)
    from mini_programs.services.seeding import seed_canteen_group

    seed_canteen_group()
    if create_admin:
        ensure_admin(report)
    if demo:
        ensure_demo_accounts(report)
    return report


DEMO_ACCOUNT_PORTALS = ("nanning", "liuzhou")


def ensure_demo_accounts(report: SeedReport) -> None:
    """One demo account per role: the three separated administrators, and each portal role of
    南宁 and 柳州 (``nanning-editor``, ``liuzhou-handler``, ...). Each gets a one-time password,
    printed once and to be changed at first login; existing accounts are left alone."""
    from django.contrib.auth.models import Group

    from sites.registry import ADMIN_ROLES, ROLES, group_name
    from sites.services.accounts import apply_row, reset_password

    user_model = get_user_model()
    for role, label in ADMIN_ROLES.items():
        username = f"demo-{role}-admin"
        if user_model.objects.filter(username=username).exists():
            continue
        user = user_model.objects.create_user(username=username, first_name=label)
        user.groups.add(Group.objects.get(name=label))
        report.demo_accounts.append((username, label, reset_password(user)))
    for code in DEMO_ACCOUNT_PORTALS:
        portal = Portal.objects.filter(code=code).first()
        if portal is None:
            continue
        for role in ROLES:
            username = f"{code}-{role}"
            if user_model.objects.filter(username=username).exists():
                continue
            row = {"username": username, "姓名": f"{portal.city}{ROLES[role]}", "phone": ""}
            _, password = apply_row(row, portal, role)
            report.demo_accounts.append((username, group_name(portal.name, role), password))


def seed_sensitive_words():
    """The built-in dictionaries and official-expression rules (idempotent)."""
    from sensitive_words.services import seed_defaults

    seed_defaults()
