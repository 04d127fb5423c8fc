"""Files on disk: their default places, written safely (atomic, regular files), read in limits."""
