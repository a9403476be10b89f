"""After a destroy: every resource the templates deployed, each checked gone through its own service.

Owns: one probe per resource type (checks), the inventory taken before a destroy, the check after it, the
leftovers and what the notebook says about them (cleanup).
May import: cloud, render, wiring, local_cloud, repo.
"""
