"""Every failure the server answers, as named exceptions, and the one place that turns them (and
Connexion's and Starlette's own errors) into the API's `{"success": false, "description": ...}`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from discord_images_mock.validation import TypedPathMismatch

log = logging.getLogger("discord_images_mock")


class ApiError(Exception):
    """A failure the API reports in its own body. The real server uses HTTP 200 for most."""

    status_code = 200
    description = "Error."

    def __init__(self, description: str | None = None) -> None:
        if description is not None:
            self.description = description
        super().__init__(self.description)


class NoToken(ApiError):
    status_code = 401
    description = "No token provided."


class InvalidToken(ApiError):
    status_code = 401
    description = "Invalid token."


class NoFiles(ApiError):
    description = "No files."


class UnexpectedField(ApiError):
    description = "Error: Unexpected field"


class BlockedExtension(ApiError):
    def __init__(self, extname: str) -> None:
        super().__init__(f"{extname[1:].upper()} files are not permitted due to security reasons.")


class FileTooLarge(ApiError):
    description = "Error: File too large"


class TooManyParts(ApiError):
    # multer's message for its part limit, which the real server would pass on as `Error: ...`.
    description = "Error: Too many parts"


class FieldTooLong(ApiError):
    description = "Error: Field value too long"


class UploadStalled(ApiError):
    status_code = 400
    description = "The upload stalled: no data arrived for too long."


class NoIdGiven(ApiError):
    description = "No array of files specified."


class NothingDeleted(ApiError):
    description = "Could not delete any files."


class FileNotFound(ApiError):
    status_code = 404
    description = "File not found."


def error_response(
    status: int, description: str, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=json.dumps({"success": False, "description": description}).encode(),
        headers=headers or {},
    )


# Connexion's request-validation problems that the contract does not list (415 for a wrong
# Content-Type) are answered as the 400 every operation declares.
_AS_BAD_REQUEST = {400, 411, 413, 415, 422}


def _status_and_description(status: int, detail: Any) -> tuple[int, str]:
    if status == 401:
        # Connexion's own 401 only comes from a missing credential.
        return 401, NoToken.description
    if status in _AS_BAD_REQUEST:
        return 400, str(detail or "Bad request.")
    if status == 404:
        return 404, "Not found."
    if status == 405:
        return 405, "Method not allowed."
    if status >= 500:
        return status, "Internal server error."
    return status, str(detail or "Error.")


def _api_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.description)


class _Mapper:
    def __init__(self, path_mismatch: TypedPathMismatch) -> None:
        self.path_mismatch = path_mismatch

    def response(
        self, request: ConnexionRequest, status: int, detail: Any, headers: Any
    ) -> ConnexionResponse:
        if status == 404:
            wrong_type = self.path_mismatch.describe(request.scope.get("path", ""))
            if wrong_type:
                return error_response(400, wrong_type)
        status, description = _status_and_description(status, detail)
        return error_response(status, description, dict(headers or {}))

    def problem(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, ProblemException)
        return self.response(request, exc.status, exc.detail, exc.headers)

    def http_exception(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        return self.response(request, exc.status_code, exc.detail, exc.headers)


def _malformed_multipart(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return error_response(400, f"Malformed multipart body: {exc}")


def _client_disconnected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Nobody reads this answer; it only keeps a dropped client out of the error log.
    return error_response(400, "Client disconnected.")


def _unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("unexpected error", exc_info=exc)
    return error_response(500, "Internal server error.")


def install(app: AsyncApp, spec: dict[str, Any]) -> None:
    """Register the API's error body for every exception the app can raise."""
    mapper = _Mapper(TypedPathMismatch(spec))
    # Handlers are async so Connexion calls them inline rather than in a thread pool.
    handlers = {
        ApiError: _api_error,
        ProblemException: mapper.problem,
        HTTPException: mapper.http_exception,
        MultiPartException: _malformed_multipart,
        ClientDisconnect: _client_disconnected,
        Exception: _unexpected,
    }
    for exc_class, handler in handlers.items():
        app.add_error_handler(exc_class, _as_async(handler))


def _as_async(handler: Any) -> Any:
    async def wrapped(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        return handler(request, exc)

    wrapped.__name__ = handler.__name__
    return wrapped
