"""The current target (the local cloud, real AWS or a custom endpoint) and reading what is deployed there.

Owns: the target, entered through `target` (the choice and what it remembers in choice, the learner's own local
cloud and its keys in own_cloud, endpoint, region and boto3 clients in sessions, the CDK CLI's environment in
cdk_environment, describe and the readiness checks in checks), stack outputs and resources (stacks), a deployed
stack's wiring read through each service's API (wiring), a function's CloudWatch log events (logs).
May import: render, wiring (the data model the deployed wiring is read into), local_cloud (to find the learner's
own cloud), repo. Nothing above it.
"""
