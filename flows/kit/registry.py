"""The registry: every request kind the bot runs, looked up by name, command word or form id.

The service, the adapters' help and routing, the status and home views, the nudge plan and the
live cards all iterate over it, so adding a kind is one package and one line in
``flows.kinds.DEFAULT_KINDS``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flows.kit.kind import RequestKind
from flows.ports import CommandHelp

AnyKind = RequestKind[Any]

STATUS = "status"
HELP = "help"
STATUS_HELP = (
    "lists the requests you filed, supervise or are the subject of (and, for HMIS admins, "
    "what waits for them; for agency leads, their agency's accounts)"
)
HELP_HELP = "shows this help"
BUILT_IN = (STATUS, HELP)


class Registry:
    def __init__(self, kinds: Sequence[AnyKind]) -> None:
        """``kinds[0]`` is what the command alone opens (the New User Access Request)."""
        if not kinds:
            raise ValueError("the registry needs at least one request kind")
        self._kinds = tuple(kinds)
        self._by_name = _unique("kind name", {k.name: k for k in kinds}, len(kinds))
        self._by_word = _unique("command word", {k.command: k for k in kinds}, len(kinds))
        forms = {form: k for k in kinds for form in k.forms}
        _unique("form id", forms, sum(len(k.forms) for k in kinds))
        self._by_form = forms
        clash = set(self._by_word) & set(BUILT_IN)
        if clash:
            raise ValueError(f"command words {sorted(clash)} are taken by the bot itself")

    def __iter__(self) -> Iterator[AnyKind]:
        return iter(self._kinds)

    @property
    def default(self) -> AnyKind:
        return self._kinds[0]

    def kind(self, name: str) -> AnyKind | None:
        return self._by_name.get(name)

    def by_command(self, word: str) -> AnyKind | None:
        return self._by_word.get(word)

    def by_form(self, form_id: str) -> AnyKind | None:
        return self._by_form.get(form_id)

    def commands(self) -> list[CommandHelp]:
        """Help lines: the command alone, each kind's word, then status and help."""
        default = self.default
        lines = [CommandHelp("", default.help)]
        lines += [CommandHelp(k.command, k.help) for k in self._kinds[1:]]
        return [*lines, CommandHelp(STATUS, STATUS_HELP), CommandHelp(HELP, HELP_HELP)]

    def words(self) -> list[str]:
        """Every word people may type after the command, as the Slack manifest lists them."""
        return [k.command for k in self._kinds[1:]] + list(BUILT_IN)


def _unique(what: str, index: dict[str, AnyKind], expected: int) -> dict[str, AnyKind]:
    if len(index) != expected:
        raise ValueError(f"two request kinds share a {what}")
    return index
