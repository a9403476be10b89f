"""URL table of the local cloud's CloudFormation: moto's paths, answered by LocalCloudFormationResponse."""

from __future__ import annotations

from moto.cloudformation import urls as moto_urls

from .responses import LocalCloudFormationResponse

url_bases = moto_urls.url_bases

url_paths = {
    path: getattr(LocalCloudFormationResponse, handler.__name__) for path, handler in moto_urls.url_paths.items()
}
