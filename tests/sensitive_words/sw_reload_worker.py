"""Helper process for the cross-process hot-reload test (not a test module).

Usage: python sw_reload_worker.py DIR setup|add WORD|serve
All processes share DIR/db.sqlite3 (only this app's tables) and a file-based cache in DIR/cache,
standing in for PostgreSQL and Redis of a multi-host deployment. ``serve`` reads texts from stdin
and answers each with the words found, the way a long-running web process would.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def configure(shared: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{shared / 'db.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.test_settings")
    import django
    from django.conf import settings

    # Changed before setup: no cache connection exists yet.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(shared / "cache"),
        }
    }
    settings.SENSITIVE_WORDS_CHECK_INTERVAL = 0.1
    django.setup()


def main() -> None:
    shared, command = Path(sys.argv[1]), sys.argv[2]
    configure(shared)
    from django.db import connection

    from sensitive_words import models, services

    services.reset_engine()
    if command == "setup":
        with connection.schema_editor() as editor:
            for model in (
                models.Dictionary,
                models.SensitiveWord,
                models.AllowPhrase,
                models.ExpressionRule,
                models.DictionaryVersion,
            ):
                editor.create_model(model)
        models.Dictionary.objects.create(name="共享词库")
    elif command == "add":
        models.SensitiveWord.objects.create(
            dictionary=models.Dictionary.objects.get(name="共享词库"), word=sys.argv[3]
        )
    elif command == "serve":
        for line in sys.stdin:
            found = [h.word for h in services.check_text(line.strip())]
            print(",".join(found) or "-", services.get_engine().version, flush=True)


if __name__ == "__main__":
    main()
