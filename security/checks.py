"""System checks of sign-in security: production never runs with the development providers.

A console SMS provider would let anyone read staff second-factor codes and citizens' codes in
the log, and the console ID verifier accepts every name–ID pair. With DEBUG off both are errors
of ``manage.py check --deploy``, and the WSGI application refuses to start with them
(cms/wsgi.py calls ``refuse_development_providers``) unless ``ALLOW_DEVELOPMENT_PROVIDERS`` is
set, which only benchmarks and drills on loopback do.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

CONSOLE_SMS = "backend_bridge.providers.ConsoleSmsProvider"
CONSOLE_ID = "backend_bridge.providers.ConsoleIdVerifier"


def development_provider_errors() -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    sms = getattr(settings, "SMS_PROVIDER", "") or CONSOLE_SMS
    if sms.endswith(".ConsoleSmsProvider"):
        errors.append(
            Error(
                "生产环境（DEBUG 关闭）不能使用控制台短信通道：验证码不会发出而是写进日志。",
                hint="将 SMS_PROVIDER 设为 backend_bridge.providers.AliyunSmsProvider 或 TencentSmsProvider。",
                id="security.E001",
            )
        )
    verifier = getattr(settings, "ID_VERIFY_PROVIDER", "") or CONSOLE_ID
    if verifier.endswith(".ConsoleIdVerifier"):
        errors.append(
            Error(
                "生产环境（DEBUG 关闭）不能使用控制台实名核验：它接受任何姓名和身份证号。",
                hint="将 ID_VERIFY_PROVIDER 设为 backend_bridge.providers.HttpIdVerifier 并配置 ID_VERIFY_ENDPOINT。",
                id="security.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def development_providers(app_configs=None, **kwargs):
    return development_provider_errors()


def refuse_development_providers() -> None:
    """Called when the WSGI application starts: production does not start with them."""
    if getattr(settings, "ALLOW_DEVELOPMENT_PROVIDERS", False):
        return
    errors = development_provider_errors()
    if errors:
        raise ImproperlyConfigured(" ".join(f"[{e.id}] {e.msg}" for e in errors))
