"""Sign-in security of the staff: lockout, second factor, password policy, sessions, HTTP headers.

Built on kept libraries: django-axes (lockout), django-otp (TOTP and our SMS device), django-csp
(Content-Security-Policy). See docs/security.md "登录与会话".
"""
