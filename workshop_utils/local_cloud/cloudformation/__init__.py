"""The local cloud's CloudFormation: resource types and deploy behaviour moto lacks (import .install to enable them).

Owns: the resource types the CDK stacks use (CloudFormationModel subclasses, one module per service), the backend
that deploys, updates and deletes them in dependency order with stack events, and its API responses.
May import: backends (the Step Functions backend its state machines live in; how a backend is subclassed); never
persistence, install or the server (server.py imports .install by name when it loads CloudFormation).
Kept empty so that importing a submodule does not pull in moto's template parser, which takes seconds.
"""
