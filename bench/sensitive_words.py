"""Benchmark of the sensitive_words engine against bare Aho-Corasick automata.

Builds (deterministically, no downloads) a dictionary of 20,000 Chinese entries and a corpus of
over 20 million characters of Chinese-looking text cut into 5,000-character articles, with
dictionary words planted in it (some disguised: noise between characters, traditional forms,
repeated characters), then prints in one run:

- the full engine's throughput (every normalization on, span mapping, allow-list, rules, PII);
- bare pyahocorasick on the raw dictionary and corpus (the usual choice; the baseline);
- every bare automaton available (ahocorasick-rs implementations, daachorse when installed),
  the fastest of which is the limit;
- the ratios, p99 time to check one 5,000-character article, and dictionary rebuild time.

Run: ``.venv/bin/python bench/sensitive_words.py`` (``--chars N`` for a smaller corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sensitive_words.engine import AllowEntry, Engine, Entry, Rule  # noqa: E402
from sensitive_words.seed import SEED_RULES  # noqa: E402

ARTICLE_CHARS = 5_000
ENGINE = "engine (all normalizations, spans, allow-list, rules, PII)"
BASELINE = "pyahocorasick (bare)"
BLOCK = 40  # articles per turn
NOISE = ["*", " ", "。", "@", "\u200b", "😀", "-", "·"]


def common_hanzi() -> list[str]:
    """The 3,755 level-1 characters of GB 2312 (the commonest Chinese characters)."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([hi, lo]).decode("gb2312"))
    return chars


