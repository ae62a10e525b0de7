"""The Discord Images reference server."""
