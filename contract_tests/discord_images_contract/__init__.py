"""Contract tests for any Discord Images deployment."""
