"""moto's Lambda URL table, every route answered by :class:`LocalLambdaResponse`."""

from __future__ import annotations

from moto.awslambda import urls as moto_urls
from moto.awslambda.responses import LambdaResponse

from .responses import LocalLambdaResponse

url_bases = moto_urls.url_bases

# A route moto serves with something other than LambdaResponse.dispatch stays as moto has it.
url_paths = {
    path: LocalLambdaResponse.dispatch if handler == LambdaResponse.dispatch else handler
    for path, handler in moto_urls.url_paths.items()
}
