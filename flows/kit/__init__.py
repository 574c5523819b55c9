"""The state-machine kit every request kind is built from, and the registry that lists them.

A kind declares, in one class: its command word and help line, its forms, its states and the
steps between them with who may take each, its cards per audience and its nudges. The kit does
the rest the same way for every kind: compare-and-set with its audit row, refusals, a lost
race, a stale click answered with what happened, and the live cards of everyone involved.
"""
