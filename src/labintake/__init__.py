"""LabIntake: medical lab reports in, structured and reviewable data out."""

__version__ = "0.1.0"
