"""Test equipment: a minimal writer of Compound File Binary files (the OLE container of legacy
Office documents, MS-CFB version 3), so the tests can build .doc/.xls files with the streams a
real one has: a plain document, one with VBA macros, one with an embedded package.

Every stream is padded to the mini-stream cutoff (4096 bytes), so no mini stream is needed;
siblings are chained as a degenerate (all-black) tree in CFB name order, which readers accept.
"""

from __future__ import annotations

import struct

SECTOR = 512
FREE, END, FAT_SECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
CUTOFF = 4096


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b""):
        self.name, self.kind, self.data = name, kind, data
        self.children: list[_Entry] = []
        self.id = 0
        self.start, self.size = END, 0


def _order(entry: _Entry):
    return (len(entry.name), entry.name.upper())


def _next_sibling(entry: _Entry, siblings: list[_Entry]) -> int:
    at = siblings.index(entry) + 1
    return siblings[at].id if at < len(siblings) else NOSTREAM


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A CFB file holding ``streams`` ("Storage/Sub/Stream" paths → content)."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        parent = root
        *storages, name = path.split("/")
        for part in storages:
            found = next((c for c in parent.children if c.name == part and c.kind == 1), None)
            if found is None:
                found = _Entry(part, 1)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, 2, data))
    entries, queue = [], [root]
    while queue:
        entry = queue.pop(0)
        entry.id = len(entries)
        entries.append(entry)
        entry.children.sort(key=_order)
        queue.extend(entry.children)
    stream_sectors = []
    for entry in entries:
        if entry.kind == 2:
            size = max(len(entry.data), CUTOFF)
            entry.size = size
            padded = entry.data.ljust(-(-size // SECTOR) * SECTOR, b"\0")
            stream_sectors.append((entry, padded))
    dir_count = -(-len(entries) * 128 // SECTOR)
    data_count = sum(len(p) // SECTOR for _, p in stream_sectors)
    fat_count = 1
    while fat_count * (SECTOR // 4) < fat_count + dir_count + data_count:
        fat_count += 1
    fat = [FAT_SECT] * fat_count
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(dir_count - 1)] + [END]
    body = b""
    for entry, padded in stream_sectors:
        count = len(padded) // SECTOR
        entry.start = len(fat)
        fat += [entry.start + i + 1 for i in range(count - 1)] + [END]
        body += padded
    fat += [FREE] * (fat_count * (SECTOR // 4) - len(fat))

    directory = b""
    for entry in entries:
        siblings = entry.children
        name = entry.name.encode("utf-16-le") + b"\0\0"
        parent = next((e for e in entries if entry in e.children), None)
        directory += struct.pack(
            "<64sHBBIII16sIQQIII",
            name.ljust(64, b"\0"),
            len(name),
            entry.kind,
            1,  # black
            NOSTREAM,
            _next_sibling(entry, parent.children) if parent else NOSTREAM,
            siblings[0].id if siblings else NOSTREAM,
            b"\0" * 16,
            0,
            0,
            0,
            entry.start if entry.kind == 2 else END,
            entry.size,
            0,  # size, high 32 bits (version 3: always 0)
        )
    directory = directory.ljust(dir_count * SECTOR, b"\0")
    # Unused directory slots must be empty entries with no siblings.
    empty = struct.pack(
        "<64sHBBIII16sIQQIII", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0, 0
    )
    used = len(entries) * 128
    while used < len(directory):
        directory = directory[:used] + empty + directory[used + 128 :]
        used += 128
    difat = list(range(fat_count)) + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_count,
        dir_start,
        0,
        CUTOFF,
        END,
        0,
        END,
        0,
    ) + struct.pack("<109I", *difat)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + directory + body
