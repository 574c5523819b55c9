"""Every Block Kit limit the renderer truncates to, in one place, with where Slack sets it."""

from __future__ import annotations

HEADER_TEXT = 150  # header block: plain_text, max 150 characters
SECTION_TEXT = 3000  # section block text, max 3000 characters
FIELD_TEXT = 2000  # each section field, max 2000 characters
FIELDS_PER_SECTION = 10  # section block: at most 10 fields
CONTEXT_TEXT = 2000  # context block text element
BUTTON_TEXT = 75  # button text, max 75 characters
BUTTON_VALUE = 2000  # button value, max 2000 characters
OPTION_TEXT = 75  # option text and description, max 75 characters
OPTIONS_PER_SELECT = 100  # static_select: at most 100 options
OPTIONS_PER_RADIO = 10  # radio_buttons and checkboxes: at most 10 options
LABEL_TEXT = 2000  # input block label, max 2000 characters
HINT_TEXT = 2000  # input block hint, max 2000 characters
MODAL_TITLE = 24  # modal title, submit and close: max 24 characters
MESSAGE_BLOCKS = 50  # a message holds at most 50 blocks
VIEW_BLOCKS = 100  # a modal or Home tab holds at most 100 blocks
LIST_MINIMUM_BLOCKS = 3  # a list's header, one line and "...and N more" (our own rule)
FALLBACK_TEXT = 3000  # keep notification text short; Slack truncates chat text at 40,000


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
