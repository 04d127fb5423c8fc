"""Who may do what: roles, bearer tokens, who is calling, where HTTP may listen, refusals kept."""
