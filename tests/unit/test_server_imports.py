"""The local cloud's server skips the optional imports it never uses (a grammar compiled at every start)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from workshop_utils.local_cloud import server
server._skip_unused_optional_imports()
import jsonschema
import moto.cloudformation.parsing  # imports moto.apigateway, whose OpenAPI validator imports jsonschema's formats
jsonschema.validate({"name": "Avis"}, {"type": "object", "properties": {"name": {"type": "string"}}})
print(sorted(name for name in server.UNUSED_OPTIONAL_IMPORTS if sys.modules.get(name) is not None))
"""


def test_the_server_process_never_loads_the_unused_optional_modules_and_moto_still_imports():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
