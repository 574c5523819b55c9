"""Persistence: SQLAlchemy models, engine set-up and the flows' Ledger implementation."""
