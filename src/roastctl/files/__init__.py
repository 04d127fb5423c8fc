"""Files on disk: written safely (atomic, regular files only) and read within limits."""
