"""Admin integration of the cms app: what the page chooser offers each portal's staff."""

from django.db.models import Q
from wagtail import hooks
from wagtail.models import GroupPagePermission


@hooks.register("construct_page_chooser_queryset")
def own_portal_or_published(pages, request):
    """Staff choose among their own portal's pages, and among other portals' live pages only
    (share targets, links): another portal's drafts never appear in a chooser."""
    user = request.user
    if user.is_superuser:
        return pages
    roots = GroupPagePermission.objects.filter(group__user=user).values_list(
        "page__path", flat=True
    )
    own = Q()
    for path in set(roots):
        own |= Q(path__startswith=path)
    return pages.filter(own | Q(live=True))
