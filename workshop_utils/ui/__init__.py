"""What a notebook cell shows: widgets, whole result views, figures, and sentences about what happened.

Composed from the renderers and the data of the packages below. The notebooks' facade (workshop_utils.notebook)
calls one <kind>_cells module per kind of cell (set-up, deploy, quotes, logs, source, exercises, comparison,
clean-up), each writing to the cell through cell_output.
May import: teaching, deploy, teardown, quotes, wiring, cloud, render, local_cloud, repo.
"""
