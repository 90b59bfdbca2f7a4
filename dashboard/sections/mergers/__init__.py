"""The Mergers page: the April 2026 ICB mergers seen both ways, and what-if merges."""
