"""Citizens' submissions on the portals and the bridge to the core case system (网上信访).

Services live in ``backend_bridge.services``; the portal pages (``/hdjl/``), the JSON API, the
Wagtail case inbox and the management commands are thin front doors over them.
"""
