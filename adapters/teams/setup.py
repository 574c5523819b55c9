"""Builds the Teams adapter: Bot Framework authentication, the CloudAdapter, the messenger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import AuthenticationConfiguration
from botframework.connector.auth.skill_validation import SkillValidation
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams.bot import HmisTeamsBot
from adapters.teams.clients import ReusedClientsAuthentication
from adapters.teams.conversations import ConversationStore
from adapters.teams.credentials import TeamsCredentials
from adapters.teams.handler import FirstDelivery, TeamsMessagesHandler
from adapters.teams.messenger import TeamsMessenger
from flows.ports import Inbound

# botbuilder builds msrest clients on every turn, and each ClientRetryPolicy() scans
# range(999) against this 501-item list: most of a turn's time in botbuilder 4.17. The same
# codes as a frozenset make the scan cheap and change nothing else (the list is only read
# with ``in``).
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


class _Configuration:
    """The attribute names botbuilder's configuration-based factories read; a cloud setting
    left empty is None, which botbuilder reads as not set."""

    def __init__(self, credentials: TeamsCredentials) -> None:
        self.APP_ID = credentials.app_id
        self.APP_PASSWORD = credentials.app_password
        self.APP_TENANTID = credentials.tenant_id
        self.APP_TYPE = credentials.app_type
        cloud = credentials.cloud
        self.CHANNEL_SERVICE = cloud.channel_service or None
        self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = cloud.openid_metadata_url or None
        self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = cloud.token_issuer or None
        self.TO_CHANNEL_FROM_BOT_LOGIN_URL = cloud.login_url or None
        self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = cloud.oauth_scope or None


@dataclass
class TeamsAdapter:
    adapter: CloudAdapter
    auth: ReusedClientsAuthentication
    messenger: TeamsMessenger
    conversations: ConversationStore

    def messages_handler(
        self, service: Inbound, first_delivery: FirstDelivery | None = None
    ) -> TeamsMessagesHandler:
        bot = HmisTeamsBot(service, self.conversations)
        return TeamsMessagesHandler(self.adapter, self.auth, bot, first_delivery)


async def _channel_tokens_only(claims: Any) -> None:
    """botbuilder's last check on a token it verified. This bot takes calls from channels
    only: a skill's token (another bot) is refused, as botbuilder does while no check is set.
    And every token must expire: botbuilder 4.17 accepts a signed token without ``exp``
    forever. (The public cloud passes the claims, the parameterized one a list of them.)"""
    for each in claims if isinstance(claims, list) else [claims]:
        if not isinstance(each, dict) or SkillValidation.is_skill_claim(each):
            raise PermissionError("not a channel's token")
        if not isinstance(each.get("exp"), int | float):
            raise PermissionError("a token that never expires")


def teams_adapter(
    credentials: TeamsCredentials,
    conversations: ConversationStore,
    admin_channel: str | None,
) -> TeamsAdapter:
    auth = ReusedClientsAuthentication(
        _Configuration(credentials),
        auth_configuration=AuthenticationConfiguration(claims_validator=_channel_tokens_only),
    )
    adapter = CloudAdapter(auth)
    messenger = TeamsMessenger(adapter, credentials.app_id, conversations, admin_channel)
    return TeamsAdapter(adapter, auth, messenger, conversations)
