"""Render car-rental quotes as a table with the best (lowest) price marked, and parse `quotes:` log lines."""

from __future__ import annotations

import json
import re
from typing import Any

from workshop_utils.render._common import (
    INK,
    MONO,
    MUTED,
    TABLE_STYLE,
    card,
    empty_message,
    esc,
    loads_lenient,
    th_row,
)
from workshop_utils.render._common import td as cell

BEST_ROW = "#dafbe1"
BEST_INK = "#1a7f37"
BEST_MARK = "★ best"

_QUOTES_PREFIX = re.compile(r"\bquotes:\s*", re.IGNORECASE)


def parse_quotes_line(message: str) -> list[dict] | None:
    """The quote dicts of a `quotes: [...]` log line (JSON, or the sample's Python repr); None if not one."""
    match = _QUOTES_PREFIX.search(message or "")
    if match is None:
        return None
    try:
        value = loads_lenient(message[match.end():])
    except ValueError:
        return None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list | tuple):
        return None
    quotes: list[dict] = []
    for item in value:
        if isinstance(item, str):  # responders return their data as a JSON string
            try:
                item = json.loads(item)
            except ValueError:
                return None
        if not isinstance(item, dict):
            return None
        quotes.append(item)
    return quotes


def _price(quote: dict[str, Any]) -> float | None:
    value = quote.get("price_quote")
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _format_price(quote: dict[str, Any]) -> str:
    price = _price(quote)
    if price is None:
        return str(quote.get("price_quote", ""))
    return f"{price:,.0f}" if price == int(price) else f"{price:,.2f}"


def best_quotes(quotes: list[dict]) -> set[int]:
    """Indexes of the lowest-priced quote(s) of each request (grouped by uuid; ties all count)."""
    lowest: dict[str, float] = {}
    for quote in quotes:
        price = _price(quote)
        if price is not None:
            key = str(quote.get("uuid", ""))
            lowest[key] = min(price, lowest.get(key, price))
    return {
        index for index, quote in enumerate(quotes)
        if (price := _price(quote)) is not None and price == lowest.get(str(quote.get("uuid", "")))
    }


NO_QUOTES_YET = "No quotes yet: send a quote request, then refresh."


def quotes_html(quotes: list[dict], *, empty_text: str = NO_QUOTES_YET) -> str:
    """A table of vendor, price, car type, days and uuid, cheapest first; the best price marked per request.

    `empty_text` says why there are none when that is known (a failed execution has no quotes to wait for)."""
    if not quotes:
        return card(empty_message(empty_text), css_class="quotes", title="Quotes")
    order = sorted(range(len(quotes)), key=lambda i: (
        str(quotes[i].get("uuid", "")), _price(quotes[i]) is None, _price(quotes[i]) or 0.0))
    best = best_quotes(quotes)
    rows = "".join(_row(quotes[i], i in best) for i in order)
    table = (
        f'<table class="quotes-table" style="{TABLE_STYLE}">'
        f"{th_row(['Vendor', 'Price', 'Car type', 'Days', 'Request uuid', ''])}<tbody>{rows}</tbody></table>"
    )
    requests = len({str(q.get("uuid", "")) for q in quotes})
    title = f"{len(quotes)} quote{'s' if len(quotes) != 1 else ''}" + (
        f" for {requests} requests" if requests > 1 else "")
    return card(table, css_class="quotes", title=title)


def _row(quote: dict[str, Any], best: bool) -> str:
    ink = BEST_INK if best else INK
    weight = "700" if best else None
    mark = (
        f'<span class="best-marker" style="color:{BEST_INK};font-weight:700;white-space:nowrap">{BEST_MARK}</span>'
        if best else ""
    )
    css = ' class="quote best"' if best else ' class="quote"'
    background = BEST_ROW if best else "#ffffff"
    return (
        f'<tr{css} data-vendor="{esc(quote.get("vendor", ""))}" style="background:{background}">'
        + cell(esc(quote.get("vendor", "")), font_weight="600", color=ink)
        + cell(esc(_format_price(quote)), text_align="right", font_weight=weight, color=ink,
               font_variant_numeric="tabular-nums")
        + cell(esc(quote.get("car_type", "")))
        + cell(esc(quote.get("days_rental", "")), text_align="right")
        + cell(esc(quote.get("uuid", "")), font_family=MONO, font_size="11.5px", color=MUTED)
        + cell(mark)
        + "</tr>"
    )
