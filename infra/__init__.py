"""The workshop's CDK app: the Parallel and the SNS scatter-gather stacks."""
