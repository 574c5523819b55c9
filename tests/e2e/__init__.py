"""End-to-end tests: signed HTTP requests into the running server, a fake Slack Web API out."""
