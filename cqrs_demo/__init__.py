"""The project: env-driven settings, root URLconf, WSGI/ASGI, the replica router, middleware, the auth backend."""
