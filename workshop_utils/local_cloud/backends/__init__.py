"""moto backends subclassed where the stacks need more or faster behaviour: SQS, DynamoDB, Step Functions, SNS."""
