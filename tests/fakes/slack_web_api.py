"""A local fake of the Slack Web API that enforces Slack's documented limits.

Point ``slack_sdk``'s ``AsyncWebClient(base_url=await fake.start())`` at it. Every call is
recorded in ``fake.calls``; the workspace (users, channels), the posted messages with their
update history, opened modals, published Home tabs, ephemeral messages and ``response_url``
posts are kept so a test can assert on what the bot did, the way Slack would have accepted it.

Responses copy Slack's shapes: HTTP 200 with ``{"ok": false, "error": ...}`` for failures,
HTTP 429 with ``Retry-After`` for rate limiting. Block Kit problems in messages answer
``invalid_blocks`` with ``errors``; problems in views answer ``invalid_arguments`` with
``response_metadata.messages``, each naming the offending ``[json-pointer:...]``, as Slack does.

    fake = FakeSlack(token="xoxb-test")
    fake.add_user("U1", "ada@example.org", "Ada Lovelace")
    client = AsyncWebClient(token="xoxb-test", base_url=await fake.start())
    ...
    await fake.stop()
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from typing import Any, Final, TypeAlias

from aiohttp import web

from tests.fakes.storm import Storm
from tests.privacy_scan import SCAN

Json: TypeAlias = dict[str, Any]

Handler: TypeAlias = Callable[[Json], Json]
Check: TypeAlias = Callable[[Json, str], list[str]]

# --- Limits -------------------------------------------------------------------------------
# Messages: https://docs.slack.dev/reference/methods/chat.postMessage (text "no more than
# 40,000 characters"; errors msg_too_long, no_text, invalid_blocks).
MESSAGE_TEXT_MAX: Final = 40_000
# https://docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in each message, and
# 100 blocks in modals or Home tabs").
MESSAGE_BLOCKS_MAX: Final = 50
VIEW_BLOCKS_MAX: Final = 100
# Every block's block_id: https://docs.slack.dev/reference/block-kit/blocks ("Maximum length
# for this field is 255 characters ... should be unique for each message").
BLOCK_ID_MAX: Final = 255
# https://docs.slack.dev/reference/block-kit/blocks/section-block
SECTION_TEXT_MAX: Final = 3000
SECTION_FIELDS_MAX: Final = 10
SECTION_FIELD_TEXT_MAX: Final = 2000
# https://docs.slack.dev/reference/block-kit/blocks/header-block (plain_text only).
HEADER_TEXT_MAX: Final = 150
# https://docs.slack.dev/reference/block-kit/blocks/actions-block
ACTIONS_ELEMENTS_MAX: Final = 25
# https://docs.slack.dev/reference/block-kit/blocks/context-block
CONTEXT_ELEMENTS_MAX: Final = 10
# https://docs.slack.dev/reference/block-kit/composition-objects/text-object
TEXT_OBJECT_MAX: Final = 3000
# https://docs.slack.dev/reference/block-kit/blocks/input-block (label and hint).
INPUT_LABEL_MAX: Final = 2000
INPUT_HINT_MAX: Final = 2000
# https://docs.slack.dev/reference/block-kit/blocks/image-block and .../image-element
IMAGE_URL_MAX: Final = 3000
IMAGE_ALT_TEXT_MAX: Final = 2000
IMAGE_TITLE_MAX: Final = 2000
# Every interactive element's action_id and placeholder:
# https://docs.slack.dev/reference/block-kit/block-elements
ACTION_ID_MAX: Final = 255
PLACEHOLDER_MAX: Final = 150
# https://docs.slack.dev/reference/block-kit/block-elements/button-element
BUTTON_TEXT_MAX: Final = 75
BUTTON_VALUE_MAX: Final = 2000
BUTTON_URL_MAX: Final = 3000
# https://docs.slack.dev/reference/block-kit/composition-objects/option-object
OPTION_TEXT_MAX: Final = 75
OPTION_VALUE_MAX: Final = 150
OPTION_DESCRIPTION_MAX: Final = 75
OPTION_URL_MAX: Final = 3000
# https://docs.slack.dev/reference/block-kit/composition-objects/option-group-object
OPTION_GROUP_LABEL_MAX: Final = 75
OPTION_GROUP_OPTIONS_MAX: Final = 100
# https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element (static)
SELECT_OPTIONS_MAX: Final = 100
SELECT_OPTION_GROUPS_MAX: Final = 100
# https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element
OVERFLOW_OPTIONS_MAX: Final = 5
# https://docs.slack.dev/reference/block-kit/block-elements/checkboxes-element and
# .../radio-button-group-element
CHOICE_OPTIONS_MAX: Final = 10
# https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
PLAIN_TEXT_INPUT_LENGTH_MAX: Final = 3000
# https://docs.slack.dev/reference/views/modal-views (title, submit, close, private_metadata,
# callback_id) and https://docs.slack.dev/reference/methods/views.open (external_id).
MODAL_TITLE_MAX: Final = 24
MODAL_BUTTON_TEXT_MAX: Final = 24
PRIVATE_METADATA_MAX: Final = 3000
CALLBACK_ID_MAX: Final = 255
EXTERNAL_ID_MAX: Final = 255
# "Pass a valid trigger_id within 3 seconds of receiving it":
# https://docs.slack.dev/tools/bolt-python/concepts/opening-modals
TRIGGER_TTL_SECONDS: Final = 3.0
# A response_url can be used "up to 5 times within 30 minutes":
# https://docs.slack.dev/interactivity/handling-user-interaction
RESPONSE_URL_MAX_USES: Final = 5

# https://docs.slack.dev/reference/methods/conversations.history ("limit": default 100,
# "no more than 999").
HISTORY_DEFAULT_LIMIT: Final = 100
HISTORY_MAX_LIMIT: Final = 999

# --- Identity of the fake workspace and bot -----------------------------------------------
TEAM_ID: Final = "T1"
TEAM_NAME: Final = "Test"
BOT_USER_ID: Final = "UBOT"
BOT_USER_NAME: Final = "hmis-access-bot"
BOT_ID: Final = "BBOT"
APP_ID: Final = "ABOT"
DEFAULT_SCOPES: Final = "chat:write,commands,im:write,users:read,users:read.email"
TS_EPOCH: Final = 1_700_000_000
TEST_TOKEN: Final = "xoxb-test"

# Form fields that carry JSON; slack_sdk sends them JSON-encoded when it uses form data.
JSON_ENCODED_FIELDS: Final = frozenset({"blocks", "attachments", "view", "metadata"})
TEXT_TYPES: Final = frozenset({"plain_text", "mrkdwn"})
PLAIN_TEXT: Final = frozenset({"plain_text"})
VIEW_DEFAULTS: Final[Json] = {
    "close": None,
    "submit": None,
    "private_metadata": "",
    "callback_id": "",
    "external_id": "",
    "clear_on_close": False,
    "notify_on_close": False,
}


def dm_channel_id(user_id: str) -> str:
    """The id of the bot's direct-message channel with ``user_id`` in this fake."""
    return f"D{user_id}"


