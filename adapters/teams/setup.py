"""Builds the Teams adapter: Bot Framework authentication, the CloudAdapter, the messenger."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.bot import HmisTeamsBot
from adapters.teams.conversations import ConversationStore
from adapters.teams.handler import TeamsMessagesHandler
from adapters.teams.messenger import TeamsMessenger
from flows.ports import Inbound

# botbuilder builds msrest clients on every turn, and each ClientRetryPolicy() scans
# range(999) against this 501-item list: most of a turn's time in botbuilder 4.17. The same
# codes as a frozenset make the scan cheap and change nothing else (the list is only read
# with ``in``).
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


@dataclass(frozen=True)
class TeamsCredentials:
    """The Azure bot registration; an empty app id means unauthenticated local use."""

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"


class _Configuration:
    """The attribute names botbuilder's configuration-based factories read."""

    def __init__(self, credentials: TeamsCredentials) -> None:
        self.APP_ID = credentials.app_id
        self.APP_PASSWORD = credentials.app_password
        self.APP_TENANTID = credentials.tenant_id
        self.APP_TYPE = credentials.app_type


@dataclass
class TeamsAdapter:
    adapter: CloudAdapter
    auth: ConfigurationBotFrameworkAuthentication
    messenger: TeamsMessenger
    conversations: ConversationStore

    def messages_handler(self, service: Inbound) -> TeamsMessagesHandler:
        bot = HmisTeamsBot(service, self.conversations)
        return TeamsMessagesHandler(self.adapter, self.auth, bot)


def teams_adapter(
    credentials: TeamsCredentials,
    conversations: ConversationStore,
    admin_channel: str | None,
) -> TeamsAdapter:
    auth = ConfigurationBotFrameworkAuthentication(_Configuration(credentials))
    adapter = CloudAdapter(auth)
    messenger = TeamsMessenger(adapter, credentials.app_id, conversations, admin_channel)
    return TeamsAdapter(adapter, auth, messenger, conversations)
