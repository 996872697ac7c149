"""The web layer: the HTTP API (FastAPI), push channels and the browser login."""

from labintake.web.app import create_app, freeze_startup_objects
from labintake.web.deps import WebConfig

__all__ = ["WebConfig", "create_app", "freeze_startup_objects"]
