"""The read side: disposable tables shaped for reading, fed by projections, read by queries, rebuilt from the log."""
