"""Factories of pages, used by the demo seeding (seed_portals --demo) and by the tests alike."""

import factory
from django.utils import timezone

from cms.models import ArticlePage, ColumnPage, TopicPage


class PageFactory(factory.django.DjangoModelFactory):
    """Creates a page as a live child of ``parent`` (required)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            raise ValueError("parent is required")
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        return page


class ColumnPageFactory(PageFactory):
    class Meta:
        model = ColumnPage

    title = factory.Sequence(lambda n: f"栏目{n}")
    slug = factory.Sequence(lambda n: f"column-{n}")
    show_in_menus = True


class TopicPageFactory(PageFactory):
    class Meta:
        model = TopicPage

    title = factory.Sequence(lambda n: f"专题{n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    show_in_menus = True


def paragraph(text: str) -> list:
    return [("paragraph", f"<p>{text}</p>")]


class ArticlePageFactory(PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"信访工作动态第{n}期")
    slug = factory.Sequence(lambda n: f"article-{n}")
    source = "本网"
    publish_date = factory.LazyFunction(timezone.now)
    body = factory.LazyAttribute(
        lambda o: paragraph(f"{o.title}。各级信访部门认真落实《信访工作条例》。")
    )
