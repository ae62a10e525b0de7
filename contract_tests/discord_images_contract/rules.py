"""The domain rules no generic tool knows, as plain functions the checks share."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from discord_images_contract.spec import spec_path

DATE = re.compile(
    r"^(\d{4})-([1-9]|1[0-2])-([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$"
)
SIZE = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?) (B|kB|MB|GB|TB|PB)$")
UNITS = ["B", "kB", "MB", "GB", "TB", "PB"]
QUARTER_HOUR = 15 * 60
# The server's time zone is unknown to a client: any real one, UTC-12 to UTC+14.
EARLIEST_OFFSET, LATEST_OFFSET = -12 * 3600, 14 * 3600


def date_problem(date: object, timestamp: object) -> str | None:
    """Why `date` is not `timestamp` rendered in some time zone, or None when it is."""
    if not isinstance(date, str) or not isinstance(timestamp, int):
        return f"date {date!r} / timestamp {timestamp!r} have the wrong types"
    match = DATE.match(date)
    if match is None:
        return f"date {date!r} is not `Y-M-D HH:MM:SS` with month and day not zero-padded"
    local = datetime(*(int(part) for part in match.groups()))
    utc = datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    offset = int((local - utc).total_seconds())
    if offset % QUARTER_HOUR or not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
        return (
            f"date {date!r} is not timestamp {timestamp} ({utc:%Y-%m-%d %H:%M:%S} UTC) in any"
            f" time zone: it is {offset / 3600:+.2f} h away"
        )
    return None


def size_problem(size: object, length: int) -> str | None:
    """Why `size` is not `length` bytes in SI units to three significant digits."""
    if not isinstance(size, str):
        return f"size {size!r} is not a string"
    match = SIZE.match(size)
    if match is None:
        return f"size {size!r} is not like `15 B`, `8.12 kB` or `508 kB`"
    value, unit = float(match.group(1)), match.group(2)
    if length < 1000:
        return None if size == f"{length} B" else f"size {size!r} should be {length} B"
    exponent = UNITS.index(unit)
    exact = length / 1000**exponent
    # Three significant digits, rounded either way: off by at most one unit in the last digit.
    last_digit = 10 ** (len(str(int(exact))) - 3) if exact >= 1 else 0.01
    if not 1 <= exact < 1000 + last_digit or abs(value - exact) > last_digit:
        return f"size {size!r} does not describe {length} bytes"
    return None


def blocked_extensions() -> list[str]:
    """The blocked extensions, read from openapi.yaml's description of the upload operation."""
    text = spec_path().read_text(encoding="utf-8")
    match = re.search(r"a blocked extension \(`([^`]+)`", text)
    if match is None:
        raise LookupError("openapi.yaml no longer lists the blocked extensions")
    return match.group(1).split()


def image_extensions() -> list[str]:
    """The extensions that get a thumbnail, read from openapi.yaml's `thumb` description."""
    text = spec_path().read_text(encoding="utf-8")
    match = re.search(r"Only images \(`([^`]+)`\)", text)
    if match is None:
        raise LookupError("openapi.yaml no longer lists the image extensions")
    return match.group(1).split()
