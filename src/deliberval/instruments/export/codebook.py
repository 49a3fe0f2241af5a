"""Export a human-readable codebook of an instrument, in Markdown or HTML."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from deliberval._version import __version__
from deliberval.errors import InstrumentError, Problem
from deliberval.instruments.export._common import format_value, language_label
from deliberval.instruments.model import Instrument

__all__ = ["codebook_context", "to_codebook"]

CodebookFormat = Literal["markdown", "html"]


def _scoring_text(ins: Instrument, scale_id: str) -> str:
    sc = ins.scale(scale_id)
    reversed_ids = [i for i in sc.items if ins.item(i).reverse]
    rule = (
        f"{sc.scoring.method} of the {len(sc.items)} items; scored when at least "
        f"{sc.scoring.min_valid} items have a valid answer (missing codes do not count)"
    )
    if reversed_ids:
        rule += (
            f"; reverse-keyed first ({', '.join(reversed_ids)}): "
            "score = scale minimum + scale maximum - answer"
        )
    return rule


def codebook_context(instrument: Instrument) -> dict[str, Any]:
    """Everything a codebook shows, as plain data (used by both the Markdown and HTML templates).

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> ctx = codebook_context(load_instrument("political_efficacy"))
    >>> [i["id"] for i in ctx["items"] if i["reverse"]]
    ['efficacy_int_complicated', 'efficacy_ext_no_say']
    """
    ins = instrument
    langs = list(ins.languages)
    scales = []
    for rs in ins.response_scales:
        scales.append(
            {
                "id": rs.id,
                "type": rs.type,
                "range": (
                    f"{format_value(rs.min)} to {format_value(rs.max)}"
                    if rs.min is not None and rs.max is not None
                    else ""
                ),
                "answers": [
                    {"value": format_value(v.value), "labels": [v.labels.get(lg, "") for lg in langs]}
                    for v in rs.values
                ],
                "missing": [
                    {"code": format_value(m.code), "meaning": m.meaning,
                     "labels": [m.labels.get(lg, "") for lg in langs]}
                    for m in rs.missing_codes
                ],
                "agree_values": ", ".join(format_value(a) for a in rs.agree_values),
            }
        )
    items = []
    for it in ins.items:
        status = {lg: (it.translations.get(lg) or ins.languages[lg]).status for lg in langs if lg in it.text}
        items.append(
            {
                "id": it.id,
                "construct": it.construct,
                "scale": it.scale,
                "reverse": it.reverse,
                "waves": ", ".join(it.waves),
                "respondents": ", ".join(it.respondents),
                "free_text": it.free_text,
                "randomized": ins.randomized(it.id),
                "process_field": it.process_field or "",
                "texts": [
                    {"lang": lg, "name": language_label(lg), "status": status[lg], "text": it.text[lg]}
                    for lg in langs
                    if lg in it.text
                ],
                "own_missing": (
                    ", ".join(f"{format_value(m.code)} = {m.meaning}" for m in it.missing_codes)
                    if it.missing_codes is not None
                    else ""
                ),
                "source": it.source.citation,
                "wording": it.source.wording,
                "source_note": it.source.note,
            }
        )
    multi = []
    for sc in ins.scales:
        multi.append(
            {
                "id": sc.id,
                "construct": sc.construct,
                "item_list": ", ".join(f"{i} (R)" if ins.item(i).reverse else i for i in sc.items),
                "scoring": _scoring_text(ins, sc.id),
                "validation": [
                    {
                        "citation": v.citation,
                        "statistic": v.statistic,
                        "value": "" if v.value is None else f"{v.value:g}",
                        "note": v.note,
                    }
                    for v in sc.validation
                ],
            }
        )
    return {
        "id": ins.id,
        "version": ins.version,
        "title": ins.title.get("en", ins.id),
        "description": ins.description,
        "languages": [
            {"code": lg, "name": language_label(lg), "status": info.status, "source": info.source}
            for lg, info in ins.languages.items()
        ],
        "language_names": [language_label(lg) for lg in langs],
        "licence": ins.licence,
        "citations": list(ins.citations),
        "response_scales": scales,
        "items": items,
        "scales": multi,
        "generator": f"deliberval {__version__}",
    }


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_MARKDOWN = """\
# {{ title }}

Codebook of instrument `{{ id }}`, version {{ version }}. Written by {{ generator }}.

{{ description }}

## Languages

| Language | Status | Source of the wording |
|---|---|---|
{% for lg in languages -%}
| {{ lg.name | cell }} | {{ lg.status }} | {{ lg.source | cell }} |
{% endfor %}
**Licence.** {{ licence }}

## Citations

