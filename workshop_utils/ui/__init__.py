"""What a notebook cell shows: widgets, whole result views, figures, and sentences about what happened.

Composed from the renderers and the data of the packages below.
May import: teaching, deploy, teardown, quotes, wiring, cloud, render, local_cloud, repo.
"""
