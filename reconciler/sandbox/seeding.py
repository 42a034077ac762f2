"""Seeds applied through the API (placeholder: replaced below)."""
