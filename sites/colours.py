"""Portal colours chosen by site administrators: hex notation and legibility of white text on them.

The header and navigation bar carry white text, so a colour is only accepted when white on it
reaches the WCAG AA contrast ratio for normal text (4.5:1); otherwise the portal would fail the
accessibility check that every page must pass.
"""

import re

from django.core.exceptions import ValidationError

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST_WITH_WHITE = 4.5


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def validate_dark_colour(value: str) -> None:
    """A #RRGGBB colour dark enough for white text (header, navigation, footer rule)."""
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError("请填写 # 开头的六位十六进制颜色，例如 #a4161a")
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        raise ValidationError(
            f"该颜色上的白色文字对比度只有 {ratio:.1f}:1，低于无障碍要求的 4.5:1，请选择更深的颜色"
        )
