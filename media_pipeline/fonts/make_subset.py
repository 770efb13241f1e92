"""Rebuild the bundled caption font: Noto Sans CJK SC Bold cut down to GB2312 + ASCII.

Run once by a developer (needs ``pip install fonttools`` and Debian's fonts-noto-cjk); the
output ``NotoSansSC-Bold-GB2312.otf`` is committed so that no machine needs a system CJK font.
Noto CJK is under the SIL Open Font License 1.1 (see OFL.txt), which allows subsetting.
"""

import contextlib
import subprocess
import sys
from pathlib import Path

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
HERE = Path(__file__).resolve().parent


def gb2312_chars() -> str:
    chars = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([hi, lo]).decode("gb2312"))
    chars.extend(chr(c) for c in range(0x20, 0x7F))
    chars.extend("\u3000，。、；：？！“”‘’（）《》【】—…·")
    return "".join(sorted(set(chars)))


def main() -> None:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(SOURCE)
    index = next(
        i
        for i, font in enumerate(collection.fonts)
        if "CJK SC" in font["name"].getDebugName(1) and "Mono" not in font["name"].getDebugName(1)
    )
    text = HERE / "gb2312.txt"
    text.write_text(gb2312_chars(), encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "fontTools.subset",
            SOURCE,
            f"--font-number={index}",
            f"--text-file={text}",
            "--layout-features=*",
            "--no-hinting",
            f"--output-file={HERE / 'NotoSansSC-Bold-GB2312.otf'}",
        ],
        check=True,
    )
    text.unlink()


if __name__ == "__main__":
    main()
