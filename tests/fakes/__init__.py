"""Local fakes of the services the bot talks to, for end-to-end tests."""
