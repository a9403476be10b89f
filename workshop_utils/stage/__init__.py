"""The presenter dashboard for a projector: one clock, one vocabulary, live levers (see docs/presenter.md).

Owns: the dashboard (dashboard) composed of its page's widgets and drawing (page), the queue that works clicks
one at a time (request_loop), the replay and saved runs (replay, runs), the levers on the page (lever_controls)
and behind it (levers, deploys), each side's request as lanes (sides, lanes), the panels' HTML (render, slides,
colour_vision) and the one page that has the stage (claim).
May import: ui and everything below it (quotes, deploy, cloud, ...); never notebook.
"""
