"""Everything the workshop notebooks call: targets, the CDK runner, triggers, renderers and widgets."""