{% for c in citations -%}
- {{ c }}
{% endfor %}
## Response scales
{% for rs in response_scales %}
### `{{ rs.id }}` ({{ rs.type }}{% if rs.range %}, {{ rs.range }}{% endif %})
{% if rs.answers %}
| Value | {{ language_names | join(" | ") }} |
|---|{% for _ in language_names %}---|{% endfor %}
{% for v in rs.answers -%}
| {{ v.value | cell }} | {{ v.labels | map("cell") | join(" | ") }} |
{% endfor %}{% endif %}
{%- if rs.missing %}
Missing-value codes:

| Code | Meaning | {{ language_names | join(" | ") }} |
|---|---|{% for _ in language_names %}---|{% endfor %}
{% for m in rs.missing -%}
| {{ m.code | cell }} | {{ m.meaning }} | {{ m.labels | map("cell") | join(" | ") }} |
{% endfor %}{% endif %}
{%- if rs.agree_values %}
Values counted as agreement: {{ rs.agree_values }}.
{% endif %}
{%- endfor %}
## Items
{% for it in items %}
### `{{ it.id }}`

| Field | Value |
|---|---|
| Construct | {{ it.construct | cell }} |
| Response scale | `{{ it.scale }}` |
| Reverse-keyed | {{ "yes" if it.reverse else "no" }} |
| Waves | {{ it.waves }} |
| Respondents | {{ it.respondents }} |
{% if it.own_missing %}| Missing codes (item-specific) | {{ it.own_missing | cell }} |
{% endif %}{% if it.free_text %}| Free text | yes: may identify people, never published |
{% endif %}{% if it.randomized %}| Answer order | randomised for each respondent (XLSForm randomize=true) |
{% endif %}{% if it.process_field %}| Fills process-table field | `{{ it.process_field }}` |
{% endif %}| Source | {{ it.source | cell }} |
| Wording | {{ it.wording }}{% if it.source_note %}: {{ it.source_note | cell }}{% endif %} |

{% for t in it.texts -%}
- **{{ t.name }}**{% if t.status != "source" %} ({{ t.status }}){% endif %}: {{ t.text }}
{% endfor %}{% endfor %}
## Scales
{% if not scales %}
This instrument defines no multi-item scales.
{% endif %}{% for sc in scales %}
### `{{ sc.id }}`

| Field | Value |
|---|---|
| Construct | {{ sc.construct | cell }} |
| Items (R = reverse-keyed) | {{ sc.item_list | cell }} |
| Scoring | {{ sc.scoring | cell }} |

{% if sc.validation %}Published validation evidence:

