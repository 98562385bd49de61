"""The ledger's kind index becomes one partial position index per kind (cheaper to build at every rebuild).

Big table: builds three indexes over the whole ledger; at 1M products (5M ledger rows) `migrate`
took 3.6 s on the 2-core box, blocking ledger writes meanwhile.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0006_managers_run_staff_accounts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="stockmovemententry",
            name="movement_kind_pos",
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("kind", "received")), fields=["-position"], name="movement_received_pos"
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("kind", "issued")), fields=["-position"], name="movement_issued_pos"
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("kind", "counted")), fields=["-position"], name="movement_counted_pos"
            ),
        ),
    ]
