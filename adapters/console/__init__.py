"""Console adapter: the same outbound port in a terminal, for demos and for trying the bot
without any chat account. It proves the flows are platform-neutral."""
