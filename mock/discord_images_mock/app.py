"""The server: openapi.yaml wired to the handlers by Connexion.

`create_app(settings)` is the stable entry point: it prepares the store (creating, seeding and
cleaning the data folder) and returns an ASGI app. Tests and tools may wrap that app in
their own ASGI middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.validators import VALIDATOR_MAP
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from discord_images_mock import errors
from discord_images_mock.auth import TokenSecurityHandler
from discord_images_mock.handlers import operations
from discord_images_mock.prefer import PreferMiddleware, documented_examples
from discord_images_mock.settings import Settings
from discord_images_mock.spec import load_spec, spec_path
from discord_images_mock.storage import Store
from discord_images_mock.upload_stream import UploadBodyValidator
from discord_images_mock.validation import (
    ApiJSONRequestValidator,
    ApiParameterValidator,
    response_validators,
)

SWAGGER_UI_PATH = "/api/ui"
DOCS_PATH = "/docs"


def create_app(settings: Settings, *, prepare_store: bool = True) -> ASGIApp:
    """The whole server as an ASGI app. With `prepare_store=False` the data folder must have
    been prepared already (several worker processes share one prepared store)."""
    store = Store(settings)
    if prepare_store:
        store.prepare()
    store.load_accounts()
    return _with_docs(connexion_app(settings, store), settings.site_dir)


def connexion_app(settings: Settings, store: Store) -> AsyncApp:
    handlers = operations(store, settings)
    # A MediaTypeDict, not a dict: its lookups match `*/*json` and other media ranges.
    body_validators = MediaTypeDict(VALIDATOR_MAP["body"])
    body_validators["multipart/form-data"] = UploadBodyValidator.bound(store, settings.max_bytes)
    body_validators["*/*json"] = ApiJSONRequestValidator
    validators = {
        "body": body_validators,
        "parameter": ApiParameterValidator,
        "response": response_validators(),
    }
    app = AsyncApp(
        __name__,
        specification_dir=spec_path().parent,
        resolver=Resolver(function_resolver=_resolve_from(handlers)),
        validator_map=validators,
        security_map={"apiKey": TokenSecurityHandler.bound(store, settings.public)},
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path=SWAGGER_UI_PATH),
        validate_responses=settings.validate_responses,
    )
    app.add_api(spec_path().name)
    errors.install(app, load_spec())
    app.add_middleware(
        PreferMiddleware,
        position=MiddlewarePosition.BEFORE_SECURITY,
        examples=documented_examples(load_spec()),
        documented_host=load_spec()["servers"][0]["url"],
        base_url=settings.base_url,
    )
    app.add_middleware(
        CORSMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        max_age=600,
    )
    return app


def create_app_from_environment() -> ASGIApp:
    """The app of one worker process when the command line runs several (see __main__)."""
    from discord_images_mock.settings import settings_from_environment

    return create_app(settings_from_environment(), prepare_store=False)


def _resolve_from(handlers: dict[str, Callable[..., Any]]) -> Callable[[str], Any]:
    def resolve(operation_id: str) -> Callable[..., Any]:
        try:
            return handlers[operation_id]
        except KeyError:
            # Connexion turns an AttributeError into its "cannot resolve" start-up error.
            raise AttributeError(f"no handler for operationId {operation_id!r}") from None

    return resolve


def _with_docs(api: ASGIApp, site_dir: Path | None) -> ASGIApp:
    """The API, with the built reference site at /docs/ when there is one, and `/` sending
    readers to the site (or to the Swagger UI without one)."""
    has_site = site_dir is not None and (site_dir / "index.html").is_file()
    site = StaticFiles(directory=site_dir, html=True) if has_site and site_dir else None
    to_front = RedirectResponse(f"{DOCS_PATH}/" if site else f"{SWAGGER_UI_PATH}/")

    no_site = JSONResponse(
        {"success": False, "description": "No reference site here: build it with mkdocs."},
        status_code=404,
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        is_read = scope.get("method") in ("GET", "HEAD")
        in_docs = path == DOCS_PATH or (path or "").startswith(f"{DOCS_PATH}/")
        if is_read and (path in ("", "/") or (site and path == DOCS_PATH)):
            await to_front(scope, receive, send)
        elif in_docs and site:
            root_path = scope.get("root_path", "") + DOCS_PATH
            await site({**scope, "root_path": root_path}, receive, send)
        elif in_docs:
            await no_site(scope, receive, send)
        else:
            await api(scope, receive, send)

    return app
