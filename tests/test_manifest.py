"""manifest.yml is a Slack app manifest that matches what the code does and nothing more."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from adapters.slack.app import COMMAND
from flows.kinds import default_registry

ROOT = Path(__file__).resolve().parent.parent
MANIFEST: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_command_interactivity_and_events_all_reach_the_one_endpoint() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    settings = MANIFEST["settings"]
    urls = [
        command["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]
    assert command["command"] == COMMAND
    assert all(url.startswith("https://") and url.endswith("/slack/events") for url in urls)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["socket_mode_enabled"] is False


def test_home_tab_and_bot_user_are_declared_within_slack_limits() -> None:
    features = MANIFEST["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert len(features["bot_user"]["display_name"]) <= 80
    assert len(MANIFEST["display_information"]["name"]) <= 35
    assert len(MANIFEST["display_information"]["description"]) <= 140
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", MANIFEST["display_information"]["background_color"])


def test_scopes_are_the_minimum_the_web_api_calls_need() -> None:
    used = set()
    for path in (ROOT / "adapters" / "slack").glob("*.py"):
        used |= set(
            re.findall(
                r"\.(chat_postMessage|chat_update|users_info|users_lookupByEmail"
                r"|views_open|views_publish|chat_postEphemeral"
                r"|conversations_open|conversations_history)\(",
                path.read_text(),
            )
        )
    history = {"channels:history", "groups:history", "im:history"}  # admin channel, or a DM
    needs = {
        "chat_postMessage": {"chat:write"},
        "chat_update": {"chat:write"},
        "chat_postEphemeral": {"chat:write"},
        "users_info": {"users:read"},
        "users_lookupByEmail": {"users:read.email"},
        "conversations_open": {"im:write"},
        "conversations_history": history,
    }
    required = set().union(*(needs.get(m, set()) for m in used)) | {"commands", "users:read.email"}
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == required


def test_the_usage_hint_lists_every_command_word_of_the_registry() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["usage_hint"] == f"[{' | '.join(default_registry().words())}]"


SOCKET_MODE: dict[str, Any] = yaml.safe_load((ROOT / "manifest-socket-mode.yml").read_text())


def without_request_urls(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as Socket Mode has it: no URL anywhere, the socket switched on."""
    plain = copy.deepcopy(manifest)
    for command in plain["features"]["slash_commands"]:
        del command["url"]
    del plain["settings"]["interactivity"]["request_url"]
    del plain["settings"]["event_subscriptions"]["request_url"]
    plain["settings"]["socket_mode_enabled"] = True
    return plain


def test_the_socket_mode_manifest_is_the_same_app_without_request_urls() -> None:
    assert without_request_urls(MANIFEST) == SOCKET_MODE
    assert "https://" not in (ROOT / "manifest-socket-mode.yml").read_text()
    assert SOCKET_MODE["settings"]["interactivity"]["is_enabled"] is True
    assert SOCKET_MODE["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
