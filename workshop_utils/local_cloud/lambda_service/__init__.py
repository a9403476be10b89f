"""Lambda's API in the local cloud: moto's backend subclassed, Invoke, async invocation, destinations, SQS pollers.

Owns: Lambda's behaviour as the API shows it: Invoke (RequestResponse, Event, DryRun) on the runtime it is handed,
asynchronous invocation with retries and destinations, SQS event source mappings, and services.py, the running
runtime, async invoker and pollers that install.py registers and the moto extensions read.
May import: lambda_runtime and config; never backends, cloudformation, persistence or the server: install.py
hands the invokers their runtime, and persistence/startup.py sets its journal on the async invoker.
"""
