"""Policy documents (markdown, shipped in this package) and their retrieval from a second Chroma collection."""

from assistant.policies.store import PolicyPassage, PolicyStore, load_passages

__all__ = ["PolicyPassage", "PolicyStore", "load_passages"]
