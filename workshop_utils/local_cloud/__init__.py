"""The embedded local cloud: moto's server plus a Lambda runtime, async invocation, destinations and SQS pollers.

Owns: its own process (`python -m workshop_utils.local_cloud start|stop|status|logs`, __main__.py), bound to
127.0.0.1 and answering only its owner. The server side: server.py (the WSGI app and control endpoints),
install.py (plugs the subpackages into moto), dispatcher.py, auth.py and sigv4.py (per-cloud keys checked by
signature), pins.py (the moto it extends). The client side the rest of workshop_utils uses to find, start and
stop it: service.py (over lifecycle/), state.py (the 0600 state file) and config.py; everything else talks to the
running cloud over HTTP, as to AWS.
May import: repo (REPO_ROOT) and nothing else of workshop_utils; moto, boto3 and psutil.
Inside, each module imports only those below it and no two subpackages import each other (no circle at any
depth): __main__ > service > lifecycle > server > persistence > cloudformation > install > backends >
lambda_service > lambda_runtime > auth > sigv4, with config, state, dispatcher, pins and moto_urls at the bottom.
"""
