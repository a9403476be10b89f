"""moto backends subclassed where the stacks need more or faster behaviour: SQS, DynamoDB, Step Functions, SNS.

Owns: each subclass and how it is swapped into moto's BackendDict (subclassing.py); SNS's delivery to Lambda as an
asynchronous invocation; Step Functions' interpreter always on, its Lambda tasks run in this process, its calls
signed with the cloud's own keys.
May import: lambda_service (the running services, invoke), lambda_runtime, config and moto_urls; never
cloudformation, persistence, install or the server.
"""
