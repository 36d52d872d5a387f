"""``grunndata console``: the integration's pages in a browser, served from this machine.

Server-rendered HTML (Starlette, Jinja2 with autoescape), a login token and CSRF on every
POST (:mod:`grunndata.console.auth`), and one adapter to the engine
(:mod:`grunndata.console.backend`). See ``docs/CONSOLE.md``.
"""
