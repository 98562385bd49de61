"""Each event says what its command_id was used for: the command's type and a digest of its fields.

Old rows get '' (unknown; write/idempotency.py infers the type from the event's and accepts a replay
on type and target). On PostgreSQL 11+ adding a column with a constant default rewrites nothing, so
this is instant at any size.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0007_ledger_index_per_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="command_type",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="event",
            name="request_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
