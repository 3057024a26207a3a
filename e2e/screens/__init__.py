"""The host's screens, each a step of the browser run: `async def step(ui, demo) -> None`.

A step opens a page of the real frontend (`ui.open`), does what a host does there, checks what it
shows against translations/en.json and the API, and keeps a screenshot (`ui.shot`, which also
fails on any translation error, raw key or door code on the screen). The run's order is in
e2e/scenario.py (BROWSER_STEPS).
"""
