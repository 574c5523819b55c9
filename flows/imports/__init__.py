"""What an import from another system does: the HMIS staff list (``hmis-bot import users``)
and the LMS's training completions (``hmis-bot import trainings``).

The CSV reading is the application's (``chatbot.commands``); these modules decide, from the rows
and what the bot holds, what changes: ``staff`` (accounts created, updated, vanished),
``trainings`` (completions recorded, counted for open requests, renewal clocks set).
"""
