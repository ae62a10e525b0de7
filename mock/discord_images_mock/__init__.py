"""The Discord Images reference server.

`discord_images_mock.app.create_app(Settings(...))` builds the ASGI app;
`discord-images-mock` (the `__main__` module) serves it.
"""

from __future__ import annotations

import warnings

# Connexion imports Starlette's test client at import time, which warns about httpx on every
# start of the server; nothing here uses that client.
warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
