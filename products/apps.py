"""The products app and its composition root: the one place that wires the read side to the bus."""

from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"

    def ready(self):
        """The summary is projected in each command's transaction; the checkpointed projectors catch up
        right after it in-process (PROJECTORS_IN_PROCESS) or in `manage.py run_projectors`."""
        from products.read.projections import project_command
        from products.read.projectors import after_command
        from products.write.bus import register_after_commit, register_projector

        register_projector(project_command)
        register_after_commit(after_command)
