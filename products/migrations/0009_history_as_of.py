"""Stock as of a moment: the ledger's (product, time) index and the details history.

The history is filled from the log's details and archive events (one per product plus its edits,
streamed in Python: about 1M rows at 1M products); the ledger index is built over the whole
ledger (big table: at 1M products, 5M ledger rows, a few seconds blocking ledger writes meanwhile).
"""

from django.db import migrations, models

DETAILS_EVENTS = ("ProductCreated", "ProductDetailsUpdated")


def fill_history(apps, schema_editor):
    """One row per details event and per archival (with the details it kept), as the projection writes them."""
    Event = apps.get_model("products", "Event")
    Entry = apps.get_model("products", "DetailsHistoryEntry")
    latest, batch = {}, []
    for event in Event.objects.filter(type__in=(*DETAILS_EVENTS, "ProductArchived")).order_by("position").iterator():
        if event.type != "ProductArchived":
            latest[event.stream_id] = (event.data["price"], event.data["reorder_level"])
        if event.stream_id not in latest:
            continue
        price, reorder_level = latest[event.stream_id]
        batch.append(
            Entry(
                position=event.position,
                product_id=event.stream_id,
                price=price,
                reorder_level=reorder_level,
                archived=event.type == "ProductArchived",
                occurred_at=event.occurred_at,
            )
        )
        if len(batch) >= 5000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0008_event_command_type_and_digest"),
    ]

    operations = [
        migrations.CreateModel(
            name="DetailsHistoryEntry",
            fields=[
                (
                    "position",
                    models.BigIntegerField(help_text="The event's position.", primary_key=True, serialize=False),
                ),
                ("product_id", models.UUIDField()),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("reorder_level", models.PositiveIntegerField()),
                ("archived", models.BooleanField()),
                ("occurred_at", models.DateTimeField()),
            ],
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(fields=["product_id", "occurred_at", "position"], name="movement_product_time"),
        ),
        migrations.AddIndex(
            model_name="detailshistoryentry",
            index=models.Index(fields=["product_id", "occurred_at", "position"], name="details_product_time"),
        ),
        migrations.RunPython(fill_history, migrations.RunPython.noop),
    ]
