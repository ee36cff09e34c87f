"""The personal space: one module per page."""
