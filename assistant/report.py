"""The one HTML report helper (the replay report, the analytics page): Jinja2 templates, autoescaped, and
matplotlib figures inlined as base64 PNG, so every page is one self-contained file."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, StrictUndefined  # noqa: E402
from markupsafe import Markup  # noqa: E402

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
{% if css %}<style>{{ css }}</style>{% endif %}</head><body>{{ body }}</body></html>"""

TABLE = """<table{% if css_class %} class="{{ css_class }}"{% endif %}><thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for cell in row %}<td{% if loop.index0 in numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>"""


def environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> Markup:
    """``template`` rendered with ``context`` (values are HTML-escaped unless they are ``Markup``)."""
    return Markup(environment().from_string(template).render(**context))


def figure_img(fig, alt: str = "plot", dpi: int = 90) -> Markup:
    """An ``<img>`` holding the figure as an inline PNG; the figure is closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return render('<img alt="{{ alt }}" src="data:image/png;base64,{{ data }}">', alt=alt, data=data)


def table(header: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = (),
          css_class: str = "") -> Markup:
    """An HTML table; cells are escaped (pass ``Markup`` for preformatted HTML); ``numeric`` column
    indexes are right-aligned (``class="num"``)."""
    return render(TABLE, header=list(header), rows=[list(r) for r in rows], numeric=set(numeric), css_class=css_class)


def page(title: str, body: str, css: str = "") -> str:
    """A complete HTML document around ``body`` (trusted HTML, e.g. from :func:`render`)."""
    return str(render(PAGE, title=title, body=Markup(body), css=Markup(css)))
