"""Markdown written by the evaluator (scope, limitations, findings) as safe HTML.

The text comes from the process configuration, never from respondents. It is rendered with
CommonMark (``markdown-it-py``) with raw HTML turned off, so that any ``<tag>`` in the text is
shown escaped, never interpreted; images are turned off (a report never loads anything from the
network); links keep markdown-it's own check of the address (no ``javascript:``, ``vbscript:``,
``file:`` or ``data:`` links); headings are moved down under the report's own section headings.
"""

from __future__ import annotations

__all__ = ["markdown_html"]

#: The report's own headings go to h3: the evaluator's headings start at h4.
_HEADING_OFFSET = 3


def markdown_html(text: str) -> str:
    """Render the evaluator's Markdown as HTML in which no raw HTML survives.

    Parameters
    ----------
    text : str
        CommonMark text.

    Returns
    -------
    str
        HTML fragment (paragraphs, emphasis, lists, links, headings from ``<h4>`` on, code).

    Examples
    --------
    >>> print(markdown_html("# Findings\\n\\nThe panel *worked* <script>alert(1)</script>."), end="")
    <h4>Findings</h4>
    <p>The panel <em>worked</em> &lt;script&gt;alert(1)&lt;/script&gt;.</p>
    >>> print(markdown_html("[a](javascript:alert(1)) ![x](https://example.org/x.png)"), end="")
    <p>[a](javascript:alert(1)) !<a href="https://example.org/x.png">x</a></p>
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    env: dict[str, object] = {}
    tokens = md.parse(str(text), env)
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close"):
            tok.tag = f"h{min(6, int(tok.tag[1:]) + _HEADING_OFFSET)}"
    return str(md.renderer.render(tokens, md.options, env))
