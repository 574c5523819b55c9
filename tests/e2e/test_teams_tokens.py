"""Teams tokens through botbuilder's own validation, signed by a local test key.

The bot is built as ``serve`` builds it (``teams_adapter`` and its ``TeamsMessagesHandler``),
with one difference: its ``BotFrameworkCloud`` names a local OpenID metadata document and JWKS
(our RSA key, endorsed for ``msteams`` as Microsoft's keys are) and the public cloud's issuer,
``https://api.botframework.com``. Everything else is botbuilder's: its parameterized
authentication, ``JwtTokenExtractor`` with its endorsement check and clock tolerance, and the
audience, issuer and service URL checks.

Every token that is missing, malformed, expired, not yet valid, signed by another key or
algorithm, for another bot, from another issuer, for another service URL or on a key not
endorsed for the channel is 401, and the bot never runs: no person looked up, no conversation
stored. A correctly signed, current token for the bot, from the expected issuer, reaches the
bot, which answers the card action inline (no outbound call to the connector).

botbuilder fetches the keys with blocking ``requests`` inside the event loop, so the metadata
is served from a thread of its own (``http.server``), not from an aiohttp server on the test's
loop, which that fetch would block.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwt.algorithms import RSAAlgorithm

from adapters.teams.credentials import BotFrameworkCloud, TeamsCredentials
from adapters.teams.setup import teams_adapter
from flows.model import Actor, Platform
from flows.ports import CommandHelp, EmailLookup

APP_ID = "00000000-0000-0000-0000-0000000000aa"
OTHER_APP_ID = "00000000-0000-0000-0000-0000000000bb"
ISSUER = "https://api.botframework.com"  # the public cloud's channel tokens carry this
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
TEAMS_KEY, WEBCHAT_KEY = "teams-key", "webchat-only-key"
LEEWAY = 300  # botbuilder's clock tolerance on exp and nbf, in seconds
USER = "29:admin"


@dataclass(frozen=True)
class Keys:
    signing: RSAPrivateKey  # published under TEAMS_KEY (msteams) and WEBCHAT_KEY (webchat)
    rogue: RSAPrivateKey  # published nowhere


@pytest.fixture(scope="module")
def keys() -> Keys:
    def new() -> RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    return Keys(new(), new())


@pytest.fixture(scope="module")
def metadata_url(keys: Keys) -> Iterator[str]:
    """The OpenID metadata document and its JWKS, as login.botframework.com serves them."""
    public = keys.signing.public_key()
    jwks = {
        "keys": [
            RSAAlgorithm.to_jwk(public, as_dict=True)
            | {"kid": kid, "use": "sig", "endorsements": endorsements}
            for kid, endorsements in ((TEAMS_KEY, ["msteams"]), (WEBCHAT_KEY, ["webchat"]))
        ]
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    documents = {
        "/v1/.well-known/openidconfiguration": {
            "issuer": ISSUER,
            "jwks_uri": f"{base}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
        },
        "/v1/.well-known/keys": jwks,
    }

    class Documents(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = documents.get(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server.RequestHandlerClass = Documents
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{base}/v1/.well-known/openidconfiguration"
    server.shutdown()
    server.server_close()


# The bot's surroundings, recording whether it ran --------------------------------------------


@dataclass
class RecordingService:
    """The neutral service, knowing everyone as the admin; records each call."""

    calls: list[str] = field(default_factory=list)

    def commands(self) -> Sequence[CommandHelp]:
        return []

    async def identify(
        self, platform: Platform, platform_user_id: str, lookup_email: EmailLookup
    ) -> Actor | None:
        self.calls.append(f"identify {platform_user_id}")
        return Actor("admin@hmis.example.org", platform, platform_user_id)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the bot asked the service to {name}; this test expects no more")


@dataclass
class RecordingConversations:
    remembered: list[str] = field(default_factory=list)

    async def remember(
        self, conversation_id: str, kind: str, email: str | None, reference: dict[str, Any]
    ) -> None:
        self.remembered.append(conversation_id)

    async def personal(self, email: str) -> dict[str, Any] | None:
        return None

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        return None

    async def latest(self) -> dict[str, Any] | None:
        return None


@dataclass
class Bed:
    http: TestClient
    service: RecordingService
    conversations: RecordingConversations

    async def post(self, activity: dict[str, Any], authorization: str | None) -> tuple[int, Any]:
        headers = {"Authorization": authorization} if authorization is not None else {}
        response = await self.http.post("/api/messages", json=activity, headers=headers)
        text = await response.text()
        return response.status, json.loads(text) if text else None

    def untouched(self) -> bool:
        return not self.service.calls and not self.conversations.remembered


@pytest.fixture
async def bed(metadata_url: str) -> AsyncIterator[Bed]:
    cloud = BotFrameworkCloud(openid_metadata_url=metadata_url, token_issuer=ISSUER)
    credentials = TeamsCredentials(app_id=APP_ID, app_password="not-used-here", cloud=cloud)
    service, conversations = RecordingService(), RecordingConversations()
    teams = teams_adapter(credentials, conversations, None)
    handler = teams.messages_handler(service)

    async def messages(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    async with TestClient(TestServer(app)) as http:
        yield Bed(http, service, conversations)


# Activities and tokens ------------------------------------------------------------------------


def activity(kind: str, channel: str = "msteams") -> dict[str, Any]:
    """A personal-chat activity as Teams sends it; an invoke is a card button whose data
    carries no command, which the bot answers inline with a message."""
    data: dict[str, Any] = {
        "type": kind,
        "id": f"act-{time.monotonic_ns()}",
        "channelId": channel,
        "serviceUrl": SERVICE_URL,
        "from": {"id": USER, "name": "HMIS Admin", "aadObjectId": "aad-admin"},
        "recipient": {"id": f"28:{APP_ID}", "name": "HMIS Access"},
        "conversation": {"id": "a:chat-admin", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "tenant-0001"}},
    }
    if kind == "invoke":
        action = {"type": "Action.Execute", "verb": "no_such.verb", "data": {}}
        data |= {"name": "adaptiveCard/action", "value": {"action": action}}
    else:
        data["text"] = "help"
    return data


def claims(**changes: Any) -> dict[str, Any]:
    """What the Bot Framework puts in a channel's token to this bot, with ``changes``
    (a value of None leaves that claim out)."""
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": SERVICE_URL,
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + 3600,
    }
    merged = base | changes
    return {name: value for name, value in merged.items() if value is not None}


def bearer(
    payload: dict[str, Any], key: RSAPrivateKey, kid: str | None = TEAMS_KEY, alg: str = "RS256"
) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return "Bearer " + jwt.encode(payload, key, algorithm=alg, headers=headers)


def unsigned(payload: dict[str, Any], alg: str, secret: bytes = b"") -> str:
    """A token PyJWT would refuse to make: ``none``, or HS256 keyed with the public key."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": alg, "typ": "JWT", "kid": TEAMS_KEY}
    signing_input = f"{part(json.dumps(header).encode())}.{part(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
    return f"Bearer {signing_input}.{part(signature)}"


