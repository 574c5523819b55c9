"""The New User Access Request: form, validation, state machine and cards."""
