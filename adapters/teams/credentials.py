"""The Azure bot registration and its cloud, without importing botbuilder: ``serve`` decides
from these whether Teams is on before it loads botbuilder (tens of megabytes) at all."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BotFrameworkCloud:
    """Where the Bot Framework's tokens come from and go to, for a cloud botbuilder has no
    constants for (a sovereign or private one), or a test's own signing key. Empty, as in
    production unless an operator needs otherwise: Azure's public cloud.

    Each field is the botbuilder setting named beside it. Setting any but ``channel_service``
    switches botbuilder to its parameterized authentication, which uses exactly these values
    and nothing built in, so set every one that applies."""

    channel_service: str = ""  # CHANNEL_SERVICE: https://botframework.azure.us for US Government
    openid_metadata_url: str = ""  # TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: the signing keys
    token_issuer: str = ""  # TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: the `iss` tokens must carry
    login_url: str = ""  # TO_CHANNEL_FROM_BOT_LOGIN_URL: where the bot gets its own tokens
    oauth_scope: str = ""  # TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: the audience of those tokens


@dataclass(frozen=True)
class TeamsCredentials:
    """The Azure bot registration; an empty app id means unauthenticated local use."""

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    cloud: BotFrameworkCloud = field(default_factory=BotFrameworkCloud)
