"""Deploying with the pinned CDK CLI: synth (warm), deploy, diff and destroy, their progress, their failures.

Owns: the CLI as a subprocess (cdk), the warm synth process and its client, the context the CLI hands the app,
progress read from CloudFormation events, `cdk diff` and failures read as data.
May import: cloud, render, local_cloud, repo.
"""
