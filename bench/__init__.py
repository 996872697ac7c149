"""LabIntake benchmarks: `make bench` (full) and `make bench-quick`. Every figure has a baseline
measured in the same run, because absolute times on a shared machine drift."""
