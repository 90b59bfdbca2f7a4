"""Overview page sections: headline figures, the units, an uploaded list, the sources."""
