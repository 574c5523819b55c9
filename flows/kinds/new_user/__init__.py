"""The New User Access Request: form, validation, state machine, cards and nudges."""
