"""安全审计: the append-only, HMAC-SM3 chained audit log of security-relevant events."""
