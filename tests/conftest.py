"""Shared pytest set-up: quiet jsii's Node version banner and keep tests off any real AWS account."""
import os

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
