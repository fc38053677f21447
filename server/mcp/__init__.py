"""The Model Context Protocol server: read-only tools for AI assistants over the graph.

``tools`` defines the tools on a :class:`backend.Backend` (the query workers and the search index, under
the limits ``/sparql`` has); ``http`` serves them at ``/mcp``; ``coopgraph mcp`` on standard input/output.
"""
