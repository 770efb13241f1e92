"""Image captchas for elderly citizens, drawn with Pillow and answered once.

``create(now, large=False)`` returns a random key and a PNG showing ``DIGITS`` digits in large,
dark, widely spaced type on a light background (10,000 possible answers, far more than the old
small sums, and nothing to calculate); ``large`` draws it bigger for 关怀模式. The answer is kept
server-side in Django's cache (never in the page or a cookie) for ``CAPTCHA_TTL`` seconds.
``check(key, answer, now)`` is single use: the first caller to delete the entry wins, so the same
captcha never unlocks two requests, whether the answer was right or wrong; it says why an answer
was refused (``WRONG``, ``EXPIRED``, ``MISSING``) so that the citizen is told exactly what to do.
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
DIGITS = 4
# At least 160×60 (readable on a phone held at arm's length); 关怀模式 gets the larger size.
SIZES = {False: (240, 90), True: (320, 120)}
WIDTH, HEIGHT = SIZES[False]

OK, WRONG, EXPIRED, MISSING = "ok", "wrong", "expired", "missing"


def ttl() -> int:
    return int(getattr(settings, "CAPTCHA_TTL", 300))


def _question() -> tuple[str, str]:
    answer = "".join(str(secrets.randbelow(10)) for _ in range(DIGITS))
    return answer, answer


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def render_png(text: str, large: bool = False) -> bytes:
    """Draw ``text`` large and dark with a little jitter and rotation, and light noise that does
    not cross the strokes' contrast (WCAG contrast of text to background stays above 7:1)."""
    width, height = SIZES[bool(large)]
    rng = random.Random(secrets.randbits(64))
    image = Image.new("RGB", (width, height), (rng.randint(245, 255),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(width // 2):
        shade = rng.randint(190, 225)
        draw.point((rng.randrange(width), rng.randrange(height)), fill=(shade, shade, shade))
    for _ in range(2):
        shade = rng.randint(170, 210)
        draw.line(
            [(rng.randrange(width), rng.randrange(height)) for _ in range(2)],
            fill=(shade, shade, shade),
            width=2,
        )
    size = int(height * 0.62)
    font = _font(size)
    cell = width // (len(text) + 1)
    x = cell // 2
    for char in text:
        glyph = Image.new("RGBA", (cell + 16, height), (0, 0, 0, 0))
        color = (rng.randint(0, 40), rng.randint(0, 40), rng.randint(40, 90), 255)
        ImageDraw.Draw(glyph).text(
            (8, (height - size) // 2 - size // 8), char, font=font, fill=color, stroke_width=1
        )
        glyph = glyph.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (x + rng.randint(-3, 3), rng.randint(-4, 4)), glyph)
        x += cell
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _cache():
    # The rate-limit alias: with Redis down it falls back to the database (operations.cache).
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def create(now: float, large: bool = False) -> tuple[str, bytes]:
    """A new captcha: (key, PNG bytes). The answer stays in the cache."""
    question, answer = _question()
    key = secrets.token_urlsafe(24)
    _cache().set(
        f"{KEY_PREFIX}:{key}", {"answer": answer, "expires_at": now + ttl()}, timeout=ttl() + 30
    )
    return key, render_png(question, large)


def check(key: object, answer: object, now: float) -> str:
    """``OK`` when ``answer`` solves the captcha ``key``, else why not (``WRONG``, ``EXPIRED``,
    ``MISSING`` for no captcha at all); the captcha is used up either way."""
    key = str(key or "")
    if not _KEY_RE.match(key):
        return MISSING
    cache_key = f"{KEY_PREFIX}:{key}"
    cache = _cache()
    entry = cache.get(cache_key)
    # delete() reports whether this caller removed the entry: only one concurrent caller can.
    if entry is None or not cache.delete(cache_key):
        return EXPIRED
    if now > entry["expires_at"]:
        return EXPIRED
    given = "".join(unicodedata.normalize("NFKC", str(answer or "")).split())
    return OK if secrets.compare_digest(given.encode(), entry["answer"].encode()) else WRONG


def consume(key: object, answer: object, now: float) -> bool:
    """True when ``answer`` solves the captcha ``key``; the captcha is used up either way."""
    return check(key, answer, now) == OK
