"""HTML that leaves for a channel, cut to that channel's allow-list: ``sanitize(html, profile)``.

One function behind which bleach (with its CSS sanitizer for inline styles) does the work, so
that another sanitizer (nh3) can replace it without touching a channel. A profile names the tags,
attributes, inline styles, URL schemes and link hosts a channel accepts; what it does not accept
is dropped, keeping the text (scripts, styles, iframes and forms are removed with their content).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import bleach
from bleach.css_sanitizer import CSSSanitizer

_TEXT_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "span", "blockquote"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "hr"}
)
_TABLE_TAGS = frozenset({"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"})
_STYLES = frozenset(
    {"color", "background-color", "font-size", "font-weight", "font-style", "text-align"}
    | {"text-decoration", "line-height", "letter-spacing", "margin", "margin-top"}
    | {"margin-bottom", "padding", "border", "border-collapse", "width", "max-width", "height"}
    | {"overflow-x", "display", "word-break", "white-space", "vertical-align"}
)
# Removed together with what they contain, not unwrapped.
_DANGEROUS = re.compile(
    r"<(script|style|iframe|object|embed|form|template|noscript|svg|math)\b.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Profile:
    name: str
    tags: frozenset[str]
    attributes: dict[str, list[str]]
    styles: frozenset[str] = _STYLES
    protocols: frozenset[str] = frozenset({"https", "http"})
    #: hosts links may point to; an empty set allows any host of an allowed protocol
    link_hosts: frozenset[str] = field(default_factory=frozenset)


PROFILES = {
    # What WeChat's article editor keeps: inline styles, no scripts, iframes or forms, links only
    # to WeChat articles and the bureau's own sites.
    "wechat": Profile(
        name="wechat",
        tags=_TEXT_TAGS | _TABLE_TAGS | {"section", "img", "a"},
        attributes={
            "*": ["style"],
            "img": ["src", "alt", "data-src", "width", "height"],
            "a": ["href"],
            "td": ["colspan", "rowspan"],
            "th": ["colspan", "rowspan", "scope"],
        },
        link_hosts=frozenset({"mp.weixin.qq.com"}),
    ),
    # The APP's web view: the portal's structure without scripts; images with srcset.
    "app": Profile(
        name="app",
        tags=_TEXT_TAGS | _TABLE_TAGS | {"section", "figure", "figcaption", "img", "a", "div"},
        attributes={
            "*": ["style", "class"],
            "img": ["src", "srcset", "sizes", "alt", "width", "height", "loading"],
            "a": ["href", "title", "download"],
            "td": ["colspan", "rowspan"],
            "th": ["colspan", "rowspan", "scope"],
        },
    ),
}


def _host_allowed(profile: Profile, url: str, extra_hosts: frozenset[str]) -> bool:
    hosts = profile.link_hosts | extra_hosts
    if not hosts:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def sanitize(html: str, profile: str, *, link_hosts: frozenset[str] = frozenset()) -> str:
    """``html`` reduced to what channel ``profile`` accepts (``link_hosts`` adds allowed hosts)."""
    spec = PROFILES[profile]
    html = _DANGEROUS.sub("", html or "")

    def keep_attribute(tag, name, value):
        allowed = spec.attributes.get(tag, []) + spec.attributes.get("*", [])
        if name not in allowed:
            return False
        if tag == "a" and name == "href":
            return _host_allowed(spec, value, link_hosts)
        return True

    cleaner = bleach.Cleaner(
        tags=spec.tags,
        attributes=keep_attribute,
        protocols=spec.protocols,
        strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=spec.styles),
    )
    cleaned = cleaner.clean(html)
    # A link whose target was refused keeps its text, not an empty <a>.
    return re.sub(r"<a>(.*?)</a>", r"\1", cleaned, flags=re.DOTALL)
