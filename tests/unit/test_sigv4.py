"""SigV4 checked on a WSGI environ: what botocore signs verifies with the secret, and nothing else does."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from workshop_utils.local_cloud import auth, sigv4

KEY, SECRET = "LKIAEXAMPLEEXAMPLE12", "the-secret"


def signed_environ(method: str, url: str, body: bytes = b"", *, service: str = "lambda",
                   declared: str | None = None, keys: auth.Credentials | None = None) -> dict[str, Any]:
    """A request as botocore signs it (an S3 one with the payload hash `declared`, if given), then as werkzeug
    hands it to a WSGI app."""
    keys = keys or auth.Credentials(KEY, SECRET)
    request = AWSRequest(method=method, url=url, data=body)

    class Declaring(S3SigV4Auth):
        def payload(self, request: AWSRequest) -> str:
            return declared or super().payload(request)

    signer = Declaring if service == "s3" else SigV4Auth
    credentials = Credentials(keys.access_key_id, keys.secret_access_key, keys.session_token)
    signer(credentials, service, "us-east-1").add_auth(request)
    parts = urlsplit(url)
    raw = parts.path + (f"?{parts.query}" if parts.query else "")
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "RAW_URI": raw, "PATH_INFO": unquote(parts.path),
                               "QUERY_STRING": parts.query, "wsgi.input": io.BytesIO(body),
                               "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
                               "HTTP_HOST": parts.netloc}
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return environ


def owner_store() -> auth.CredentialStore:
    return auth.CredentialStore(auth.Credentials(KEY, SECRET))


def test_a_signed_request_with_an_arn_in_its_path_and_a_query_verifies_and_keeps_its_body() -> None:
    url = "http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations"
    environ = signed_environ("POST", url + "?Qualifier=%24LATEST", b'{"a": 1}')

    assert owner_store().refusal(environ) is None
    assert environ["wsgi.input"].read() == b'{"a": 1}'  # moto still reads the whole body


def test_a_changed_body_or_another_secret_does_not_verify() -> None:
    environ = signed_environ("POST", "http://127.0.0.1:4566/", b"Action=GetCallerIdentity", service="sts")
    tampered = {**environ, "wsgi.input": io.BytesIO(b"Action=DeleteStack"), "CONTENT_LENGTH": "18"}
    signature = sigv4.parse(environ)
    assert signature is not None

    assert owner_store().refusal(tampered) == "bad_signature"
    assert not sigv4.matches(signed_environ("POST", "http://127.0.0.1:4566/", b"x", service="sts"), signature,
                             "another-secret")
    assert auth.CredentialStore(auth.Credentials("LKIASOMEONEELSE00000", SECRET)).refusal(environ) == "unknown_key"
    assert owner_store().refusal({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}) == "missing"


def test_s3_payload_declarations_are_signed_as_declared() -> None:
    """S3 clients sign the hash they declare, UNSIGNED-PAYLOAD or a STREAMING-* seed included (the CDK CLI's
    asset uploads), so the body is not read."""
    for declared in ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"):
        environ = signed_environ("PUT", "http://127.0.0.1:4566/cdk-assets/a%20b/%C3%BC.zip", b"zip bytes",
                                 service="s3", declared=declared)
        assert environ["HTTP_X_AMZ_CONTENT_SHA256"] == declared
        assert owner_store().refusal(environ) is None


def test_temporary_keys_need_their_session_token_and_stop_when_revoked() -> None:
    store = owner_store()
    issued = store.issue()
    url = "http://127.0.0.1:4566/"

    def signed(token: str | None) -> dict[str, Any]:
        keys = auth.Credentials(issued.access_key_id, issued.secret_access_key, token)
        return signed_environ("POST", url, b"Action=GetCallerIdentity", service="sts", keys=keys)

    assert store.refusal(signed(issued.session_token)) is None
    assert store.refusal(signed("another-token")) == "bad_token"
    store.revoke(issued.access_key_id)
    assert store.refusal(signed(issued.session_token)) == "unknown_key"
    assert "the-secret" not in repr(store.owner)
