"""The privacy statement and terms of use the Teams manifest links to, rendered to HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from chatbot.policy import bundled_preset_path, parse_community
from chatbot.web.pages import privacy_page, terms_page
from flows.community import Community


class Text(HTMLParser):
    """The page's title, heading and paragraphs as plain text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts: list[tuple[str, str]] = []
        self.tag = ""
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag

    def handle_data(self, data: str) -> None:
        if self.tag in ("title", "h1", "p") and data.strip():
            self.parts.append((self.tag, data))


def test_without_texts_the_pages_say_what_the_bot_keeps_and_never_keeps(
    community: Community,
) -> None:
    privacy = Text(privacy_page(community)).parts
    assert privacy[0] == ("title", "Sacramento and Yolo HMIS: HMIS Access Bot privacy statement")
    paragraphs = [text for tag, text in privacy if tag == "p"]
    assert len(paragraphs) == 4
    assert "never asks for, receives or stores client data, passwords" in paragraphs[1]
    terms = Text(terms_page(community)).parts
    assert ("h1", "Sacramento and Yolo HMIS: HMIS Access Bot terms of use") in terms


def test_the_community_file_texts_are_escaped_paragraphs() -> None:
    text = bundled_preset_path().read_text(encoding="utf-8") + (
        "privacy: |\n"
        "  We keep <b>staff</b> data\n"
        "  for two years.\n"
        "\n"
        "  Write to privacy@hmis.example.org & we answer.\n"
        "terms: Use it for HMIS work only.\n"
    )
    community = parse_community(text)
    page = privacy_page(community)
    assert "<b>" not in page
    paragraphs = [text for tag, text in Text(page).parts if tag == "p"]
    assert paragraphs == [
        "We keep <b>staff</b> data for two years.",
        "Write to privacy@hmis.example.org & we answer.",
    ]
    assert [t for tag, t in Text(terms_page(community)).parts if tag == "p"] == [
        "Use it for HMIS work only."
    ]
