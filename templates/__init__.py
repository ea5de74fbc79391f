"""The built-in styles, installed as the package `briefgen.templates` (see pyproject.toml).

This folder stays the source of truth in the repository; the wheel and an editable install both
map it into the package, so briefgen finds its styles through the package, never through a
checkout. No code lives here.
"""
