"""Your data page sections: one upload section per kind of file."""
