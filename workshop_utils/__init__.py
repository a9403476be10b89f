"""Everything the workshop notebooks call, one package a concern, in layers (docs/architecture.md, .importlinter)."""
