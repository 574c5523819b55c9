"""The two public pages a Teams app must link to: the privacy statement and the terms of use.

Each is the community file's own text (``privacy:``, ``terms:``; blank lines separate
paragraphs) or, when the file has none, a statement of what this bot does, rendered as a
small self-contained HTML page. Served at ``GET /privacy`` and ``GET /terms``.
"""

from __future__ import annotations

import html

from flows.community import Community

DEFAULT_PRIVACY = """\
The HMIS Access Bot of {community} keeps staff account metadata only: names, work e-mail \
addresses, agency, HMIS access role, training dates, last-login dates, and attestations \
(confirmed or not, by whom, when).

It never asks for, receives or stores client data, passwords, reset links or codes, or the \
contents of background checks.

Messages about someone's account, such as an inactivity lockout or a deactivation, go by direct \
message to that person, their agency lead and the HMIS admins, never to open channels.

Every change and every refused attempt is kept in an audit log that the HMIS admins of \
{community} can export. Ask them about the data the bot holds about you."""

DEFAULT_TERMS = """\
The HMIS Access Bot is run by the HMIS lead of {community} for the staff of its participating \
agencies. It files and tracks HMIS staff account requests, staff verifications, trainings and \
deactivations.

Use it only for {community}'s HMIS account process, under the HMIS policies and agreements of \
{community} that already apply to you and your agency. Only supervisors and agency leads file \
requests; only HMIS admins approve them.

Questions about your HMIS access go to the HMIS admins of {community}."""


def privacy_page(community: Community) -> str:
    text = community.privacy or DEFAULT_PRIVACY.format(community=community.community)
    return _page(f"{community.community}: HMIS Access Bot privacy statement", text)


def terms_page(community: Community) -> str:
    text = community.terms or DEFAULT_TERMS.format(community=community.community)
    return _page(f"{community.community}: HMIS Access Bot terms of use", text)


def _page(title: str, text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    heading = html.escape(title)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n</head>\n<body>\n<h1>{heading}</h1>\n{body}\n</body>\n</html>\n"
    )
