"""The HMIS Access Bot application: settings, policy, storage, outbox, server and CLI."""
