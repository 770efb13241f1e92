"""The generated site map (网站地图) of one portal: its columns and special columns as a tree,
the 互动交流 services and the other portals of the group."""

from dataclasses import dataclass, field

from wagtail.models import Page

MAX_LEVELS = 3  # home's children, grandchildren and great-grandchildren


@dataclass
class MapNode:
    title: str
    url: str
    children: list["MapNode"] = field(default_factory=list)


def site_map(root: Page) -> list[MapNode]:
    """Live, public columns and topics under root that appear in menus, nested as in the tree,
    in one query."""
    from cms.models import ColumnPage, TopicPage

    pages = (
        root.get_descendants()
        .filter(depth__lte=root.depth + MAX_LEVELS)
        .live()
        .public()
        .in_menu()
        .type(ColumnPage, TopicPage)
        .only("title", "url_path", "path", "depth")
        .order_by("path")
    )
    root_url_path = root.url_path
    nodes: dict[str, MapNode] = {}
    top: list[MapNode] = []
    for page in pages:
        node = MapNode(page.title, "/" + page.url_path[len(root_url_path) :])
        nodes[page.path] = node
        parent = nodes.get(page.path[: -Page.steplen])
        if page.depth == root.depth + 1:
            top.append(node)
        elif parent is not None:
            parent.children.append(node)
        # A page under a hidden or unpublished parent is left out with it.
    return top
