"""Blended ranking: relevance, history affinity, sequential model, popularity, exploration, diversity, rules."""
