"""How files get run: the in-process executor (default) and, later, the distributed one."""
