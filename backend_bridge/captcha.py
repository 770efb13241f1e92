"""Arithmetic image captchas, drawn with Pillow and answered once.

``create(now)`` returns a random key and a PNG showing a small sum ("7 + 5 = ?"); the answer is
kept server-side in Django's cache (never in the page or a cookie) for ``CAPTCHA_TTL`` seconds.
``consume(key, answer, now)`` is single use: the first caller to delete the entry wins, so the
same captcha never unlocks two requests, whether the answer was right or wrong.
"""

from __future__ import annotations

import io
import random
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.cache import caches
from PIL import Image, ImageDraw, ImageFilter, ImageFont

KEY_PREFIX = "bb:captcha"
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
WIDTH, HEIGHT = 160, 56


def ttl() -> int:
    return int(getattr(settings, "CAPTCHA_TTL", 300))


def _question() -> tuple[str, str]:
    if secrets.randbelow(2):
        a, b = 10 + secrets.randbelow(40), 1 + secrets.randbelow(9)
        return f"{a} + {b} = ?", str(a + b)
    a = 10 + secrets.randbelow(40)
    b = 1 + secrets.randbelow(9)
    return f"{a} - {b} = ?", str(a - b)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def render_png(text: str) -> bytes:
    """Draw ``text`` with per-character jitter and rotation, noise lines and dots."""
    rng = random.Random(secrets.randbits(64))
    image = Image.new("RGB", (WIDTH, HEIGHT), (rng.randint(235, 250),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        draw.point(
            (rng.randrange(WIDTH), rng.randrange(HEIGHT)),
            fill=(rng.randint(120, 200), rng.randint(120, 200), rng.randint(120, 200)),
        )
    font = _font(30)
    x = 8
    for char in text:
        if char == " ":
            x += 6
            continue
        glyph = Image.new("RGBA", (36, 44), (0, 0, 0, 0))
        color = (rng.randint(10, 90), rng.randint(10, 90), rng.randint(60, 140), 255)
        ImageDraw.Draw(glyph).text((6, 4), char, font=font, fill=color)
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randint(2, 12)), glyph)
        x += 20 + rng.randint(-2, 3)
    for _ in range(3):
        draw.line(
            [(rng.randrange(WIDTH), rng.randrange(HEIGHT)) for _ in range(2)],
            fill=(rng.randint(60, 160), rng.randint(60, 160), rng.randint(60, 160)),
            width=2,
        )
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _cache():
    # The rate-limit alias: with Redis down it falls back to the database (operations.cache).
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def create(now: float) -> tuple[str, bytes]:
    """A new captcha: (key, PNG bytes). The answer stays in the cache."""
    question, answer = _question()
    key = secrets.token_urlsafe(24)
    _cache().set(
        f"{KEY_PREFIX}:{key}", {"answer": answer, "expires_at": now + ttl()}, timeout=ttl() + 30
    )
    return key, render_png(question)


def consume(key: object, answer: object, now: float) -> bool:
    """True when ``answer`` solves the captcha ``key``; the captcha is used up either way."""
    key = str(key or "")
    if not _KEY_RE.match(key):
        return False
    cache_key = f"{KEY_PREFIX}:{key}"
    cache = _cache()
    entry = cache.get(cache_key)
    # delete() reports whether this caller removed the entry: only one concurrent caller can.
    if entry is None or not cache.delete(cache_key):
        return False
    if now > entry["expires_at"]:
        return False
    given = unicodedata.normalize("NFKC", str(answer or "")).strip()
    return secrets.compare_digest(given.encode(), entry["answer"].encode())
