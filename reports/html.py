"""Assemble the report: one self-contained HTML page (inline CSS, images as data URIs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from reports.coverage import SIMULATED, SourceCoverage, data_label, ordered_sources

CSS = """
:root { --ink:#1d232a; --muted:#5b6670; --line:#d8dde2; --go:#1b7f3b; --kill:#b3261e;
        --warn-bg:#fff4d6; --warn-ink:#7a4b00; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1360px; padding: 24px 28px 64px;
       line-height: 1.45; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
p.lead { color: var(--muted); margin: 0 0 10px; }
.banner { background: #b3261e; color: #fff; font-weight: 700; font-size: 20px; letter-spacing: .06em;
          padding: 12px 18px; border-radius: 6px; margin: 14px 0; }
.banner.mixed { background: #a34700; }
.banner small { display:block; font-weight: 400; font-size: 14px; letter-spacing: 0; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 14px;
        margin: 8px 0 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; font-family: "DejaVu Sans Mono", Menlo, monospace; }
.source { display:inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 700;
          font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
          margin-right: 6px; }
.source.simulated { background: #b3261e; color: #fff; }
.source.real { background: #1b7f3b; color: #fff; }
.note { background: var(--warn-bg); color: var(--warn-ink); border-left: 4px solid #e0a400;
        padding: 8px 12px; margin: 8px 0; border-radius: 3px; font-size: 14px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
         vertical-align: top; }
th { background: #f3f5f7; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.verdict { font-weight: 700; white-space: nowrap; }
tr.go td.verdict { color: var(--go); }
tr.kill td.verdict { color: var(--kill); }
tr.go { background: #f0faf3; }
figure { margin: 10px 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 13px; }
ul.sources { list-style: none; margin: 0; padding: 0; }
ul.sources li { margin: 0 0 3px; }
p.legend { color: var(--muted); font-size: 13px; margin: 4px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""


@dataclass
class Figure:
    """One embedded plot."""

    png_base64: str
    alt: str
    caption: str = ""


@dataclass
class Section:
    """One report section: a title, an explanation, then figures, a table and notes."""

    anchor: str
    title: str
    lead: str
    figures: list[Figure] = field(default_factory=list)
    table_html: str = ""
    notes: list[str] = field(default_factory=list)
    legend: str = ""


@dataclass
class Header:
    """What the page says about the data it was made from.

    Attributes:
        warehouse: the file the page was made from.
        generated_at: when, as text.
        source_rows: raw rows per data source (0 for a source found only in the marts).
        coverage: what each data source holds (observations, settled markets, verdicts).
        notes: warnings shown under the header.
    """

    warehouse: str
    generated_at: str
    source_rows: dict[str, int]
    coverage: dict[str, SourceCoverage] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        """Every data source on the page, real first."""
        return ordered_sources([*self.source_rows, *self.coverage])

    @property
    def label(self) -> str:
        """What the page is made from, e.g. ``REAL AND SIMULATED DATA``."""
        return data_label(self.sources)


def table(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, str]],
    row_class: Sequence[str] | None = None,
    numeric: frozenset[str] = frozenset(),
    cell_class: dict[str, str] | None = None,
) -> str:
    """An escaped HTML table.

    Args:
        columns: (key, heading) pairs in display order.
        rows: cell text per key (already formatted).
        row_class: optional CSS class per row.
        numeric: keys whose cells are right-aligned numbers.
        cell_class: extra CSS class per key.

    Returns:
        The ``<table>`` markup.
    """
    cell_class = cell_class or {}
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading in columns)
    body = []
    for index, row in enumerate(rows):
        klass = f' class="{escape(row_class[index])}"' if row_class else ""
        cells = []
        for key, _ in columns:
            classes = " ".join(
                c for c in ("num" if key in numeric else "", cell_class.get(key, "")) if c
            )
            attr = f' class="{classes}"' if classes else ""
            cells.append(f"<td{attr}>{escape(row.get(key, ''))}</td>")
        body.append(f"<tr{klass}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _source_line(header: Header, source: str) -> str:
    rows = header.source_rows.get(source, 0)
    parts = [f"{rows:,} raw rows"]
    cover = header.coverage.get(source)
    if cover is not None:
        parts += [
            f"observed station-days {cover.observed_days.text()}",
            f"settled markets {cover.settled_markets.text()}",
            cover.passes,
        ]
    return (
        f'<li class="source-line" data-source="{escape(source)}">'
        f'<span class="source {escape(source)}">{escape(source)}</span>'
        f"{escape(' · '.join(parts))}</li>"
    )


def _banner_html(header: Header) -> str:
    sources = header.sources
    if SIMULATED not in sources:
        return ""
    if len(sources) == 1:
        text = (
            "Every figure below comes from the simulated sample, not from markets. Simulated "
            "verdicts show the machinery works; they are not evidence of an edge."
        )
    else:
        real = ", ".join(s for s in sources if s != SIMULATED)
        text = (
            f"This warehouse holds {real} and simulated rows. Every count, table and figure below "
            "is split by data_source; only the non-simulated ones are evidence of an edge."
        )
    klass = "banner" if len(sources) == 1 else "banner mixed"
    return (
        f'<div class="{klass}" id="data-banner">{escape(header.label)}'
        f"<small>{escape(text)}</small></div>"
    )


def _header_html(header: Header) -> str:
    lines = "".join(_source_line(header, s) for s in header.sources) or "<li>none found</li>"
    notes = "".join(f'<div class="note">{escape(n)}</div>' for n in header.notes)
    return (
        "<header><h1>Kalshi temperature markets: go/kill report</h1>"
        '<p class="lead">Does a running extreme from the thermometer beat the market price, '
        "after fees, per station, contract and time of day?</p>"
        f"{_banner_html(header)}"
        '<dl class="meta">'
        f'<dt>data_source</dt><dd><ul class="sources">{lines}</ul></dd>'
        f"<dt>warehouse</dt><dd>{escape(header.warehouse)}</dd>"
        f"<dt>generated</dt><dd>{escape(header.generated_at)}</dd>"
        f"</dl>{notes}</header>"
    )


def _section_html(section: Section) -> str:
    parts = [
        f'<section id="{escape(section.anchor)}">',
        f"<h2>{escape(section.title)}</h2>",
        f'<p class="lead">{escape(section.lead)}</p>',
    ]
    if section.legend:
        parts.append(f'<p class="legend">{escape(section.legend)}</p>')
    parts.extend(f'<div class="note">{escape(note)}</div>' for note in section.notes)
    parts.append(section.table_html)
    for fig in section.figures:
        caption = f"<figcaption>{escape(fig.caption)}</figcaption>" if fig.caption else ""
        parts.append(
            f'<figure><img alt="{escape(fig.alt)}" '
            f'src="data:image/png;base64,{fig.png_base64}">{caption}</figure>'
        )
    parts.append("</section>")
    return "".join(parts)


def render_page(header: Header, sections: Sequence[Section]) -> str:
    """The whole page as one string: no external URL, script, font or stylesheet."""
    title = f"Go/kill report ({header.label})"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + _header_html(header)
        + "".join(_section_html(s) for s in sections)
        + "<footer>Written by <code>python -m pipelines report</code> from the dbt marts, "
        "read-only. Self-contained: no external resources.</footer></body></html>\n"
    )
