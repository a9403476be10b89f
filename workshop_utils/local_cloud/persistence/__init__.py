"""What the local cloud keeps across a stop, a crash or a reboot: deployed stacks and a journal of accepted requests.

Owns: the records of each stack's last deploy and its generated names, restoring them at start, the journal of
accepted requests (and the sentence naming what a crash lost), and the start report the CLI prints.
May import: cloudformation (to restore stacks, inside functions so the CLI's start report stays light); never
lambda_service, backends or the server, which hand it what it records.
"""
