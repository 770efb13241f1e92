"""Duplicate detection of petitions: one new petition compared with its writer's earlier ones.

The check runs inside the submitting request. It used difflib's SequenceMatcher, quadratic in
the texts' length; it now compares 3-character shingles (linear). This prints, for 5 and 20
earlier petitions of 5,000 characters, the time of one check with each, in the same run (the
quadratic one for 20 only with ``--full``: it takes long):

    .venv/bin/python bench/duplicates_bench.py [--full]
"""

import difflib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.test_settings")

import django  # noqa: E402

django.setup()

from backend_bridge.services.submission import shingles, similarity  # noqa: E402

ALPHABET = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"


def texts(count: int, length: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(length)) for _ in range(count)]


def old_check(new: str, earlier: list[str]) -> bool:
    return any(
        difflib.SequenceMatcher(None, e, new, autojunk=False).ratio() >= 0.85 for e in earlier
    )


def new_check(new: str, earlier: list[str]) -> bool:
    mine = shingles(new)
    return any(similarity(mine, shingles(e)) >= 0.85 for e in earlier)


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> None:
    print(f"{'earlier petitions':>18} {'difflib (s)':>12} {'shingles (s)':>13} {'ratio':>8}")
    for count in (5, 20):
        earlier = texts(count, 5000)
        new = texts(1, 5000, seed=99)[0]  # unrelated: every earlier one is compared
        old = timed(old_check, new, earlier) if count == 5 or "--full" in sys.argv else None
        fresh = min(timed(new_check, new, earlier) for _ in range(5))
        if old is None:
            print(f"{count:>18} {'(--full)':>12} {fresh:>13.4f} {'':>8}")
        else:
            print(f"{count:>18} {old:>12.2f} {fresh:>13.4f} {old / fresh:>7.0f}x")


if __name__ == "__main__":
    main()
