"""The API's operations, one module per resource. `operations()` maps each `operationId` of
openapi.yaml to the function that answers it; the app's resolver reads only this map."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from discord_images_mock.handlers.account import AccountHandlers
from discord_images_mock.handlers.files import FileHandlers
from discord_images_mock.handlers.uploads import UploadHandlers
from discord_images_mock.settings import Settings
from discord_images_mock.storage import Store

RESOURCES = (AccountHandlers, UploadHandlers, FileHandlers)


def operations(store: Store, settings: Settings) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for resource in RESOURCES:
        handlers = resource(store, settings)
        for operation_id in resource.OPERATIONS:
            found[operation_id] = getattr(handlers, operation_id)
    return found
