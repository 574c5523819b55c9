"""One connector client and one user-token client per app id and service URL, kept for the
life of the process.

``CloudAdapter`` asks botbuilder for a new ``ConnectorClient`` and a new user-token client on
every turn and proactive message; each builds msrest configuration and retry policies, most
of a Teams turn's CPU. The older ``BotFrameworkAdapter`` kept a cache of connector clients for
this reason; this restores it through botbuilder's own seams (``BotFrameworkAuthentication``
and ``ConnectorFactory``). The clients' credentials fetch and refresh their tokens as before.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

ConnectorKey = tuple[str | None, str, str]  # app id, service URL, audience


class ReusedConnectors(ConnectorFactory):
    def __init__(
        self, inner: ConnectorFactory, app_id: str | None, kept: dict[ConnectorKey, ConnectorClient]
    ) -> None:
        self._inner = inner
        self._app_id = app_id
        self._kept = kept

    async def create(self, service_url: str, audience: str) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._kept.get(key)
        if client is None:
            client = self._kept[key] = await self._inner.create(service_url, audience)
        return client


class ReusedClientsAuthentication(ConfigurationBotFrameworkAuthentication):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connectors: dict[ConnectorKey, ConnectorClient] = {}
        self._token_clients: dict[str | None, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = ReusedConnectors(
                result.connector_factory, _app_id(result.claims_identity), self._connectors
            )
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        inner = super().create_connector_factory(claims_identity)
        return ReusedConnectors(inner, _app_id(claims_identity), self._connectors)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client


def _app_id(claims_identity: ClaimsIdentity | None) -> str | None:
    """The bot's app id as botbuilder reads it (the audience, or the emulator's app id)."""
    if claims_identity is None:
        return None
    for claim in (AuthenticationConstants.AUDIENCE_CLAIM, AuthenticationConstants.APP_ID_CLAIM):
        found = claims_identity.get_claim_value(claim)
        if found:
            return str(found)
    return None
