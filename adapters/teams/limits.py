"""Every Teams limit the Adaptive Card renderer keeps to, in one place, with where Teams sets it."""

from __future__ import annotations

CARD_VERSION = "1.5"  # Action.Execute (Universal Actions) needs 1.4+; Teams renders up to 1.5
CARDS_PER_LIST = 10  # status lists: at most ten request cards each ...
LIST_BYTES = 22_000  # ... and all lists' cards within this, under Teams' ~28 KB a message
TEXT_INPUT = 200  # one-line inputs; the flows refuse longer names anyway
LONG_TEXT_INPUT = 1000  # multi-line inputs, e.g. a denial reason (flows cap it at 1000)
SUMMARY_TEXT = 1000  # notification preview text (activity summary / card fallbackText)
MENU_COMMANDS = 10  # a Teams manifest's commandList holds at most ten commands
DIALOG_TITLE = 60  # task module titles are cut by Teams past roughly this width


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
