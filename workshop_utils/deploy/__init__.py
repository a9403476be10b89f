"""Deploying with the pinned CDK CLI: synth (warm), deploy, diff and destroy, their progress, their failures.

Owns, a job a module: cdk (the commands the notebooks call, on one default runner), runner (CdkRunner: the CLI
run from the repo root against the target), cli_process (one CLI run as a subprocess: environment, streamed lines,
failure), node (the Node.js the CLI needs), assembly (cdk.out and the fingerprint it was made from), fingerprint,
output_dir, context (the context the CLI hands the app), warm_synth and synth_server (the synth process kept warm),
bootstrap (the target's CDKToolkit stack), stack_outputs (a deployed stack's outputs), progress and
stack_follower (progress from the CLI's lines and from the stack's own events), output (what a learner reads of
the CLI's output), diff (`cdk diff` read as data, and shown), failures (a failed run in one sentence).
May import the layers below it: cloud, render, wiring, local_cloud, repo (it uses cloud, render and repo); never
teaching, ui or anything above it (Node.js install hints live here, in node, for teaching to import).
"""
