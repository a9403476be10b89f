"""AWS Signature Version 4, checked on a WSGI request: the canonical request rebuilt from what arrived."""

from __future__ import annotations

import hashlib
import hmac
import io
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class Signature:
    """What the Authorization header claims: who signed, for which scope, over which headers."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse(environ: dict[str, Any]) -> Signature | None:
    """The request's SigV4 Authorization header, or None when it has none (or one of another kind)."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        return None
    fields = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not fields.get("Signature"):
        return None
    return Signature(
        access_key_id=scope[0], date=scope[1], region=scope[2], service=scope[3],
        signed_headers=tuple(fields.get("SignedHeaders", "").split(";")), signature=fields["Signature"],
    )


def claimed_access_key(environ: dict[str, Any]) -> str | None:
    """The access key id a request names, signed or not (for the error message and the log)."""
    signature = parse(environ)
    return signature.access_key_id if signature else None


def matches(environ: dict[str, Any], signature: Signature, secret_access_key: str) -> bool:
    """True when `signature` is what `secret_access_key` gives over this request (constant-time comparison)."""
    amz_date = environ.get("HTTP_X_AMZ_DATE") or environ.get("HTTP_DATE", "")
    key = _signing_key(secret_access_key, signature.date, signature.region, signature.service)
    headers = _canonical_headers(environ, signature.signed_headers)
    payload = _payload_hash(environ)
    offered = signature.signature.encode()
    # Clients differ in how they encode a path (S3 signs it as sent, other services encode it once more) and a
    # query; each candidate still needs the secret, so trying the few spellings weakens nothing.
    for path in _dedupe([_double_encoded(_raw_path(environ)), _raw_path(environ)]):
        for query in _dedupe([_canonical_query(environ), _raw_sorted_query(environ)]):
            canonical = "\n".join(
                [environ.get("REQUEST_METHOD", "GET").upper(), path, query, headers,
                 ";".join(signature.signed_headers), payload]
            )
            to_sign = "\n".join(
                [ALGORITHM, amz_date, signature.scope, hashlib.sha256(canonical.encode()).hexdigest()]
            )
            expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest().encode()
            if hmac.compare_digest(expected, offered):
                return True
    return False


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@lru_cache(maxsize=64)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _raw_path(environ: dict[str, Any]) -> str:
    """The path as the client sent it (still percent-encoded), which is what it signed."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = raw.split("?", 1)[0]
        if "://" in path:  # an absolute request-target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return path or "/"
    return quote(environ.get("PATH_INFO", "") or "/", safe="/~")


def _double_encoded(path: str) -> str:
    """Every service but S3 signs the normalised path URI-encoded once more."""
    normalized = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized.replace("//", "/"), safe="/~")


def _pairs(environ: dict[str, Any]) -> list[tuple[str, str]]:
    query = environ.get("QUERY_STRING", "")
    return [(name, value) for name, _, value in (part.partition("=") for part in query.split("&") if part)]


def _canonical_query(environ: dict[str, Any]) -> str:
    encoded = [(quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~"))
               for name, value in _pairs(environ)]
    return "&".join(f"{name}={value}" for name, value in sorted(encoded))


def _raw_sorted_query(environ: dict[str, Any]) -> str:
    return "&".join(f"{name}={value}" for name, value in sorted(_pairs(environ)))


def _header_value(environ: dict[str, Any], name: str) -> str:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key, "")
    return " ".join(str(value).split())


def _canonical_headers(environ: dict[str, Any], names: tuple[str, ...]) -> str:
    return "".join(f"{name}:{_header_value(environ, name)}\n" for name in names)


def _payload_hash(environ: dict[str, Any]) -> str:
    """The declared hash (S3 clients send it, including UNSIGNED-PAYLOAD and the STREAMING-* seeds) or the
    body's own; the body is read once and put back for moto."""
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256")
    if declared:
        return declared
    return hashlib.sha256(read_body(environ)).hexdigest()


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, left in place as a fresh stream for whoever reads it next."""
    from werkzeug.wsgi import get_input_stream

    body = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["wsgi.input_terminated"] = True  # the whole body is in the stream: read it to its end
    return body
