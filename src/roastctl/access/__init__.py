"""Who may do what: roles, bearer tokens, who is calling, and the refusals kept of them."""
