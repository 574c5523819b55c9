"""Read-only views over every kind: a person's requests, what waits for the HMIS admins, and
the accounts of the agencies a person leads or supervises. Slack's Home tab, Teams' and the
console's ``status`` all show these same lists."""

from __future__ import annotations

from dataclasses import dataclass

from flows.accounts import HmisAccount
from flows.grants import AGENCY_ACCESS, CE_ASSESSOR, Grant
from flows.kit.kind import CardView
from flows.kit.registry import Registry
from flows.model import Actor, StoredRequest
from flows.outcomes import Lists
from flows.ports import Ledger
from flows.ui import Card, CardList, Fact

QUEUE_LENGTH = 50  # open requests read for the admins' queue; adapters show what fits


@dataclass(frozen=True)
class Views:
    registry: Registry
    view: CardView
    ledger: Ledger

    def home(self, actor: Actor) -> Lists:
        """The admins' queue (admins only), the person's own requests, the access they hold
        beyond their role (when they hold some), their agencies' accounts (leads and
        supervisors only), then what each kind adds, in that order."""
        lists = [self.mine(actor)]
        queue = self.admin_queue(actor)
        if queue is not None:
            lists.insert(0, queue)
        access = self.access(actor)
        if access is not None:
            lists.append(access)
        accounts = self.agency_accounts(actor)
        if accounts is not None:
            lists.append(accounts)
        lists += [
            x for kind in self.registry for x in kind.home_lists(self.view, self.ledger, actor)
        ]
        return Lists(tuple(lists))

    def mine(self, actor: Actor) -> CardList:
        """The person's requests, open ones first (each newest first): a closed request is
        history, not a to-do."""
        requests = sorted(self.ledger.requests_involving(actor.email), key=self._closed)
        cards = [self._card(r, actor.email) for r in requests]
        return CardList(
            "Your HMIS requests",
            "You have no HMIS requests.",
            tuple(c for c in cards if c is not None),
        )

    def access(self, actor: Actor) -> CardList | None:
        """The person's active grants (another agency's clients, Coordinated Entry assessor
        access), when they hold any."""
        grants = self.ledger.grants_of(actor.email)
        if not grants:
            return None
        return CardList(
            "Your HMIS access beyond your role",
            "",
            tuple(self._grant_card(g) for g in grants),
        )

    def admin_queue(self, actor: Actor) -> CardList | None:
        """Every open request, those waiting for HMIS admins first, for admins only
        (re-checked here, not by the caller)."""
        if not self.view.community.is_admin(actor.email):
            return None
        open_requests = self.ledger.requests_waiting(
            {k.name: k.open_states for k in self.registry}, limit=QUEUE_LENGTH
        )
        waiting = sorted(open_requests, key=lambda r: (not self._waits_for_admins(r), r.id))
        cards = [self._card(r, None) for r in waiting]
        return CardList(
            "HMIS admin queue",
            "No request is open.",
            tuple(c for c in cards if c is not None),
        )

    def _closed(self, request: StoredRequest) -> bool:
        kind = self.registry.kind(request.kind)
        return kind is None or request.state not in kind.open_states

    def _waits_for_admins(self, request: StoredRequest) -> bool:
        kind = self.registry.kind(request.kind)
        return kind is not None and request.state in kind.admin_states

    def agency_accounts(self, actor: Actor) -> CardList | None:
        """The HMIS accounts of the agencies the person leads or supervises, each with the
        buttons the kinds offer on an account (deactivate, change role)."""
        agencies = self.view.community.agencies_staffed_by(actor.email)
        if not agencies:
            return None
        accounts = self.ledger.accounts_of([a.id for a in agencies])
        names = ", ".join(a.name for a in agencies)
        return CardList(
            f"HMIS accounts at {names}",
            "The bot knows of no HMIS accounts at your agency yet.",
            tuple(self._account_card(a) for a in accounts),
        )

    def _card(self, request: StoredRequest, email: str | None) -> Card | None:
        kind = self.registry.kind(request.kind)
        if kind is None:
            return None
        typed = kind.typed(request)
        audience = kind.admin_audience if email is None else kind.audience_of(typed, email)
        return kind.render(self.view, typed, audience)

    def _grant_card(self, grant: Grant) -> Card:
        what = grant_name(self.view, grant)
        facts = [Fact("Since", self.view.when(grant.granted_at))]
        until = ""
        if grant.expires_at is not None:
            facts.append(Fact("Until", self.view.when(grant.expires_at)))
            until = f", until {self.view.when(grant.expires_at)}"
        return Card(title=what, summary=f"{what}{until}", facts=tuple(facts))

    def _account_card(self, account: HmisAccount) -> Card:
        role = self.view.role_name(account.access_role_id) if account.access_role_id else "-"
        return Card(
            title=account.name,
            summary=f"{account.name}: {role}",
            facts=(
                Fact("Work e-mail", account.email),
                Fact("Access role", role),
                Fact("Last login", self.view.when(account.last_login_at)),
            ),
            buttons=tuple(b for k in self.registry for b in k.account_buttons(account)),
        )


def grant_name(view: CardView, grant: Grant) -> str:
    """What a grant gives, as its holder reads it."""
    if grant.kind == AGENCY_ACCESS:
        return f"Access to {view.agency_name(grant.value)}'s clients"
    if grant.kind == CE_ASSESSOR:
        return "Coordinated Entry assessor access"
    return grant.kind.replace("_", " ").capitalize() + (f": {grant.value}" if grant.value else "")
