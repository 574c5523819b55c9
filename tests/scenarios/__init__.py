"""One scenario per request kind, for the card snapshots (see ``tests.samples``)."""
