"""The reference's six example uploads, with real files behind them.

The files are drawn with Pillow at first start, then padded with comment data (JPEG COM
segments, a PNG text chunk) to exactly the byte counts the reference's `size` strings round
from, so the list shows `508 kB`, `8.12 kB` and so on.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from discord_images_mock.formats import is_image
from discord_images_mock.storage import REFERENCE_USER_ID, Upload
from discord_images_mock.thumbnails import make_thumbnail

if TYPE_CHECKING:
    from discord_images_mock.storage import Store


@dataclass(frozen=True)
class SeededUpload:
    id: int
    name: str
    timestamp: int
    size: int
    colors: tuple[str, str] = ("#1e3a8a", "#f59e0b")
    pixels: tuple[int, int] = (96, 72)


# id, name, timestamp as in the reference; sizes in the middle of what rounds to its strings.
SEEDED = (
    SeededUpload(1222, "UGRmm.jpg", 1543958602, 508_000, ("#0b132b", "#f4d35e"), (1024, 768)),
    SeededUpload(1180, "3y8qD.txt", 1543636852, 14),
    SeededUpload(1142, "PpuoP.jpeg", 1543532615, 8_120, ("#3a0ca3", "#f72585")),
    SeededUpload(1126, "Q6lM7.png", 1543444480, 4_350, ("#2d6a4f", "#b7e4c7"), (48, 48)),
    SeededUpload(1125, "zfhFD.png", 1543444446, 7_460, ("#9d0208", "#ffba08"), (64, 48)),
    SeededUpload(1080, "yQyXo.jpeg", 1543343958, 8_510, ("#005f73", "#e9d8a6")),
)
TEXT = b"Hello, world!\n"


def seed(store: Store) -> None:
    for item in SEEDED:
        data = _content(item)
        base, _, ext = item.name.partition(".")
        path = store.files_dir / item.name
        path.write_bytes(data)
        store.insert_seeded(
            Upload(
                id=item.id,
                name=item.name,
                base=base,
                extname=f".{ext}".lower(),
                userid=REFERENCE_USER_ID,
                albumid=None,
                size=len(data),
                hash=hashlib.md5(data).hexdigest(),
                timestamp=item.timestamp,
            )
        )
        if is_image(f".{ext}"):
            make_thumbnail(path, store.thumb_path(base))


def _content(item: SeededUpload) -> bytes:
    if item.name.endswith(".txt"):
        assert len(TEXT) == item.size
        return TEXT
    image = _draw(item)
    if item.name.endswith(".png"):
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        return _pad_png(buffer.getvalue(), item.size)
    quality = 95
    while True:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() + 4 <= item.size or quality <= 10:
            return _pad_jpeg(buffer.getvalue(), item.size)
        quality -= 10


def _draw(item: SeededUpload) -> Image.Image:
    width, height = item.pixels
    fractal = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 100)
    return ImageOps.colorize(fractal, black=item.colors[0], white=item.colors[1])


def _pad_jpeg(data: bytes, size: int) -> bytes:
    """`data` grown to `size` bytes with COM (comment) segments right after the SOI marker."""
    missing = size - len(data)
    if missing < 4:
        raise ValueError(f"a JPEG of {len(data)} bytes cannot be padded to {size}")
    segments = []
    while missing:
        payload = min(missing - 4, 65533)
        if 0 < missing - (payload + 4) < 4:
            payload -= 4  # leave room for a last segment of at least its header
        segments.append(b"\xff\xfe" + struct.pack(">H", payload + 2) + b" " * payload)
        missing -= payload + 4
    return data[:2] + b"".join(segments) + data[2:]


def _pad_png(data: bytes, size: int) -> bytes:
    """`data` grown to `size` bytes with a tEXt chunk before IEND."""
    keyword = b"Comment\x00"
    text_length = size - len(data) - 12 - len(keyword)
    if text_length < 0:
        raise ValueError(f"a PNG of {len(data)} bytes cannot be padded to {size}")
    body = b"tEXt" + keyword + b" " * text_length
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk + data[iend:]
