"""End-to-end check of the demo, the way a new user meets it (run it through scripts/e2e).

Starts Home Assistant as scripts/develop does, but on a throw-away copy of config/ (the
repository's config/ stays untouched), onboards a user over the REST API, and then drives the real
frontend in headless Chromium through what a host does: finds Backup Access Codes in "Add
integration", goes through the config flow's user and script steps, finds the integration on the
Integrations page, changes the options (invalid values first), reconfigures, looks at the lock's
device page after a last-minute grant on the offline lock (a backup code must be issued within
seconds), sees the dashboard of docs/dashboard.yaml and the Access codes panel, and deletes the
entry. Every screen is held to
translations/en.json (read at run time) and fails the run on a translation error, a raw key or a
door code. With --no-browser the config flow goes through its REST API and only the grant is
checked.

Layout: hass.py (the process), client.py (REST and WebSocket), onboarding.py, entry.py and
grant.py (API-side steps), browser.py (Chromium, reading and checking screens),
translations.py (en.json as the frontend shows it), screens/ (one module per screen),
scenario.py (the order), logs.py (after the stop: log and database), cli.py (flags, exit status).

Door codes are never printed: only their length.
"""
