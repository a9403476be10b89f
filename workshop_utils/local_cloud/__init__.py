"""The embedded local cloud: moto's server plus a Lambda runtime, async invocation, destinations and SQS pollers."""
