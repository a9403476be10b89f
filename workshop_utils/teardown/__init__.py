"""After a destroy: every resource the templates deployed, each checked gone through its own service.

May import: cloud, repo.
"""
