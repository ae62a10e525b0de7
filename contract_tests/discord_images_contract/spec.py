"""Finding openapi.yaml: inside the mock package in a wheel, at the root of a checkout."""

from __future__ import annotations

import importlib
from pathlib import Path

SPEC_NAME = "openapi.yaml"


def spec_path() -> Path:
    """The contract file, found the way the mock server finds it."""
    try:
        # The mock owns the lookup; reusing it keeps the two from ever reading different files.
        locate = importlib.import_module("discord_images_mock.spec").spec_path
    except (ImportError, AttributeError):
        return _own_lookup()
    return Path(locate())


def _own_lookup() -> Path:
    candidates = []
    try:
        mock = importlib.import_module("discord_images_mock")
    except ImportError:
        mock = None
    if mock is not None and mock.__file__ is not None:
        # The wheel force-includes the contract inside the mock package.
        candidates.append(Path(mock.__file__).resolve().parent / SPEC_NAME)
    # A checkout: contract_tests/discord_images_contract/spec.py -> repository root.
    candidates.append(Path(__file__).resolve().parents[2] / SPEC_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SPEC_NAME} not found; looked in: " + ", ".join(map(str, candidates)))
