"""JSON as Lambda's Python runtime writes it (awslambdaric's simplejson settings), and the event's parsing."""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable

from .faults import RuntimeFault

TYPE_CHECKING = False  # typing is not imported at run time: every import delays the function's cold start
if TYPE_CHECKING:
    from typing import Any


def ascii_only(execution_env: str | None) -> bool:
    """Lambda escapes non-ASCII characters in responses up to python3.11 and writes them as UTF-8 from 3.12."""
    version = (execution_env or "").removeprefix("AWS_Lambda_python")
    major, _, minor = version.partition(".")
    return not (major.isdigit() and minor.isdigit() and (int(major), int(minor)) >= (3, 12))


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(float(value))  # a subclass's own repr is not JSON


def _as_dict(value: object) -> dict | None:
    """A namedtuple (anything with a callable _asdict()) is encoded as an object, as simplejson does."""
    method = getattr(value, "_asdict", None)
    if not callable(method):
        return None
    try:
        result = method()
    except TypeError:  # e.g. the namedtuple class itself: _asdict needs an instance
        return None
    if not isinstance(result, dict):
        raise TypeError(f"_asdict() must return a dict, not {type(result).__name__}")
    return result


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bytes):
        return key.decode("utf-8")
    if isinstance(key, float):
        return _float_text(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return str(int(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def to_json(value: object, *, ensure_ascii: bool = True) -> str:
    """Encode as awslambdaric does (simplejson, ', ' and ': '): NaN and Infinity allowed, a Decimal as its exact
    digits, namedtuples as objects, nested bytes as UTF-8 text; anything else raises TypeError."""
    quote = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    parts: list[str] = []
    open_containers: set[int] = set()

    def nested(container: object, items: Callable[[], None]) -> None:
        marker = id(container)
        if marker in open_containers:
            raise ValueError("Circular reference detected")
        open_containers.add(marker)
        items()
        open_containers.discard(marker)

    def add_object(mapping: dict) -> None:
        parts.append("{")
        for index, (key, item) in enumerate(mapping.items()):
            parts.append(f"{', ' if index else ''}{quote(_key_text(key))}: ")
            add(item)
        parts.append("}")

    def add_array(items: list | tuple) -> None:
        parts.append("[")
        for index, item in enumerate(items):
            if index:
                parts.append(", ")
            add(item)
        parts.append("]")

    def add(item: object) -> None:
        if isinstance(item, str):
            parts.append(quote(item))
        elif isinstance(item, bytes):
            parts.append(quote(item.decode("utf-8")))
        elif item is None or item is True or item is False:
            parts.append({None: "null", True: "true", False: "false"}[item])
        elif isinstance(item, int):
            parts.append(str(int(item)))  # int(): an IntEnum's own str is not a number
        elif isinstance(item, float):
            parts.append(_float_text(item))
        elif (as_dict := _as_dict(item)) is not None:
            nested(item, lambda: nested(as_dict, lambda: add_object(as_dict)))
        elif isinstance(item, (list, tuple)):
            nested(item, lambda: add_array(item))
        elif isinstance(item, dict):
            nested(item, lambda: add_object(item))
        elif isinstance(item, decimal.Decimal):
            parts.append("NaN" if item.is_nan() else str(item))
        else:
            raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    add(value)
    return "".join(parts)


def marshal_response(result: object, *, ensure_ascii: bool) -> tuple[bytes, str]:
    """The response body and its content type; bytes go out as they are."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result, ensure_ascii=ensure_ascii).encode("utf-8"), "application/json"
    except Exception as error:
        raise RuntimeFault("Runtime.MarshalError", f"Unable to marshal response: {error}") from None


def parse_json(text: str | bytes, error_type: str, problem: str) -> Any:
    try:
        return json.loads(text)
    except Exception as error:
        raise RuntimeFault(error_type, f"{problem}: {error}") from None


def unmarshal_event(body: bytes, content_type: str | None) -> Any:
    if content_type != "application/json":
        return body
    return parse_json(body, "Runtime.UnmarshalError", "Unable to unmarshal input")
