"""Runners for the W3C test suites copied in tests/conformance: they read the manifests and check one case."""
