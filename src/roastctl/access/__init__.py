"""Who may do what: roles, bearer tokens and the caller each command is attributed to."""
