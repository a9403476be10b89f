"""The current target (the local cloud, real AWS or a custom endpoint) and reading what is deployed there.

Owns: boto3 clients and the CDK environment for the target (target), stack outputs and resources (stacks),
a function's CloudWatch log events (logs).
May import: local_cloud (to find and start the learner's own cloud), repo. Nothing above it.
"""
