"""The web UI: server-rendered pages (Jinja) enhanced with htmx, no build step, every asset
served by irbox itself."""
