"""The service layer: what the web and the CLI call.

``app.LabIntake`` wires settings, database, storage and executor together; the modules beside
it are the use cases, each a function taking that object and returning typed objects
(``models``). Only this layer and ``db`` open database sessions.
"""

from labintake.service.app import LabIntake, looks_like_id, sanitize_name

__all__ = ["LabIntake", "looks_like_id", "sanitize_name"]