def build_dictionary(rng: random.Random, chars: list[str], size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        n = rng.choice((2, 3, 3, 4, 4, 5, 6))
        words.add("".join(rng.choices(chars, k=n)))
    return sorted(words)


def build_corpus(seed: int, chars: list[str], words: list[str], total: int) -> list[str]:
    """Articles of random common characters with punctuation and ~8 planted words each."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    pool = np.array([ord(c) for c in chars], dtype=np.uint32)
    comma, stop = ord("，"), ord("。")
    articles = []
    for _ in range(total // ARTICLE_CHARS + 1):
        codes = pool[nrng.integers(0, len(pool), ARTICLE_CHARS)]
        marks = nrng.random(ARTICLE_CHARS)
        codes[marks < 0.06] = comma
        codes[marks < 0.02] = stop
        text = codes.tobytes().decode("utf-32-le")
        pieces, last = [], 0
        for pos in sorted(rng.sample(range(ARTICLE_CHARS - 20), 8)):
            if pos < last:
                continue
            word = rng.choice(words)
            trick = rng.random()
            if trick < 0.2:
                word = rng.choice(NOISE).join(word)
            elif trick < 0.3:
                word = to_traditional.convert(word)
            elif trick < 0.4:
                word = "".join(c * 2 for c in word)
            pieces.append(text[last:pos])
            pieces.append(word)
            last = pos + len(word)
        pieces.append(text[last:])
        articles.append("".join(pieces)[:ARTICLE_CHARS])
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--chars", type=int, default=20_000_000)
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    chars = common_hanzi()
    t0 = time.perf_counter()
    words = build_dictionary(rng, chars, args.words)
    articles = build_corpus(args.seed, chars, words, args.chars)
    total_chars = sum(map(len, articles))
    print(
        f"dictionary: {len(words):,} entries; corpus: {len(articles):,} articles, "
        f"{total_chars:,} characters (generated in {time.perf_counter() - t0:.1f} s)"
    )

    levels = ("block", "review", "replace")
    entries = [
        Entry(w, category="其他", level=levels[i % 3], dictionary="bench")
        for i, w in enumerate(words)
    ]
    allow = [AllowEntry(w + rng.choice(chars)) for w in rng.sample(words, 500)]
    rules = [Rule(**r) for r in SEED_RULES]

    t = time.perf_counter()
    engine = Engine(entries, allow, rules)
    first_build = time.perf_counter() - t
    rebuilds = []
    for _ in range(3):
        t = time.perf_counter()
        engine = Engine(entries, allow, rules)
        rebuilds.append(time.perf_counter() - t)
    rebuild = min(rebuilds)
    print(
        f"engine build: first {first_build:.3f} s (includes one-off Unicode tables), "
        f"rebuild of {len(words):,} entries {rebuild:.3f} s"
    )

    # --- scanners --------------------------------------------------------------------------
    # name -> function(article) -> number of matches
    scanners: dict[str, object] = {}
    import ahocorasick

    t = time.perf_counter()
    pyac = ahocorasick.Automaton()
    for i, w in enumerate(words):
        pyac.add_word(w, i)
    pyac.make_automaton()
    print(f"pyahocorasick build {time.perf_counter() - t:.3f} s")
    scanners[BASELINE] = lambda a: sum(1 for _ in pyac.iter(a))

    import ahocorasick_rs

    for impl in ("DFA", "ContiguousNFA", "NoncontiguousNFA"):
        t = time.perf_counter()
        rs = ahocorasick_rs.AhoCorasick(
            words,
            matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=getattr(ahocorasick_rs.Implementation, impl),
        )
        print(f"ahocorasick-rs {impl} build {time.perf_counter() - t:.3f} s")
        scanners[f"ahocorasick-rs {impl} (bare)"] = lambda a, rs=rs: len(
            rs.find_matches_as_indexes(a, overlapping=True)
        )
    try:
        import daachorse
    except ImportError:
        print("daachorse not installed: skipped")
    else:
        t = time.perf_counter()
        da = daachorse.CharwiseDoubleArrayAhoCorasick(words)
        print(f"daachorse CharwiseDoubleArrayAhoCorasick build {time.perf_counter() - t:.3f} s")
        scanners["daachorse charwise (bare)"] = lambda a: len(da.find_overlapping(a))
    scanners[ENGINE] = lambda a: len(engine.check(a))

    # Scanners take turns on blocks of articles, so that load from other processes falls on all
    # of them alike while each keeps its automaton warm in the CPU cache within a block. Each
    # gets fresh copies of the articles, because the Rust bindings cache a string's UTF-8 form
    # inside the str object and a second scanner would otherwise get it for free.
    for fn in scanners.values():
        fn(articles[0])  # warm up
    seconds = dict.fromkeys(scanners, 0.0)
    found = dict.fromkeys(scanners, 0)
    latencies = []
    clock = time.perf_counter
    gc.disable()
    for b in range(0, len(articles), BLOCK):
        block = articles[b : b + BLOCK]
        for name, fn in scanners.items():
            fresh = [a[:-1] + a[-1] for a in block]
            for article in fresh:
                t = clock()
                found[name] += fn(article)
                elapsed = clock() - t
                seconds[name] += elapsed
                if name == ENGINE:
                    latencies.append(elapsed)
    gc.enable()
    results = {name: (seconds[name], found[name]) for name in scanners}

    print()
    print(f"{'scanner':<62}{'chars/s':>14}{'seconds':>9}{'hits':>9}")
    for name, (seconds, found) in results.items():
        print(f"{name:<62}{total_chars / seconds:>14,.0f}{seconds:>9.2f}{found:>9,}")
    speed = {name: total_chars / s for name, (s, _) in results.items()}
    engine_speed = speed.pop(ENGINE)
    baseline = speed[BASELINE]
    fastest_name = max(speed, key=speed.get)
    fastest = speed[fastest_name]
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    median = statistics.median(latencies) * 1000
    print()
    print(f"engine / pyahocorasick       = {engine_speed / baseline:6.2f}x   (target >= 3)")
    print(f"engine / fastest ({fastest_name}) = {engine_speed / fastest:6.2f}x   (target >= 0.3)")
    print(
        f"check one {ARTICLE_CHARS:,}-char article: median {median:.3f} ms, "
        f"p99 {p99:.3f} ms   (target p99 < 2 ms)"
    )
    print(f"rebuild {len(words):,} entries: {rebuild:.3f} s   (target < 1 s)")


if __name__ == "__main__":
    main()
