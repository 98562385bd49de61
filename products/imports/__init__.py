"""CSV imports: parse and check a file, preview the per-row problems, then apply it in the background."""
