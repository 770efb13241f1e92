"""What the Wagtail page editor posts: form data for an article, as the browser would send it."""

from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

ACTIONS = {
    "save": {},
    "publish": {"action-publish": "publish"},
    "submit": {"action-submit": "submit"},
    "approve": {"action-workflow-action": "true", "workflow-action-name": "approve"},
}


def article_data(page=None, *, title=None, body="<p>正文</p>", action="save", **extra) -> dict:
    """The edit form of an article with ``body`` as its one paragraph, and ``action``'s button."""
    data = nested_form_data(
        {
            "title": title if title is not None else (page.title if page else "稿件"),
            "slug": page.slug if page else "gaojian",
            "subtitle": "",
            "source": "",
            "author": "",
            "publish_date": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "summary": "",
            "cover_alt": "",
            "body": streamfield([("paragraph", rich_text(body))]),
            "channel_mode": "default",
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
        }
    )
    data.update(ACTIONS[action])
    data.update(extra)
    return data


def edit(client, page, follow=False, **kwargs):
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        article_data(page, **kwargs),
        follow=follow,
    )


def create(client, parent, follow=False, **kwargs):
    return client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "articlepage", parent.pk]),
        article_data(**kwargs),
        follow=follow,
    )


def messages_of(response) -> list[tuple[str, str]]:
    """(level, text) of the messages shown on the page that ``response`` leads to."""
    return [(m.level_tag, str(m)) for m in response.context["messages"]] if response.context else []
