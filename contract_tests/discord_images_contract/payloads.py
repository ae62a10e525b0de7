"""Tiny, unique files to upload: unique so that no upload is ever answered as a duplicate of a
file the suite does not own."""

from __future__ import annotations

import struct
import uuid
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def nonce() -> str:
    return uuid.uuid4().hex


def text_file(label: str = "file") -> tuple[str, bytes]:
    return f"contract-{label}.txt", f"discord-images-contract {label} {nonce()}\n".encode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_file(label: str = "image") -> tuple[str, bytes]:
    """A valid 2x2 RGB PNG (under 200 bytes) that carries a nonce in a text chunk."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    text = b"Comment\x00discord-images-contract " + nonce().encode()
    content = (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", text)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )
    return f"contract-{label}.png", content