def refused_tokens(keys: Keys) -> dict[str, tuple[str | None, str]]:
    """Each way to be refused: the Authorization header, and the check that refuses it (the
    error botbuilder raises, which the handler logs by name)."""
    now = int(time.time())
    good, rogue = keys.signing, keys.rogue
    public_pem = good.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # botbuilder's parameterized authentication finds no identity in these, then reads its
    # claims anyway: AttributeError, which the handler answers with 401 like any other.
    no_identity = "AttributeError"
    return {
        "no Authorization header": (None, no_identity),
        "an empty one": ("", no_identity),
        "Bearer and no token": ("Bearer ", no_identity),
        "Basic credentials": ("Basic dXNlcjpwYXNz", "PermissionError"),
        "not a JWT": ("Bearer not.a.jwt", "DecodeError"),
        "expired past the clock tolerance": (
            bearer(claims(exp=now - LEEWAY - 60), good),
            "ExpiredSignatureError",
        ),
        "correctly signed but never expiring": (
            bearer(claims(exp=None), good),
            "PermissionError",
        ),
        "not valid yet, past the tolerance": (
            bearer(claims(nbf=now + LEEWAY + 60), good),
            "ImmatureSignatureError",
        ),
        "signed by another key under our key's id": (
            bearer(claims(), rogue),
            "InvalidSignatureError",
        ),
        # botbuilder looks the key id up with [...][0]: an unknown one is an IndexError
        "signed by another key under an unknown id": (
            bearer(claims(), rogue, kid="other-key"),
            "IndexError",
        ),
        "no key id": (bearer(claims(), good, kid=None), "IndexError"),
        "alg none": (unsigned(claims(), "none"), "Exception"),  # "not in allowed list"
        "HS256 keyed with the public key": (
            unsigned(claims(), "HS256", public_pem),
            "Exception",
        ),
        "RS384, allowed by botbuilder's list but not by its decode": (
            bearer(claims(), good, alg="RS384"),
            "InvalidAlgorithmError",
        ),
        "for another bot": (bearer(claims(aud=OTHER_APP_ID), good), "PermissionError"),
        "for no bot": (bearer(claims(aud=None), good), "PermissionError"),
        "from another issuer": (
            bearer(claims(iss="https://attacker.example.org"), good),
            "PermissionError",
        ),
        "from no issuer": (bearer(claims(iss=None), good), "KeyError"),
        # its keys are the Emulator's, which this configuration does not name at all
        "claiming to be the Emulator": (
            bearer(claims(iss=EMULATOR_ISSUER, appid=APP_ID, ver="1.0"), good),
            "MissingSchema",
        ),
        "a skill's token (another bot calling)": (
            bearer(claims(ver="1.0", appid=OTHER_APP_ID), good),
            "PermissionError",
        ),
        "for another service URL": (
            bearer(claims(serviceurl="https://evil.example.org/"), good),
            "PermissionError",
        ),
        "with no service URL": (bearer(claims(serviceurl=None), good), "PermissionError"),
        "on a key endorsed only for webchat": (
            bearer(claims(), good, kid=WEBCHAT_KEY),
            "Exception",  # "Could not validate endorsement key"
        ),
    }


