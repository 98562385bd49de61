"""The write side: what people want (commands) and what happened (events), decided by handlers run by the bus."""
