"""The project's Lambda Runtime API client: loads one handler and serves its invocations, standard library only.

A worker puts the folder holding this package on sys.path just long enough to import runtime.main, then takes it
and the package's modules away again (workers.CLIENT_COMMAND): nothing of workshop_utils, moto or boto3 is
imported before the handler, the handler's folder comes first on sys.path as in Lambda, and the modules come from
their cached bytecode. What it sends and logs follows awslambdaric, Lambda's own Python client, which
tests/local_cloud/test_runtime_conformance.py runs beside it against the same Runtime API.
"""
