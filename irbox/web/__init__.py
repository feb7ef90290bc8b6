"""The web layer: `web/api` (the REST controllers) and `web/ui` (the pages and forms) side by
side, never importing each other, over what both share here: the app's assembly, the ASGI
middlewares (the order of checks, idempotency, compression, lingering close), error rendering,
uploads and the request context. No SQL and no rules here: the services hold them."""
