"""API views: queries (GET, read models) and commands (POST/PATCH/PUT/DELETE, through the bus)."""
