"""The products app and its composition root: the one place that wires the read side to the bus."""

from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"

    def ready(self):
        """Commands project inline: the bus calls the read side's projector in each command's transaction."""
        from products.read.projections import project_command
        from products.write.bus import register_projector

        register_projector(project_command)
