"""The `token` header: Connexion's API-key check, answered with the real server's 401 bodies."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import ApiKeySecurityHandler

from discord_images_mock.errors import ApiError, InvalidToken, NoToken
from discord_images_mock.storage import Store, User

ANONYMOUS_OPERATIONS = frozenset({"upload_files"})
"""What `--public` lets through without a token, like the real server's `private: false`."""


def token_info(user: User | None) -> dict[str, Any]:
    return {"sub": user.id if user else None, "account": user}


def authenticate(store: Store, token: str | None) -> User:
    if not token:
        raise NoToken()
    user = store.user_for_token(token)
    if user is None:
        raise InvalidToken()
    if not user.enabled:
        raise ApiError("This account has been disabled.")
    return user


class TokenSecurityHandler(ApiKeySecurityHandler):
    """Resolves the `token` scheme to the store's accounts, without `x-apikeyInfoFunc` in the
    spec (the contract should not name the mock's functions)."""

    store: Store
    public: bool = False

    @classmethod
    def bound(cls, store: Store, public: bool) -> type[TokenSecurityHandler]:
        return type(cls.__name__, (cls,), {"store": store, "public": public})

    def _resolve_func(self, security_scheme: dict[str, Any]) -> Any:
        store = self.store

        def lookup(api_key: str, required_scopes: Any = None) -> dict[str, Any]:
            return token_info(authenticate(store, api_key))

        return lookup

    def _get_verify_func(
        self, api_key_info_func: Any, loc: str, name: str, required_scopes: Any
    ) -> Any:
        # Called on every request: the store is asked directly, without the generic wrapper's
        # per-request signature inspection (a tenth of a list request's time).
        store, public = self.store, self.public

        def wrapper(request: ConnexionRequest) -> Any:
            api_key = request.headers.get(name)
            if api_key is None and public and _operation_id(request) in ANONYMOUS_OPERATIONS:
                return token_info(None)
            return token_info(authenticate(store, api_key))

        return wrapper


def _operation_id(request: ConnexionRequest) -> str | None:
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    return routing.get("operation_id")
