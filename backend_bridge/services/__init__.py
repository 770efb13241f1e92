"""The service layer of backend_bridge: every citizen action and every bridge operation.

Views, the JSON API, the Wagtail inbox, management commands and (later) WeChat and the APP call
these modules; none of them holds business logic of its own.
"""
