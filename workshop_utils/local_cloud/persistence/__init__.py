"""What the local cloud keeps across a stop, a crash or a reboot: deployed stacks and a journal of accepted requests."""
