"""`discord-images-contract`: the command operators put in CI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("discord-images-contract: not implemented yet (see issue 4)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
