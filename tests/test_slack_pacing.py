"""The Slack messenger keeps to Slack's limits itself: posts to one channel a second apart
(other channels not held up), each person looked up once, so a fan-out provokes no 429."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from adapters.slack.setup import slack_adapter
from flows.ports import AdminChannel, PersonRecipient
from flows.ui import Card
from tests.fakes.slack_web_api import FakeSlack

TOKEN = "xoxb-pacing"
CARD = Card(title="Reminder", summary="A reminder")
PEOPLE = {f"U{n}": f"person{n}@agency.example.org" for n in range(5)}


async def test_posts_to_one_channel_are_a_second_apart_and_others_go_on() -> None:
    fake = FakeSlack(token=TOKEN)
    url = await fake.start()
    for user_id, email in PEOPLE.items():
        fake.add_user(user_id, email, user_id)
    fake.add_channel("C0ADMIN")
    try:
        async with aiohttp.ClientSession() as session:
            messenger = slack_adapter(session, TOKEN, "secret", url, "C0ADMIN").messenger
            started = time.monotonic()
            admin_posts = asyncio.gather(*(messenger.post(AdminChannel(), CARD) for _ in range(3)))
            people = asyncio.gather(
                *(messenger.post(PersonRecipient(e), CARD) for e in PEOPLE.values() for _ in "ab")
            )
            await people
            people_done = time.monotonic() - started
            await admin_posts
            admin_done = time.monotonic() - started
    finally:
        await fake.stop()
    assert 1.9 <= admin_done < 3.5, admin_done  # three posts: now, +1 s, +2 s
    assert len(fake.messages_in("C0ADMIN")) == 3
    # Two posts to each person's DM: the second waits a second, in parallel across people.
    assert people_done < 1.9, people_done
    assert len(fake.calls_to("users.lookupByEmail")) == len(PEOPLE)
