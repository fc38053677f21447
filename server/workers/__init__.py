"""The worker processes (queries, writes), the pool that drives them from the web process, and the
messages between the two."""
