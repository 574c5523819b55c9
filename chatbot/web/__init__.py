"""``hmis-bot serve``: the HTTP server that mounts the chat adapters, health and metrics."""
