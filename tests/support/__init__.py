"""Test infrastructure shared by the test suites (the loopback model server, helpers)."""
