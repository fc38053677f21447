"""The HTTP face of the server: the routes and what serves them, in the web process."""
