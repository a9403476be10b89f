"""Lambda execution environments: warm worker processes, their Runtime API endpoints, logs and pools."""
