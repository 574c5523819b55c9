"""The ``hmis-bot`` command line and the operator commands behind it."""
