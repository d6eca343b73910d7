"""HTML product descriptions -> plain text, with the standard library's ``html.parser``.

Block elements (p, div, li, br, h1-h6, tr, ...) become line breaks, list items get a leading "- ",
``script``/``style`` content is dropped, entities are decoded (``convert_charrefs``), and runs of
spaces are collapsed. Text without any tag is returned with only its whitespace tidied.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                     "section", "article", "blockquote", "hr", "dd", "dt"})
_SKIP = frozenset({"script", "style", "head", "title"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = 0
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags += 1
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def tidy(text: str) -> str:
    """Collapse spaces inside lines and drop empty lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line and line != "-")


def _parse(markup: str) -> tuple[str, int]:
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts), parser.tags


def html_to_text(markup: str | None) -> str:
    """The readable text of an HTML fragment (plain text passes through, tidied). Markup that was escaped
    once more ("&lt;ul&gt;&lt;li&gt;...", seen in real feeds) is parsed a second time."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return tidy(markup)
    text, _ = _parse(markup)
    if "<" in text:
        again, tags = _parse(text)
        text = again if tags else text
    return tidy(text)
