"""Lambda execution environments: warm worker processes, their Runtime API endpoints, logs and pools.

Owns: running a function (LambdaRuntime in pool.py): a worker process per warm environment with the project's
own Runtime API client (runtime_client/, standard library only), the loopback Runtime API it talks to, timeouts,
and the function's logs in CloudWatch Logs as AWS writes them.
May import: auth (the workers' secrets) and config; never lambda_service or anything above it: it sees a moto
function only as the FunctionSpec snapshot taken of it.
"""
