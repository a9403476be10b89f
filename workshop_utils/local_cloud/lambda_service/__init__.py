"""Lambda's API in the local cloud: moto's backend subclassed, Invoke, async invocation, destinations, SQS pollers."""
