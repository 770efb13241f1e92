"""Channels: publish once, reach every channel (WeChat official accounts, the APP)."""