{% for v in sc.validation -%}
- {% if v.statistic %}{{ v.statistic }}{% if v.value %} = {{ v.value }}{% endif %}. {% endif %}Source: {{ v.citation }}{% if v.note %} {{ v.note }}{% endif %}
{% endfor %}{% else %}No published validation evidence: estimate reliability in your own data.
{% endif %}{% endfor %}"""

_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}: codebook</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1a1a1a; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
code { background: #f4f4f4; padding: 0 0.2rem; }
.status { color: #666; font-size: 0.9em; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p>Codebook of instrument <code>{{ id }}</code>, version {{ version }}. Written by {{ generator }}.</p>
<p>{{ description }}</p>
<h2>Languages</h2>
<table><thead><tr><th>Language</th><th>Status</th><th>Source of the wording</th></tr></thead><tbody>
{% for lg in languages %}<tr><td>{{ lg.name }}</td><td>{{ lg.status }}</td><td>{{ lg.source }}</td></tr>
{% endfor %}</tbody></table>
<p><strong>Licence.</strong> {{ licence }}</p>
<h2>Citations</h2>
<ul>{% for c in citations %}<li>{{ c }}</li>{% endfor %}</ul>
<h2>Response scales</h2>
{% for rs in response_scales %}
<h3 id="scale-{{ rs.id }}"><code>{{ rs.id }}</code> ({{ rs.type }}{% if rs.range %}, {{ rs.range }}{% endif %})</h3>
{% if rs.answers %}<table><thead><tr><th>Value</th>{% for n in language_names %}<th>{{ n }}</th>{% endfor %}</tr></thead><tbody>
{% for v in rs.answers %}<tr><td>{{ v.value }}</td>{% for l in v.labels %}<td>{{ l }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endif %}
{% if rs.missing %}<p>Missing-value codes:</p>
<table><thead><tr><th>Code</th><th>Meaning</th>{% for n in language_names %}<th>{{ n }}</th>{% endfor %}</tr></thead><tbody>
{% for m in rs.missing %}<tr><td>{{ m.code }}</td><td>{{ m.meaning }}</td>{% for l in m.labels %}<td>{{ l }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endif %}
{% if rs.agree_values %}<p>Values counted as agreement: {{ rs.agree_values }}.</p>{% endif %}
{% endfor %}
<h2>Items</h2>
{% for it in items %}
<h3 id="item-{{ it.id }}"><code>{{ it.id }}</code></h3>
<table><tbody>
<tr><th>Construct</th><td>{{ it.construct }}</td></tr>
<tr><th>Response scale</th><td><a href="#scale-{{ it.scale }}"><code>{{ it.scale }}</code></a></td></tr>
<tr><th>Reverse-keyed</th><td>{{ "yes" if it.reverse else "no" }}</td></tr>
<tr><th>Waves</th><td>{{ it.waves }}</td></tr>
<tr><th>Respondents</th><td>{{ it.respondents }}</td></tr>
{% if it.own_missing %}<tr><th>Missing codes (item-specific)</th><td>{{ it.own_missing }}</td></tr>{% endif %}
{% if it.free_text %}<tr><th>Free text</th><td>yes: may identify people, never published</td></tr>{% endif %}
{% if it.randomized %}<tr><th>Answer order</th><td>randomised for each respondent (XLSForm randomize=true)</td></tr>{% endif %}
{% if it.process_field %}<tr><th>Fills process-table field</th><td><code>{{ it.process_field }}</code></td></tr>{% endif %}
<tr><th>Source</th><td>{{ it.source }}</td></tr>
<tr><th>Wording</th><td>{{ it.wording }}{% if it.source_note %}: {{ it.source_note }}{% endif %}</td></tr>
</tbody></table>
<ul>{% for t in it.texts %}<li lang="{{ t.lang }}"><strong>{{ t.name }}</strong>{% if t.status != "source" %} <span class="status">({{ t.status }})</span>{% endif %}: {{ t.text }}</li>{% endfor %}</ul>
{% endfor %}
<h2>Scales</h2>
{% if not scales %}<p>This instrument defines no multi-item scales.</p>{% endif %}
{% for sc in scales %}
<h3 id="scale-score-{{ sc.id }}"><code>{{ sc.id }}</code></h3>
<table><tbody>
<tr><th>Construct</th><td>{{ sc.construct }}</td></tr>
<tr><th>Items (R = reverse-keyed)</th><td>{{ sc.item_list }}</td></tr>
<tr><th>Scoring</th><td>{{ sc.scoring }}</td></tr>
</tbody></table>
{% if sc.validation %}<p>Published validation evidence:</p>
<ul>{% for v in sc.validation %}<li>{% if v.statistic %}{{ v.statistic }}{% if v.value %} = {{ v.value }}{% endif %}. {% endif %}Source: {{ v.citation }}{% if v.note %} {{ v.note }}{% endif %}</li>{% endfor %}</ul>
{% else %}<p>No published validation evidence: estimate reliability in your own data.</p>{% endif %}
{% endfor %}
</body>
</html>
"""


def _render(template: str, context: dict[str, Any], *, html: bool) -> str:
    # imported here, not at the top, so that importing the instrument library stays light
    import jinja2

    env = jinja2.Environment(
        autoescape=html, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["cell"] = _md_cell if not html else (lambda v: v)
    return env.from_string(template).render(**context)


def to_codebook(
    instrument: Instrument,
    path: str | os.PathLike[str],
    format: CodebookFormat = "markdown",
) -> Path:
    """Write a human-readable codebook of an instrument or a resolved questionnaire.

    The codebook lists the languages and the status of each translation, the licence and
    citations, every response scale with its values and missing-value codes labelled in each
    language, every item (construct, wording in each language, scale, reverse flag, waves,
    respondents, whether its answer options are shown in a random order, source and whether
    the wording is verbatim, adapted or new) and every
    multi-item scale with its scoring rule and published validation evidence.

    Parameters
    ----------
    instrument : Instrument
        From :func:`~deliberval.instruments.load_instrument` or
        :func:`~deliberval.instruments.load_questionnaire`.
    path : path-like
        The file to write (parent folders are created).
    format : {"markdown", "html"}
        Markdown (GitHub flavoured tables) or a self-contained HTML page.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InstrumentError
        If ``format`` is not ``"markdown"`` or ``"html"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.instruments import load_instrument
    >>> from deliberval.instruments.export import to_codebook
    >>> ins = load_instrument("political_efficacy")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     text = to_codebook(ins, pathlib.Path(tmp) / "efficacy.md").read_text(encoding="utf-8")
    >>> text.splitlines()[0]
    '# Political efficacy (internal and external)'
    >>> "| Reverse-keyed | yes |" in text
    True
    """
    if format not in ("markdown", "html"):
        raise InstrumentError(
            [Problem("", "", "format", f"unknown codebook format {format!r}; use 'markdown' or 'html'")]
        )
    html = format == "html"
    text = _render(_HTML if html else _MARKDOWN, codebook_context(instrument), html=html)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out
