"""Renderers: pure functions from plain data to self-contained HTML or SVG."""
