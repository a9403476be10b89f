"""The presenter dashboard for a projector: one clock, one vocabulary, live levers (see docs/presenter.md)."""
