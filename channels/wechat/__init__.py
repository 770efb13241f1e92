"""WeChat official accounts: accounts from settings, the API client, the publishing steps."""
