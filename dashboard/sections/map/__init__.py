"""Map page sections: the five-layer map and its controls."""
