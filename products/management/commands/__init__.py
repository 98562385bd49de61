"""seed_demo, rebuild_read_models, verify_read_models, requeue_stalled_commands."""
