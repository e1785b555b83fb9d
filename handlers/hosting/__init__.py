"""The process that hosts the Slack app: the `twoloop` program (entry.py, which adds `serve`),
the HTTP front (asgi.py) with the endpoints besides Slack's (web.py: `/signals`, `/u/…`,
`/healthz`), and the work side (work.py) in a process of its own (work_process.py)."""
