"""Business actions on plans and schede: each takes the acting user and runs in one transaction."""
