"""How the real server spells things: sizes, dates, extensions."""

from __future__ import annotations

import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".bmp", ".gif", ".png", ".webp"})
BLOCKED_EXTENSIONS = frozenset(
    ".jar .exe .exec .msi .com .bat .cmd .nt .scr .ps1 .psm1 .sh .bash .bsh .csh"
    " .bash_profile .bashrc .profile".split()
)
# Archive extensions the real server keeps whole, so `a.tar.gz` is `.tar.gz`, not `.gz`.
_KEPT_WHOLE = (".tar.gz", ".tar.z", ".tar.bz2", ".tar.lzma", ".tar.lzo", ".tar.xz")
_SAFE_EXTENSION = re.compile(r"^(\.[0-9A-Za-z_-]{1,16}){1,2}$")
_SI_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def pretty_size(size: int) -> str:
    """`508 kB`, `8.12 kB`, `14 B`: SI units, three significant digits, as the real server."""
    if size < 1000:
        return f"{size} B"
    exponent = min(int(math.log10(size) // 3), len(_SI_UNITS) - 1)
    value = size / 1000**exponent
    decimals = max(0, 2 - int(math.floor(math.log10(value))))
    text = f"{value:.{decimals}f}"
    if float(text) >= 1000 and exponent < len(_SI_UNITS) - 1:
        exponent += 1
        text = f"{size / 1000**exponent:.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {_SI_UNITS[exponent]}"


def local_date(timestamp: int, timezone: ZoneInfo) -> str:
    """`2018-12-4 16:23:22`: local time, month and day not zero-padded."""
    moment = datetime.fromtimestamp(timestamp, timezone)
    return f"{moment.year}-{moment.month}-{moment.day} {moment:%H:%M:%S}"


def extension(filename: str) -> str:
    """The extension a client's file name carries, case kept, or "" when it is not a plain one.

    Only this ever comes from a client's file name: paths are never built from the rest.
    """
    base = re.split(r"[/\\]", filename)[-1]
    lower = base.lower()
    for kept in _KEPT_WHOLE:
        if lower.endswith(kept) and len(base) > len(kept):
            found = base[-len(kept) :]
            break
    else:
        dot = base.rfind(".")
        found = base[dot:] if dot >= 0 else ""
    return found if _SAFE_EXTENSION.match(found) else ""


def is_image(extname: str) -> bool:
    return extname.lower() in IMAGE_EXTENSIONS


def check_size_label(size: int) -> str:
    """The size limit as `GET /api/check` shows it: `512MB`."""
    for unit, factor in (("TB", 1000**4), ("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"
