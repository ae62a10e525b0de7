"""`discord-images-mock`: the command that starts the reference server."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("discord-images-mock: not implemented yet (see issue 3)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
