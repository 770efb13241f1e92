"""The portals of the group, defined once: code, name and administrative region code.

The code is the short pinyin name used in hostnames (``nanning.<domain>``), group names and the
``portal`` column of account imports. The regional portal is first and is the default site.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalSpec:
    code: str
    city: str  # e.g. 南宁; the regional portal uses 广西
    region_code: str  # GB/T 2260 administrative division code
    is_regional: bool = False

    @property
    def name(self) -> str:
        if self.is_regional:
            return "广西壮族自治区信访局"
        return f"{self.city}市信访局"


PORTALS: tuple[PortalSpec, ...] = (
    PortalSpec("gx", "广西", "450000", is_regional=True),
    PortalSpec("nanning", "南宁", "450100"),
    PortalSpec("liuzhou", "柳州", "450200"),
    PortalSpec("guilin", "桂林", "450300"),
    PortalSpec("wuzhou", "梧州", "450400"),
    PortalSpec("beihai", "北海", "450500"),
    PortalSpec("fangchenggang", "防城港", "450600"),
    PortalSpec("qinzhou", "钦州", "450700"),
    PortalSpec("guigang", "贵港", "450800"),
    PortalSpec("yulin", "玉林", "450900"),
    PortalSpec("baise", "百色", "451000"),
    PortalSpec("hezhou", "贺州", "451100"),
    PortalSpec("hechi", "河池", "451200"),
    PortalSpec("laibin", "来宾", "451300"),
    PortalSpec("chongzuo", "崇左", "451400"),
)

PORTALS_BY_CODE = {p.code: p for p in PORTALS}


# Roles of a portal's staff: the import file's role column accepts the key or the Chinese name.
# The first four are content roles (pages, 三审, media); the handling roles (受理, 办理) work on
# citizens' submissions in the case inbox and never edit pages. Content roles never see the inbox.
ROLES = {
    "editor": "编辑",
    "reviewer": "审核",
    "approver": "终审",
    "admin": "管理员",
    "intake": "受理",
    "handler": "办理",
}
CONTENT_ROLES = ("editor", "reviewer", "approver", "admin")
HANDLING_ROLES = ("intake", "handler")

# The three separated administrators (三员分立) of the whole installation, each one group:
# system (accounts, portals, configuration), security (roles, permissions, lockouts, security
# settings) and audit (reads and exports the audit log only). The superuser is for installation.
ADMIN_ROLES = {
    "system": "系统管理员",
    "security": "安全管理员",
    "audit": "审计管理员",
}
ROLE_ALIASES = {**{k: k for k in ROLES}, **{v: k for k, v in ROLES.items()}}


def group_name(portal_name: str, role: str) -> str:
    return f"{portal_name}-{ROLES[role]}"


# Postal codes and telephone area codes of the bureaus' cities (the regional bureau is in 南宁),
# for the footers filled in at seeding; site administrators keep them up to date in the admin.
POSTCODES = {
    "gx": "530000",
    "nanning": "530000",
    "liuzhou": "545000",
    "guilin": "541000",
    "wuzhou": "543000",
    "beihai": "536000",
    "fangchenggang": "538000",
    "qinzhou": "535000",
    "guigang": "537100",
    "yulin": "537000",
    "baise": "533000",
    "hezhou": "542800",
    "hechi": "547000",
    "laibin": "546100",
    "chongzuo": "532200",
}
AREA_CODES = {
    "gx": "0771",
    "nanning": "0771",
    "liuzhou": "0772",
    "guilin": "0773",
    "wuzhou": "0774",
    "beihai": "0779",
    "fangchenggang": "0770",
    "qinzhou": "0777",
    "guigang": "0775",
    "yulin": "0775",
    "baise": "0776",
    "hezhou": "0774",
    "hechi": "0778",
    "laibin": "0772",
    "chongzuo": "0771",
}
