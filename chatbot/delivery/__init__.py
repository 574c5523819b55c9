"""Getting messages out: the outbox dispatcher and the live cards it renders from the database."""
