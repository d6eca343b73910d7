"""shopbot assistant: the conversation pipeline."""
