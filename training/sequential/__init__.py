"""Training of the sequential next-item model (assistant/sequential) on behaviour sequences."""
