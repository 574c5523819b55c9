"""Microsoft Teams adapter: botbuilder's CloudAdapter and a TeamsActivityHandler, translating
Bot Framework activities to neutral events and neutral outcomes to Adaptive Cards.

Every botbuilder type stays inside this package (botbuilder-python is archived), so the
Microsoft 365 Agents SDK can replace it here without touching the flows or the application."""