# --- Block Kit validation -----------------------------------------------------------------
# Each check returns Slack-style problem strings: "<what> [json-pointer:/path]".


def _too_long(value: object, limit: int, pointer: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _too_many(items: object, limit: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    return []


def _missing(field: str, pointer: str) -> list[str]:
    return [f"missing required field: {field} [json-pointer:{pointer}]"]


def _not_array(items: object, pointer: str) -> list[str]:
    if items is None:
        parent, _, field = pointer.rpartition("/")
        return _missing(field, parent or "/")
    if isinstance(items, list):
        return [] if items else [f"must provide at least 1 items [json-pointer:{pointer}]"]
    return [f"must be an array [json-pointer:{pointer}]"]


def _text_object(obj: object, limit: int, pointer: str, kinds: frozenset[str]) -> list[str]:
    if not isinstance(obj, dict):
        return [f"must be a text object [json-pointer:{pointer}]"]
    if obj.get("type") not in kinds:
        return [f"must be one of {sorted(kinds)} [json-pointer:{pointer}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{pointer}/text]"]
    return _too_long(text, limit, f"{pointer}/text")


def _text_field(
    parent: Json,
    key: str,
    limit: int,
    pointer: str,
    *,
    required: bool = True,
    kinds: frozenset[str] = PLAIN_TEXT,
) -> list[str]:
    if parent.get(key) is None:
        return _missing(key, pointer) if required else []
    return _text_object(parent[key], limit, f"{pointer}/{key}", kinds)


def _duplicates(items: list[Any], key: str, pointer: str) -> list[str]:
    seen: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if isinstance(value, str) and value in seen:
            problems.append(f"duplicate {key} {value!r} [json-pointer:{pointer}/{index}/{key}]")
        if isinstance(value, str):
            seen.add(value)
    return problems


def _option(option: object, pointer: str, kinds: frozenset[str]) -> list[str]:
    if not isinstance(option, dict):
        return [f"must be an option object [json-pointer:{pointer}]"]
    return (
        _text_field(option, "text", OPTION_TEXT_MAX, pointer, kinds=kinds)
        + _too_long(option.get("value"), OPTION_VALUE_MAX, f"{pointer}/value")
        + _text_field(
            option, "description", OPTION_DESCRIPTION_MAX, pointer, required=False, kinds=kinds
        )
        + _too_long(option.get("url"), OPTION_URL_MAX, f"{pointer}/url")
    )


def _options(
    parent: Json, limit: int, pointer: str, kinds: frozenset[str] = PLAIN_TEXT
) -> list[str]:
    options, where = parent.get("options"), f"{pointer}/options"
    problems = _not_array(options, where) or _too_many(options, limit, where)
    for index, option in enumerate(options if isinstance(options, list) else []):
        problems += _option(option, f"{where}/{index}", kinds)
    return problems


def _option_group(group: object, pointer: str) -> list[str]:
    if not isinstance(group, dict):
        return [f"must be an option group object [json-pointer:{pointer}]"]
    return _text_field(group, "label", OPTION_GROUP_LABEL_MAX, pointer) + _options(
        group, OPTION_GROUP_OPTIONS_MAX, pointer
    )


def _static_select(element: Json, pointer: str) -> list[str]:
    groups = element.get("option_groups")
    if groups is None:
        return _options(element, SELECT_OPTIONS_MAX, pointer)
    where = f"{pointer}/option_groups"
    problems = _not_array(groups, where) or _too_many(groups, SELECT_OPTION_GROUPS_MAX, where)
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        problems += _option_group(group, f"{where}/{index}")
    return problems


def _button(element: Json, pointer: str) -> list[str]:
    return (
        _text_field(element, "text", BUTTON_TEXT_MAX, pointer)
        + _too_long(element.get("value"), BUTTON_VALUE_MAX, f"{pointer}/value")
        + _too_long(element.get("url"), BUTTON_URL_MAX, f"{pointer}/url")
    )


def _overflow(element: Json, pointer: str) -> list[str]:
    return _options(element, OVERFLOW_OPTIONS_MAX, pointer)


def _choices(element: Json, pointer: str) -> list[str]:
    """checkboxes and radio_buttons; their option text may be mrkdwn."""
    return _options(element, CHOICE_OPTIONS_MAX, pointer, TEXT_TYPES)


def _plain_text_input(element: Json, pointer: str) -> list[str]:
    return [
        f"must be no more than {PLAIN_TEXT_INPUT_LENGTH_MAX} [json-pointer:{pointer}/{key}]"
        for key in ("max_length", "min_length")
        if isinstance(element.get(key), int) and element[key] > PLAIN_TEXT_INPUT_LENGTH_MAX
    ]


def _image(element: Json, pointer: str) -> list[str]:
    problems = _too_long(element.get("image_url"), IMAGE_URL_MAX, f"{pointer}/image_url")
    if element.get("alt_text") is None:
        return [*problems, *_missing("alt_text", pointer)]
    return problems + _too_long(element["alt_text"], IMAGE_ALT_TEXT_MAX, f"{pointer}/alt_text")


def _no_checks(_item: Json, _pointer: str) -> list[str]:
    return []


_ELEMENT_CHECKS: Final[dict[str, Check]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "overflow": _overflow,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "plain_text_input": _plain_text_input,
    "image": _image,
    **dict.fromkeys(
        (
            "channels_select",
            "conversations_select",
            "datepicker",
            "datetimepicker",
            "email_text_input",
            "external_select",
            "file_input",
            "multi_channels_select",
            "multi_conversations_select",
            "multi_external_select",
            "multi_users_select",
            "number_input",
            "rich_text_input",
            "timepicker",
            "url_text_input",
            "users_select",
            "workflow_button",
        ),
        _no_checks,
    ),
}


def element_problems(element: object, pointer: str) -> list[str]:
    """Problems with one block element (button, select, input, image...)."""
    if not isinstance(element, dict):
        return [f"must be an element object [json-pointer:{pointer}]"]
    check = _ELEMENT_CHECKS.get(element.get("type", ""))
    if check is None:
        return [f"unsupported type: {element.get('type')} [json-pointer:{pointer}/type]"]
    return (
        _too_long(element.get("action_id"), ACTION_ID_MAX, f"{pointer}/action_id")
        + _text_field(element, "placeholder", PLACEHOLDER_MAX, pointer, required=False)
        + check(element, pointer)
    )


def _section(block: Json, pointer: str) -> list[str]:
    text, fields = block.get("text"), block.get("fields")
    if text is None and fields is None:
        return [f"must define either `text` or `fields` [json-pointer:{pointer}]"]
    problems = _text_field(
        block, "text", SECTION_TEXT_MAX, pointer, required=False, kinds=TEXT_TYPES
    )
    if fields is not None:
        where = f"{pointer}/fields"
        problems += _not_array(fields, where) or _too_many(fields, SECTION_FIELDS_MAX, where)
        for index, field in enumerate(fields if isinstance(fields, list) else []):
            problems += _text_object(field, SECTION_FIELD_TEXT_MAX, f"{where}/{index}", TEXT_TYPES)
    if block.get("accessory") is not None:
        problems += element_problems(block["accessory"], f"{pointer}/accessory")
    return problems


def _header(block: Json, pointer: str) -> list[str]:
    return _text_field(block, "text", HEADER_TEXT_MAX, pointer)


def _actions(block: Json, pointer: str) -> list[str]:
    elements, where = block.get("elements"), f"{pointer}/elements"
    problems = _not_array(elements, where) or _too_many(elements, ACTIONS_ELEMENTS_MAX, where)
    if not isinstance(elements, list):
        return problems
    problems += _duplicates(elements, "action_id", where)
    for index, element in enumerate(elements):
        problems += element_problems(element, f"{where}/{index}")
    return problems


def _context(block: Json, pointer: str) -> list[str]:
    elements, where = block.get("elements"), f"{pointer}/elements"
    problems = _not_array(elements, where) or _too_many(elements, CONTEXT_ELEMENTS_MAX, where)
    for index, element in enumerate(elements if isinstance(elements, list) else []):
        at = f"{where}/{index}"
        is_text = isinstance(element, dict) and element.get("type") in TEXT_TYPES
        problems += (
            _text_object(element, TEXT_OBJECT_MAX, at, TEXT_TYPES)
            if is_text
            else element_problems(element, at)
        )
    return problems


def _input(block: Json, pointer: str) -> list[str]:
    problems = _text_field(block, "label", INPUT_LABEL_MAX, pointer)
    problems += _text_field(block, "hint", INPUT_HINT_MAX, pointer, required=False)
    if block.get("element") is None:
        return problems + _missing("element", pointer)
    return problems + element_problems(block["element"], f"{pointer}/element")


def _image_block(block: Json, pointer: str) -> list[str]:
    return _image(block, pointer) + _text_field(
        block, "title", IMAGE_TITLE_MAX, pointer, required=False
    )


_BLOCK_CHECKS: Final[dict[str, Check]] = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "context": _context,
    "input": _input,
    "image": _image_block,
    **dict.fromkeys(
        (
            "alert",
            "card",
            "carousel",
            "container",
            "context_actions",
            "divider",
            "file",
            "markdown",
            "rich_text",
            "table",
            "video",
        ),
        _no_checks,
    ),
}


def block_problems(block: object, pointer: str) -> list[str]:
    """Problems with one layout block."""
    if not isinstance(block, dict):
        return [f"must be a block object [json-pointer:{pointer}]"]
    check = _BLOCK_CHECKS.get(block.get("type", ""))
    if check is None:
        return [f"unsupported type: {block.get('type')} [json-pointer:{pointer}/type]"]
    return _too_long(block.get("block_id"), BLOCK_ID_MAX, f"{pointer}/block_id") + check(
        block, pointer
    )


def blocks_problems(blocks: object, max_blocks: int, pointer: str) -> list[str]:
    """Problems with a surface's ``blocks`` array (a message's or a view's)."""
    if blocks is None:
        return _missing("blocks", pointer.rsplit("/", 1)[0] or "/")
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    problems = _too_many(blocks, max_blocks, pointer) + _duplicates(blocks, "block_id", pointer)
    for index, block in enumerate(blocks):
        problems += block_problems(block, f"{pointer}/{index}")
    return problems


def _view_common_problems(view: Json) -> list[str]:
    return (
        blocks_problems(view.get("blocks"), VIEW_BLOCKS_MAX, "/view/blocks")
        + _too_long(view.get("callback_id"), CALLBACK_ID_MAX, "/view/callback_id")
        + _too_long(view.get("private_metadata"), PRIVATE_METADATA_MAX, "/view/private_metadata")
        + _too_long(view.get("external_id"), EXTERNAL_ID_MAX, "/view/external_id")
    )


def _submit_problems(view: Json) -> list[str]:
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return []
    inputs = [i for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("type") == "input"]
    if not inputs or view.get("submit") is not None:
        return []
    return [
        f"must define `submit` to use an `input` block in modals "
        f"[json-pointer:/view/blocks/{inputs[0]}/input]"
    ]


def modal_view_problems(view: object) -> list[str]:
    """Problems with a modal view object, as views.open / views.update see them."""
    if not isinstance(view, dict):
        return ["must be a view object [json-pointer:/view]"]
    if view.get("type") != "modal":
        return ["must be `modal` [json-pointer:/view/type]"]
    problems = _text_field(view, "title", MODAL_TITLE_MAX, "/view")
    for key in ("submit", "close"):
        problems += _text_field(view, key, MODAL_BUTTON_TEXT_MAX, "/view", required=False)
    return problems + _view_common_problems(view) + _submit_problems(view)


def home_view_problems(view: object) -> list[str]:
    """Problems with a Home tab view object, as views.publish sees it."""
    if not isinstance(view, dict):
        return ["must be a view object [json-pointer:/view]"]
    if view.get("type") != "home":
        return ["must be `home` [json-pointer:/view/type]"]
    return _view_common_problems(view)


_VIEW_CHECKS: Final[dict[str, Callable[[object], list[str]]]] = {
    "modal": modal_view_problems,
    "home": home_view_problems,
}


# --- Response payloads --------------------------------------------------------------------


def _error(code: str, **extra: Any) -> Json:
    return {"ok": False, "error": code, **extra}


def _messages(problems: list[str]) -> Json:
    return {"messages": [f"[ERROR] {problem}" for problem in problems]}


def _invalid_blocks(problems: list[str]) -> Json:
    return _error("invalid_blocks", errors=problems, response_metadata=_messages(problems))


def _invalid_arguments(problems: list[str]) -> Json:
    return _error("invalid_arguments", response_metadata=_messages(problems))


def message_content_error(payload: Json) -> Json | None:
    """Slack's answer to a message body (text/blocks) it would refuse, or None if fine."""
    text, blocks = payload.get("text"), payload.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        return _error("invalid_blocks_format")
    if not text and not blocks and not payload.get("attachments"):
        return _error("no_text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        return _error("msg_too_long")
    problems = blocks_problems(blocks, MESSAGE_BLOCKS_MAX, "/blocks") if blocks else []
    return _invalid_blocks(problems) if problems else None


def _content(payload: Json) -> Json:
    return {"text": payload.get("text") or "", "blocks": copy.deepcopy(payload.get("blocks") or [])}


def _public_message(message: Json) -> Json:
    return {key: value for key, value in message.items() if key not in ("history", "channel")}


# --- Request parsing ----------------------------------------------------------------------


def _maybe_json(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not value:
        return None
    try:
        decoded: object = json.loads(value)
    except json.JSONDecodeError:
        return value
    return decoded


async def _read_body(request: web.Request) -> Json:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return {}
        return body if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def read_params(request: web.Request) -> Json:
    """Query string and body (JSON or form) merged, with JSON-valued form fields decoded."""
    params: Json = dict(request.query)
    if request.can_read_body:
        params.update(await _read_body(request))
    return {k: _maybe_json(v) if k in JSON_ENCODED_FIELDS else v for k, v in params.items()}


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _text_param(params: Json, key: str) -> str:
    value = params.get(key)
    return value if isinstance(value, str) else ""


def _user_ids(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


# --- The fake -----------------------------------------------------------------------------


class FakeSlack:
    """An in-process Slack Web API (``/api/{method}``) plus ``response_url`` endpoints."""

    def __init__(
        self,
        token: str = TEST_TOKEN,
        *,
        clock: Callable[[], float] = time.monotonic,
        scopes: str = DEFAULT_SCOPES,
    ) -> None:
        self.token = token
        self.scopes = scopes
        self.base_url = ""
        self.users: dict[str, Json] = {}
        self.channels: dict[str, Json] = {}
        self.messages: dict[tuple[str, str], Json] = {}
        self.ephemerals: list[Json] = []
        self.responses: list[Json] = []
        self.views: dict[str, Json] = {}
        self.home_views: dict[str, Json] = {}
        self.calls: list[tuple[str, Json]] = []
        self.calls_by: Counter[tuple[str, str]] = Counter()
        """(caller, method) counts of calls through ``base_url_for(caller)``."""
        self._clock = clock
        self._origin = ""
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self._ts_counter = itertools.count(1)
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._view_history: dict[str, list[Json]] = {}
        self._rate_limits: defaultdict[str, deque[int]] = defaultdict(deque)
        self._failures: defaultdict[str, deque[str]] = defaultdict(deque)
        self._holds: dict[str, asyncio.Event] = {}
        self._storm: Storm | None = None
        self.posted_at: list[tuple[str, float]] = []  # (channel, monotonic time) of each post
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    # -- workspace setup --

    def add_user(
        self,
        user_id: str,
        email: str | None,
        name: str,
        is_bot: bool = False,
        *,
        deleted: bool = False,
    ) -> Json:
        """Add a member. ``name`` is the real name; the handle is the e-mail's local part.

        With ``email=None`` the profile has no ``email`` key, as Slack answers for bots and for
        members whose address the app may not see.
        """
        profile: Json = {"real_name": name, "display_name": name}
        if email is not None:
            profile["email"] = email
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": email.partition("@")[0] if email else user_id.lower(),
            "real_name": name,
            "is_bot": is_bot,
            "deleted": deleted,
            "profile": profile,
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str = "", members: list[str] | None = None
    ) -> Json:
        """Register a channel the bot may post in; ``members`` (if given) gate ephemerals."""
        channel = {"id": channel_id, "name": name or channel_id.lower(), "members": members}
        self.channels[channel_id] = channel
        return channel

    def issue_trigger_id(self) -> str:
        """A trigger_id as Slack would send with an interaction; valid once, for 3 seconds."""
        trigger_id = f"{next(self._ids)}.{int(time.time())}.{secrets.token_hex(8)}"
        self._triggers[trigger_id] = self._clock()
        return trigger_id

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call of ``method`` with HTTP 429 and ``Retry-After``."""
        self._rate_limits[method].append(retry_after)

    def hold(self, method: str) -> asyncio.Event:
        """Leave calls of ``method`` unanswered (a platform that hangs) until the returned
        event is set."""
        release = self._holds[method] = asyncio.Event()
        return release

    def storm(self, storm: Storm | None) -> None:
        """Answer a share of the calls to the storm's methods with 429 or a 5xx (None: calm)."""
        self._storm = storm

    def fail_next(self, method: str, error: str) -> None:
        """Answer the next call of ``method`` with ``{"ok": false, "error": error}``."""
        self._failures[method].append(error)

    # -- server lifecycle --

    async def start(self) -> str:
        """Serve on 127.0.0.1 on a free port; return the base URL ending in ``/api/``."""
        app = web.Application()
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self._origin = f"http://{host}:{port}"
        self.base_url = f"{self._origin}/api/"
        return self.base_url

    def _routes(self) -> list[web.RouteDef]:
        """The fake's endpoints; a fake of more of Slack adds its own before these."""
        return [
            web.route("*", "/api/{method}", self._handle_api),
            web.route("*", "/as/{caller}/api/{method}", self._handle_api),
            web.post("/respond/{name}", self._handle_response_url),
        ]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def base_url_for(self, caller: str) -> str:
        """A base URL for one of several bot processes sharing the fake: its calls count in
        ``calls_by`` under ``caller``, and are otherwise those of ``base_url``."""
        if not self._origin:
            raise RuntimeError("start() the fake before asking for a caller's URL")
        return f"{self._origin}/as/{caller}/api/"

    def response_url(self, name: str) -> str:
        """A response_url whose posts land in ``responses`` with ``"name": name``."""
        if not self._origin:
            raise RuntimeError("start() the fake before asking for a response_url")
        return f"{self._origin}/respond/{name}"

    # -- accessors for assertions --

    def message(self, channel: str, ts: str) -> Json:
        """The latest version of a posted message (``history`` holds every version)."""
        key = (self._normalise(channel), ts)
        if key not in self.messages:
            raise KeyError(f"no message {key}; posted: {list(self.messages)}")
        return self.messages[key]

    def payload_message(self, channel: str, ts: str) -> Json:
        """The latest version as Slack puts it in interaction payloads (no fake bookkeeping)."""
        return _public_message(self.message(channel, ts))

    def updates(self, channel: str, ts: str) -> list[Json]:
        """The versions chat.update produced for a message, oldest first."""
        history: list[Json] = self.message(channel, ts)["history"]
        return history[1:]

    def messages_in(self, channel: str) -> list[Json]:
        channel = self._normalise(channel)
        return [message for (where, _), message in self.messages.items() if where == channel]

    def dm_messages(self, user_id: str) -> list[Json]:
        return self.messages_in(dm_channel_id(user_id))

    @property
    def opened_views(self) -> list[Json]:
        """Modals opened by views.open, in their latest state, in open order."""
        return [view for view in self.views.values() if view.get("type") == "modal"]

    def view(self, view_id: str) -> Json:
        return self.views[view_id]

    def view_history(self, view_id: str) -> list[Json]:
        return self._view_history[view_id]

    def home_view(self, user_id: str) -> Json | None:
        return self.home_views.get(user_id)

    def calls_to(self, method: str) -> list[Json]:
        return [params for called, params in self.calls if called == method]

    def ephemerals_for(self, user_id: str) -> list[Json]:
        return [message for message in self.ephemerals if message["user"] == user_id]

    def responses_to(self, name: str) -> list[Json]:
        return [response for response in self.responses if response["name"] == name]

    # -- HTTP handling --

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        token = _bearer_token(request) or params.get("token")
        params.pop("token", None)
        SCAN.check(f"the bot's Slack call {method}", json.dumps(params, default=str))
        self.calls.append((method, params))
        if "caller" in request.match_info:
            self.calls_by[request.match_info["caller"], method] += 1
        if method in self._holds:
            await self._holds[method].wait()
        return self._gate(method, token) or self._json(self._dispatch(method, params))

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        payload = await read_params(request)
        SCAN.check("the bot's answer to a Slack response_url", json.dumps(payload, default=str))
        self.calls.append(("response_url", {"name": name, **payload}))
        if len(self.responses_to(name)) >= RESPONSE_URL_MAX_USES:
            return web.json_response(_error("used_url"), status=404)
        problem = None if payload.get("delete_original") else message_content_error(payload)
        if problem is not None:
            return web.json_response(problem, status=400)
        self.responses.append({"name": name, **payload})
        return web.json_response({"ok": True})

    def _gate(self, method: str, token: object) -> web.Response | None:
        """Authentication, then injected rate limits and failures."""
        if token is None or token == "":
            return self._json(_error("not_authed"))
        if token != self.token:
            return self._json(_error("invalid_auth"))
        if self._rate_limits[method]:
            retry_after = self._rate_limits[method].popleft()
            return web.json_response(
                _error("ratelimited"), status=429, headers={"Retry-After": str(retry_after)}
            )
        if self._failures[method]:
            return self._json(_error(self._failures[method].popleft()))
        status = self._storm.strikes(method) if self._storm else None
        if status == 429:
            return web.json_response(
                _error("ratelimited"), status=429, headers={"Retry-After": "1"}
            )
        if status is not None:
            return web.json_response(_error("internal_error"), status=status)
        return None

    def _json(self, payload: Json) -> web.Response:
        return web.json_response(payload, headers={"X-OAuth-Scopes": self.scopes})

    def _dispatch(self, method: str, params: Json) -> Json:
        handler = self._handlers.get(method)
        if handler is None:
            return _error("unknown_method", req_method=method)
        return handler(params)

    # -- helpers --

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * 100
        return f"{TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _normalise(self, channel: str) -> str:
        return dm_channel_id(channel) if channel in self.users else channel

    def _resolve_channel(self, channel: object, *, allow_user_id: bool) -> str | None:
        """A known channel id; a user id becomes the DM id when Slack would accept it."""
        if not isinstance(channel, str):
            return None
        if channel in self.channels or (channel[:1] == "D" and channel[1:] in self.users):
            return channel
        return dm_channel_id(channel) if allow_user_id and channel in self.users else None

    def _is_member(self, channel: str, user_id: str) -> bool:
        if channel not in self.channels:
            return channel == dm_channel_id(user_id)
        members = self.channels[channel]["members"]
        return members is None or user_id in members

    # -- methods: identity --

    def _auth_test(self, _params: Json) -> Json:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_USER_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, params: Json) -> Json:
        user = self.users.get(_text_param(params, "user"))
        return {"ok": True, "user": user} if user else _error("user_not_found")

    def _users_lookup_by_email(self, params: Json) -> Json:
        email = _text_param(params, "email").lower()
        for user in self.users.values():
            if email and user["profile"].get("email", "").lower() == email:
                return {"ok": True, "user": user}
        return _error("users_not_found")

    def _conversations_open(self, params: Json) -> Json:
        users = _user_ids(params.get("users"))
        if not users:
            return self._reopen(params.get("channel"))
        if any(user not in self.users for user in users):
            return _error("user_not_found")
        if any(self.users[user]["deleted"] for user in users):
            return _error("user_disabled")
        if len(users) == 1:
            return {"ok": True, "channel": {"id": dm_channel_id(users[0])}}
        mpim = self.add_channel("G" + "".join(sorted(users)), members=users)
        return {"ok": True, "channel": {"id": mpim["id"]}}

    def _reopen(self, channel: object) -> Json:
        """conversations.open with `channel` instead of `users`."""
        if channel is None:
            return _error("users_list_not_supplied")
        resolved = self._resolve_channel(channel, allow_user_id=False)
        return (
            {"ok": True, "channel": {"id": resolved}} if resolved else _error("channel_not_found")
        )

    def _conversations_history(self, params: Json) -> Json:
        """Newest first, ``limit`` a page (at most 999; a cursor for the next); ``metadata``
        only with ``include_all_metadata``, as Slack answers. A DM is asked for by its id."""
        channel = self._resolve_channel(params.get("channel"), allow_user_id=False)
        if channel is None:
            return _error("channel_not_found")
        limit = min(int(params.get("limit") or HISTORY_DEFAULT_LIMIT), HISTORY_MAX_LIMIT)
        start = int(params.get("cursor") or 0)
        found = sorted(
            (m for (where, _), m in self.messages.items() if where == channel),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        with_metadata = str(params.get("include_all_metadata")).lower() in {"true", "1"}
        page = [
            {k: v for k, v in _public_message(m).items() if with_metadata or k != "metadata"}
            for m in found[start : start + limit]
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    # -- methods: messages --

    def _chat_post_message(self, params: Json) -> Json:
        channel = self._resolve_channel(params.get("channel"), allow_user_id=True)
        if channel is None:
            return _error("channel_not_found")
        problem = message_content_error(params)
        if problem is not None:
            return problem
        message = self._store_message(channel, params)
        self.posted_at.append((channel, time.monotonic()))
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": _public_message(message),
        }

    def _store_message(self, channel: str, params: Json) -> Json:
        ts = self._next_ts()
        message: Json = {
            "type": "message",
            "channel": channel,
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            **_content(params),
        }
        for key in ("thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        message["history"] = [_content(message)]
        self.messages[(channel, ts)] = message
        return message

    def _chat_update(self, params: Json) -> Json:
        # Slack wants the DM id (D...) here, not a user id: chat.update's `channel` argument.
        channel = self._resolve_channel(params.get("channel"), allow_user_id=False)
        if channel is None:
            return _error("channel_not_found")
        message = self.messages.get((channel, _text_param(params, "ts")))
        if message is None:
            return _error("message_not_found")
        problem = message_content_error(params)
        if problem is not None:
            return problem
        self._apply_update(message, params)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": _public_message(message),
        }

    def _apply_update(self, message: Json, params: Json) -> None:
        """Replace what was sent; omitted text/blocks are kept, as chat.update does."""
        for key in ("text", "blocks", "metadata"):
            if params.get(key) is not None:
                message[key] = copy.deepcopy(params[key])
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        message["history"].append(_content(message))

    def _chat_post_ephemeral(self, params: Json) -> Json:
        channel = self._resolve_channel(params.get("channel"), allow_user_id=True)
        if channel is None:
            return _error("channel_not_found")
        user = _text_param(params, "user")
        if user not in self.users:
            return _error("user_not_found")
        if not self._is_member(channel, user):
            return _error("user_not_in_channel")
        problem = message_content_error(params)
        if problem is not None:
            return problem
        ts = self._next_ts()
        self.ephemerals.append({"channel": channel, "user": user, "ts": ts, **_content(params)})
        return {"ok": True, "message_ts": ts}

    # -- methods: views --

    def _trigger_error(self, trigger_id: object) -> Json | None:
        if not isinstance(trigger_id, str) or not trigger_id:
            return _invalid_arguments(["missing required field: trigger_id"])
        issued = self._triggers.get(trigger_id)
        if issued is None:
            return _error("invalid_trigger_id")
        if trigger_id in self._used_triggers:
            return _error("exchanged_trigger_id")
        if self._clock() - issued > TRIGGER_TTL_SECONDS:
            return _error("expired_trigger_id")
        return None

    def _external_id_taken(self, view: Json, own_id: str = "") -> bool:
        external_id = view.get("external_id")
        return bool(external_id) and any(
            other["external_id"] == external_id and other["id"] != own_id
            for other in self.views.values()
        )

    def _views_open(self, params: Json) -> Json:
        trigger_error = self._trigger_error(params.get("trigger_id"))
        if trigger_error is not None:
            return trigger_error
        view = params.get("view")
        problems = modal_view_problems(view)
        if problems or not isinstance(view, dict):
            return _invalid_arguments(problems)
        if self._external_id_taken(view):
            return _error("duplicate_external_id")
        self._used_triggers.add(params["trigger_id"])
        return {"ok": True, "view": self._create_view(view)}

    def _create_view(self, view: Json) -> Json:
        view_id = f"V{next(self._ids):08d}"
        record: Json = {
            **VIEW_DEFAULTS,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": TEAM_ID,
            "state": {"values": {}},
            "hash": self._new_hash(),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self.views[view_id] = record
        self._view_history[view_id] = [copy.deepcopy(record)]
        return record

    def _replace_view(self, record: Json, view: Json) -> None:
        """Swap a view's content in place, keeping its identity; give it a new hash."""
        kept = ("id", "team_id", "state", "root_view_id", "previous_view_id", "app_id", "bot_id")
        identity = {key: record[key] for key in kept}
        record.clear()
        record.update(
            {**VIEW_DEFAULTS, **copy.deepcopy(view), **identity, "hash": self._new_hash()}
        )
        self._view_history[record["id"]].append(copy.deepcopy(record))

    def _find_view(self, params: Json) -> Json | None:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if view_id:
            return self.views.get(str(view_id))
        if not external_id:
            return None
        return next((v for v in self.views.values() if v["external_id"] == external_id), None)

    def _views_update(self, params: Json) -> Json:
        record = self._find_view(params)
        if record is None:
            return _error("not_found")
        if params.get("hash") and params["hash"] != record["hash"]:
            return _error("hash_conflict")
        view = params.get("view")
        problems = _VIEW_CHECKS.get(record["type"], modal_view_problems)(view)
        if problems or not isinstance(view, dict):
            return _invalid_arguments(problems)
        if self._external_id_taken(view, own_id=record["id"]):
            return _error("duplicate_external_id")
        self._replace_view(record, view)
        return {"ok": True, "view": record}

    def _views_publish(self, params: Json) -> Json:
        user_id = _text_param(params, "user_id")
        if user_id not in self.users:
            return _invalid_arguments(["invalid `user_id`"])
        view = params.get("view")
        problems = home_view_problems(view)
        if problems or not isinstance(view, dict):
            return _invalid_arguments(problems)
        current = self.home_views.get(user_id)
        if current is None:
            self.home_views[user_id] = self._create_view(view)
        elif params.get("hash") and params["hash"] != current["hash"]:
            return _error("hash_conflict")
        else:
            self._replace_view(current, view)
        return {"ok": True, "view": self.home_views[user_id]}
