"""Static publishing of the portals (页面静态化) and tamper detection of the published tree
(网页防篡改). See docs/static-publishing.md and the layout in ``static_publish.layout``."""
