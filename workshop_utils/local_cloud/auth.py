"""Who may call the local cloud's AWS API: its owner's keys and the temporary keys it hands its Lambda workers."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import sigv4

logger = logging.getLogger("workshop_utils.local_cloud")

StartResponse = Callable[..., Any]

_INVALID_TOKEN = "The security token included in the request is invalid."
_BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                  "Secret Access Key and signing method. Consult the service documentation for details.")
# The error AWS answers, by kind of refusal and by protocol: (code, message, HTTP status).
_ERRORS = {
    "missing": {"json": ("MissingAuthenticationTokenException", "Missing Authentication Token", 400),
                "query": ("MissingAuthenticationToken", "Request is missing Authentication Token", 403),
                "s3": ("AccessDenied", "Access Denied", 403)},
    "unknown_key": {"json": ("UnrecognizedClientException", _INVALID_TOKEN, 400),
                    "query": ("InvalidClientTokenId", _INVALID_TOKEN, 403),
                    "s3": ("InvalidAccessKeyId",
                           "The AWS Access Key Id you provided does not exist in our records.", 403)},
    "bad_token": {"json": ("UnrecognizedClientException", _INVALID_TOKEN, 400),
                  "query": ("InvalidClientTokenId", _INVALID_TOKEN, 403),
                  "s3": ("InvalidToken", "The provided token is malformed or otherwise invalid.", 403)},
    "bad_signature": {"json": ("InvalidSignatureException", _BAD_SIGNATURE, 400),
                      "query": ("SignatureDoesNotMatch", _BAD_SIGNATURE, 403),
                      "s3": ("SignatureDoesNotMatch", _BAD_SIGNATURE, 403)},
}
_LOGGED = {
    "missing": "it was not signed",
    "unknown_key": "its access key id {key} is not this local cloud's",
    "bad_token": "its session token does not belong to the temporary key {key}",
    "bad_signature": "its signature does not match the secret of key {key}",
}


@dataclass(frozen=True)
class Credentials:
    """An access key pair; temporary ones (a Lambda worker's) also carry a session token."""

    access_key_id: str
    secret_access_key: str = ""
    session_token: str | None = None

    def __repr__(self) -> str:  # never print a secret by accident (tracebacks, logs)
        return f"Credentials(access_key_id={self.access_key_id!r})"

    def as_env(self) -> dict[str, str]:
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env


def _key_id(prefix: str) -> str:
    # 20 characters like AWS's (AKIA... long-term, ASIA... temporary); never 12 digits, which moto reads as an account
    return prefix + base64.b32encode(secrets.token_bytes(10)).decode()


def new_credentials() -> Credentials:
    """A fresh long-term key pair for one local cloud and its owner."""
    return Credentials(_key_id("LKIA"), secrets.token_urlsafe(30))


class CredentialStore:
    """The keys this server accepts: its owner's, and one temporary set per running Lambda worker."""

    def __init__(self, owner: Credentials | None = None) -> None:
        self.owner = owner
        self._temporary: dict[str, Credentials] = {}
        self._lock = threading.Lock()

    def issue(self) -> Credentials:
        """Temporary credentials for one execution environment, as Lambda hands it its role's."""
        issued = Credentials(_key_id("LSIA"), secrets.token_urlsafe(30), secrets.token_urlsafe(48))
        with self._lock:
            self._temporary[issued.access_key_id] = issued
        return issued

    def revoke(self, access_key_id: str) -> None:
        with self._lock:
            self._temporary.pop(access_key_id, None)

    def lookup(self, access_key_id: str) -> Credentials | None:
        if self.owner is not None and secrets.compare_digest(access_key_id, self.owner.access_key_id):
            return self.owner
        with self._lock:
            issued = self._temporary.get(access_key_id)
        return issued or _assumed_role(access_key_id)

    def refusal(self, environ: dict[str, Any]) -> str | None:
        """None when the request is signed with keys of this store; else the kind of refusal."""
        signature = sigv4.parse(environ)
        if signature is None:
            return "missing"
        known = self.lookup(signature.access_key_id)
        if known is None:
            return "unknown_key"
        if known.session_token is not None:
            offered = environ.get("HTTP_X_AMZ_SECURITY_TOKEN", "")
            if not secrets.compare_digest(offered.encode(), known.session_token.encode()):
                return "bad_token"
        if not sigv4.matches(environ, signature, known.secret_access_key):
            return "bad_signature"
        return None


def _assumed_role(access_key_id: str) -> Credentials | None:
    """Credentials this cloud's STS handed out (AssumeRole: the CDK CLI deploys with its deploy role's), while
    they last. Only a caller already signed in with this cloud's keys can obtain them."""
    import sys

    if "moto.sts.models" not in sys.modules:  # nothing assumed yet (and no import on the refusal path)
        return None
    from moto.core.utils import utcnow
    from moto.sts.models import sts_backends

    for partitions in list(sts_backends.values()):
        for backend in list(partitions.values()):
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None and role.expiration > utcnow():
                return Credentials(role.access_key_id, role.secret_access_key, role.session_token)
    return None


_store = CredentialStore()


def generate_owner_keys() -> Credentials:
    """This server's own keys, made at start: the store accepts them, and the server's in-process boto3 clients
    (Step Functions' interpreter) sign with them from its environment."""
    owner = _store.owner = new_credentials()
    os.environ.update(owner.as_env())
    return owner


def store() -> CredentialStore:
    """This process's store (the server sets its owner at start; workers issue from it)."""
    return _store


def _protocol(environ: dict[str, Any]) -> str:
    """How the service the request is for words its errors: JSON, the query protocol's XML, or S3's XML."""
    signature = sigv4.parse(environ)
    service = signature.service if signature else None
    content_type = environ.get("CONTENT_TYPE", "")
    if service == "s3":
        return "s3"
    if environ.get("HTTP_X_AMZ_TARGET") or "amz-json" in content_type or service == "lambda":
        return "json"
    if "x-www-form-urlencoded" in content_type or "Action=" in environ.get("QUERY_STRING", ""):
        return "query"
    if environ.get("PATH_INFO", "").startswith("/20"):  # REST-JSON APIs (Lambda's /2015-03-31/...)
        return "json"
    return "s3" if service is None else "query"


def refuse(environ: dict[str, Any], start_response: StartResponse, kind: str) -> Iterable[bytes]:
    """Answer as AWS does for a wrong or missing key, and say why in one sentence in the server log."""
    protocol = _protocol(environ)
    code, message, status = _ERRORS[kind][protocol]
    key = sigv4.claimed_access_key(environ) or "(none)"
    logger.warning(
        "refused a request from %s: %s (%s); only this local cloud's own keys, in its owner's state file, are "
        "accepted.", environ.get("REMOTE_ADDR", "?"), _LOGGED[kind].format(key=key), code,
    )
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    elif protocol == "query":
        body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>'
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers.append(("Content-Type", "text/xml"))
    else:
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f"<RequestId>{request_id}</RequestId></Error>").encode()
        headers.append(("Content-Type", "application/xml"))
    if protocol == "json" and environ.get("PATH_INFO", "").startswith("/20"):
        status = 403  # REST-JSON APIs (Lambda) answer 403 where the JSON-RPC ones answer 400
    reason = {400: "400 Bad Request", 403: "403 Forbidden"}[status]
    start_response(reason, [*headers, ("Content-Length", str(len(body)))])
    return [body]
