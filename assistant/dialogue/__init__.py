"""Dialogue management: slot state and merge rules, references to shown products, shopping and service flows."""
