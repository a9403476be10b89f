"""The local cloud's CloudFormation: resource types and deploy behaviour moto lacks (import .install to enable them).

Kept empty so that importing a submodule does not pull in moto's template parser, which takes seconds.
"""