# The tests ------------------------------------------------------------------------------------


async def test_every_bad_token_is_401_and_the_bot_never_runs(
    bed: Bed, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = refused_tokens(keys)
    caplog.set_level(logging.INFO, logger="adapters.teams.handler")
    answers, reasons = {}, {}
    for case, (header, _) in tokens.items():
        for kind in ("message", "invoke"):
            caplog.clear()
            answers[case, kind] = (await bed.post(activity(kind), header))[0]
            reasons[case, kind] = [r.getMessage().rpartition(": ")[2] for r in caplog.records]
    assert {key: status for key, status in answers.items() if status != 401} == {}
    expected = {(case, kind): [reason] for case, kind in reasons for reason in [tokens[case][1]]}
    assert reasons == expected
    assert len(answers) == 2 * len(tokens) == 46
    assert bed.untouched()


async def test_a_good_token_reaches_the_bot_which_answers_inline(bed: Bed, keys: Keys) -> None:
    status, body = await bed.post(activity("invoke"), bearer(claims(), keys.signing))
    assert status == 200, body
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "not valid" in body["value"]
    assert bed.service.calls == [f"identify {USER}"]
    assert bed.conversations.remembered == ["a:chat-admin"]


async def test_the_clock_tolerance_is_botbuilders_five_minutes_and_no_more(
    bed: Bed, keys: Keys
) -> None:
    now = int(time.time())
    within = bearer(claims(exp=now - LEEWAY + 60, nbf=now + LEEWAY - 60), keys.signing)
    beyond = bearer(claims(exp=now - LEEWAY - 60), keys.signing)
    assert (await bed.post(activity("invoke"), within))[0] == 200
    assert (await bed.post(activity("invoke"), beyond))[0] == 401
    assert len(bed.service.calls) == 1


async def test_the_keys_endorsement_must_name_the_activitys_channel(bed: Bed, keys: Keys) -> None:
    """The same token and key: accepted for a webchat activity on the webchat-endorsed key,
    refused for Teams on it (above), and refused for webchat on the Teams-only key."""
    token = bearer(claims(), keys.signing, kid=WEBCHAT_KEY)
    assert (await bed.post(activity("invoke", channel="webchat"), token))[0] == 200
    teams_only = bearer(claims(), keys.signing)
    assert (await bed.post(activity("invoke", channel="webchat"), teams_only))[0] == 401
