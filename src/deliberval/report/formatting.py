"""Numbers, percentages, dates and intervals in the report language (Babel's CLDR data, no network).

One place decides how a number reads in each of the report languages: ``46%`` in English and
Dutch, ``46 %`` in French, German and Danish; ``3.14`` in English, ``3,14`` elsewhere; thousands
grouped as the locale groups them. Tables (:func:`deliberval.report.render.format_value`), the
dashboard, the XLSX ``README`` sheet and the figures' tick labels (:func:`localise_figure`) use it.

Babel's narrow no-break space (U+202F, French thousands) is written as a no-break space
(U+00A0): it renders in every font the PDF may fall back to and never breaks a number.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from contextvars import ContextVar
from typing import Any

__all__ = [
    "REPORT_LANGUAGE",
    "format_date",
    "format_interval",
    "format_number",
    "format_percent",
    "localise_figure",
    "localise_number_text",
    "localise_text",
    "percent_spacing",
]

REPORT_LANGUAGE: ContextVar[str] = ContextVar("REPORT_LANGUAGE", default="en")
"""The language of the report being built (set by :func:`deliberval.report.build_report`), read
when its figures are drawn so that their tick labels follow the locale."""

_NNBSP = "\u202f"
_NBSP = "\u00a0"


@functools.cache
def _locale(lang: str) -> Any:
    from babel import Locale

    return Locale.parse(lang)


def _clean(text: str) -> str:
    return text.replace(_NNBSP, _NBSP)


def format_number(x: float, decimals: int, lang: str, *, group: bool = True) -> str:
    """``x`` with ``decimals`` decimals in ``lang`` (thousands grouped unless ``group`` is False).

    Examples
    --------
    >>> format_number(12345.678, 2, "en"), format_number(12345.678, 2, "de"), format_number(-3.14159, 1, "fr")
    ('12,345.68', '12.345,68', '-3,1')
    """
    from babel.numbers import format_decimal

    pattern = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return _clean(format_decimal(x, format=pattern, locale=_locale(lang), decimal_quantization=True))


def format_percent(share: float, lang: str, decimals: int = 0) -> str:
    """A share in 0-1 as a percentage in ``lang`` (``46%``, ``46 %``).

    Examples
    --------
    >>> [format_percent(0.4567, lang) for lang in ("en", "fr", "nl", "de", "da")]
    ['46%', '46\\xa0%', '46%', '46\\xa0%', '46\\xa0%']
    """
    from babel.numbers import format_percent as _fmt

    pattern = None
    if decimals:
        base = _locale(lang).percent_formats[None].pattern
        pattern = base.replace("0", "0." + "0" * decimals, 1) if "." not in base else base
    return _clean(_fmt(share, format=pattern, locale=_locale(lang)))


def format_date(value: dt.date | dt.datetime | str, lang: str, *, style: str = "medium") -> str:
    """A date in ``lang`` (``style``: ``short``, ``medium``, ``long``; a text is returned as given
    unless it is an ISO date).

    Examples
    --------
    >>> import datetime as dt
    >>> format_date(dt.date(2026, 3, 5), "en"), format_date(dt.date(2026, 3, 5), "de")
    ('Mar 5, 2026', '05.03.2026')
    >>> format_date("2026-03-05", "fr", style="long")
    '5 mars 2026'
    """
    from babel.dates import format_date as _fmt

    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return _clean(_fmt(value, format=style, locale=_locale(lang)))


def format_interval(low: str, high: str, lang: str) -> str:
    """Two formatted bounds as an interval: ``low – high`` (an en dash between spaces, which never
    reads as a minus sign).

    Examples
    --------
    >>> format_interval("0,41", "0,52", "fr")
    '0,41 – 0,52'
    """
    return f"{low} – {high}"


_PLAIN_NUMBER = re.compile(r"^([+\-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s?%)?$")


def localise_number_text(text: str, lang: str) -> str:
    """A label that is only a number written the English way (``0.25``, ``-1.5``, ``1,200``,
    ``46%``) rewritten in ``lang``; any other text is returned unchanged.

    Examples
    --------
    >>> localise_number_text("0.25", "fr"), localise_number_text("46%", "de"), localise_number_text("ISCED 3-4", "de")
    ('0,25', '46\\xa0%', 'ISCED 3-4')
    >>> localise_number_text("−1.5", "da"), localise_number_text("1,200", "nl")
    ('−1,5', '1.200')
    """
    if lang == "en":
        return text
    m = _PLAIN_NUMBER.match(text.strip())
    if m is None:
        return text
    sign, whole, frac, pct = m.groups()
    value = float(whole.replace(",", "") + ("." + frac if frac else ""))
    decimals = len(frac) if frac else 0
    if pct:
        out = format_percent(value / 100, lang, decimals)
    else:
        out = format_number(value, decimals, lang, group="," in whole)
    return sign + out


def localise_figure(fig: Any, lang: str | None = None) -> Any:
    """Rewrite a matplotlib figure's numeric tick labels and number-only texts in ``lang``.

    Axes whose tick labels come from matplotlib's default number formatter get a formatter
    that writes the same numbers with the locale's decimal and grouping signs; texts that are
    only a number (bar values such as ``46%``) are rewritten likewise. Category tick labels and
    other texts are left as they are. ``lang`` defaults to :data:`REPORT_LANGUAGE`.

    Returns
    -------
    matplotlib.figure.Figure
        The same figure, changed in place.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> ax = fig.subplots()
    >>> _ = ax.plot([0, 0.5, 1.5], [0, 1, 2]); _ = ax.text(0.2, 1, "46%")
    >>> _ = localise_figure(fig, "fr")
    >>> fig.draw_without_rendering()
    >>> [t.get_text() for t in ax.get_xticklabels()][:3], ax.texts[0].get_text()
    (['−0,2', '0,0', '0,2'], '46\\xa0%')
    """
    language: str = lang or REPORT_LANGUAGE.get()
    if language == "en":
        return fig
    from matplotlib import ticker

    class _LocaleScalarFormatter(ticker.ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return localise_number_text(super().__call__(x, pos), language)

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ticker.ScalarFormatter:
                old = axis.get_major_formatter()
                new = _LocaleScalarFormatter(useOffset=old.get_useOffset(), useMathText=False)
                new.set_powerlimits((-4, 6))
                axis.set_major_formatter(new)
            elif isinstance(axis.get_major_formatter(), ticker.PercentFormatter):
                pf = axis.get_major_formatter()
                axis.set_major_formatter(ticker.FuncFormatter(
                    lambda x, pos, pf=pf: localise_number_text(pf(x, pos), language)))
            elif isinstance(axis.get_major_formatter(), ticker.FixedFormatter):  # category labels
                fixed = axis.get_major_formatter()
                fixed.seq = [localise_text(str(s), language) for s in fixed.seq]
            elif isinstance(axis.get_major_formatter(), ticker.FuncFormatter):  # labels given with the ticks
                given = axis.get_major_formatter()
                axis.set_major_formatter(ticker.FuncFormatter(
                    lambda x, pos, given=given: localise_text(str(given(x, pos)), language)))
        for text in ax.texts:
            text.set_text(localise_text(localise_number_text(text.get_text(), language), language))
        labels = [ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title]
        legend = ax.get_legend()
        labels += list(legend.get_texts()) if legend is not None else []
        for text in labels:
            text.set_text(localise_text(text.get_text(), language))
    for text in fig.texts:
        text.set_text(localise_text(localise_number_text(text.get_text(), language), language))
    for legend in fig.legends:
        for text in legend.get_texts():
            text.set_text(localise_text(text.get_text(), language))
    if fig._suptitle is not None:
        fig._suptitle.set_text(localise_text(fig._suptitle.get_text(), language))
    return fig


def localise_text(text: str, lang: str) -> str:
    """Numbers inside a label written as ``lang`` writes them: decimal signs (``D = 0.09`` ->
    ``D = 0,09``) and the space before ``%`` (``(51%)`` -> ``(51 %)``).

    Examples
    --------
    >>> localise_text("Woman (51%), D = 0.09", "fr")
    'Woman (51\xa0%), D = 0,09'
    """
    from deliberval.report.i18n import localise_decimals

    return percent_spacing(localise_decimals(text, lang), lang)


def percent_spacing(text: str, lang: str) -> str:
    """``95%`` written ``95 %`` (a no-break space) in the languages that separate the sign.

    Examples
    --------
    >>> percent_spacing("IC à 95%", "fr"), percent_spacing("95% CI", "en")
    ('IC à 95\xa0%', '95% CI')
    """
    if _NBSP + "%" not in format_percent(0.5, lang):
        return text
    return re.sub(r"(\d)%", "\\1" + _NBSP + "%", text)


def finite(x: Any) -> bool:
    """Whether ``x`` is a finite number."""
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
