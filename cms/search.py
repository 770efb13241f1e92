"""Site search (站内搜索) with Chinese word segmentation.

Neither SQLite FTS5 nor PostgreSQL's parser segments Chinese, so pages expose a pre-segmented
copy of their text (``segmented_text``) that Wagtail's database search backend indexes; queries
are segmented the same way and every term must match. Snippets with highlighted terms are built
here, not by the backend, so that they look the same on every database.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
from django.core.paginator import Paginator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Page

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 10
_WORD = re.compile(r"\w", re.UNICODE)
# Domain terms that the default dictionary splits or joins wrongly.
DOMAIN_WORDS = (
    "平陆运河",
    "信访事项",
    "信访工作条例",
    "信访局",
    "铸牢中华民族共同体意识",
    "领导留言",
    "人民建议征集",
    "网上信访",
)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=2000)
    return tokenizer


def segment(text: str) -> str:
    """Space-separated search-engine segmentation of text (words and their sub-words)."""
    if not text:
        return ""
    return " ".join(t.lower() for t in _tokenizer().cut_for_search(text) if _WORD.search(t))


def query_terms(query: str) -> list[str]:
    """The finest-grained terms of a query: a term made of other terms of the query is dropped,
    so that context-dependent segmentation of the document cannot make a match fail."""
    query = clean_query(query)
    terms = []
    for token in _tokenizer().cut_for_search(query):
        token = token.strip().lower()
        if _WORD.search(token) and token not in terms:
            terms.append(token)
    finest = [t for t in terms if not any(o != t and o in t for o in terms)]
    return finest


def clean_query(query: str) -> str:
    query = "".join(ch for ch in (query or "") if ch.isprintable())
    return query.strip()[:MAX_QUERY_LENGTH]


@dataclass
class SearchHit:
    page: Page
    title: str
    url: str
    snippet: str
    site_name: str


def highlight(text: str, terms: list[str], width: int = 120) -> str:
    """An escaped excerpt of text around the first term, with every term wrapped in <mark>."""
    if not text:
        return ""
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms if t and lowered.find(t) >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    excerpt = text[start : start + width]
    pattern = "|".join(re.escape(t) for t in sorted({t for t in terms if t}, key=len, reverse=True))
    pieces, last = [], 0
    # One pass, longest term first at each position, escaping the text between matches.
    for match in re.finditer(pattern, excerpt, flags=re.IGNORECASE) if pattern else ():
        pieces.append(escape(excerpt[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(excerpt[last:]))
    escaped = "".join(pieces)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 - built from escaped text


def search_pages(query: str, *, root: Page | None, page_number=1, page_size: int = PAGE_SIZE):
    """Search live public pages under root (one portal) or everywhere (root=None).

    Returns (paginator page of SearchHit, terms). An empty or unusable query gives no results.
    """
    terms = query_terms(query)
    queryset = Page.objects.live().public().filter(depth__gt=2)
    if root is not None:
        queryset = queryset.descendant_of(root)
    if not terms:
        results = Page.objects.none()
    else:
        results = queryset.search(" ".join(terms), operator="and", order_by_relevance=True)
    paginator = Paginator(results, page_size)
    page = paginator.get_page(page_number)
    specific = {
        p.pk: p for p in Page.objects.filter(pk__in=[p.pk for p in page.object_list]).specific()
    }
    hits = []
    for item in page.object_list:
        obj = specific.get(item.pk, item)
        text = getattr(obj, "plain_text", lambda: "")()
        hits.append(
            SearchHit(
                page=obj,
                title=obj.title,
                url=obj.get_full_url() if root is None else obj.get_url(),
                snippet=highlight(text or obj.title, [clean_query(query).lower(), *terms]),
                site_name=getattr(obj, "portal_name", ""),
            )
        )
    page.object_list = hits
    return page, terms
