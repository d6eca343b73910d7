"""Widget API routes, one file each."""
