"""England page sections: the national map with drill-down, and the league table."""
