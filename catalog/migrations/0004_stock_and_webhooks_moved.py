"""Stock moved to inventory and webhook sources to integrations: the catalog forgets them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_product_search_indexes'),
        ('integrations', '0001_initial'),
        ('inventory', '0001_initial'),
        ('clienteling', '0006_models_moved_to_their_apps'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='stocklevel',
                    name='one_stock_row_per_store',
                ),
                migrations.RemoveConstraint(
                    model_name='stocklevel',
                    name='stock_on_hand_not_negative',
                ),
                migrations.RemoveConstraint(
                    model_name='stocklevel',
                    name='stock_reserved_not_negative',
                ),
                migrations.RemoveConstraint(
                    model_name='stocklevel',
                    name='stock_reserved_within_on_hand',
                ),
                migrations.RemoveConstraint(
                    model_name='webhookevent',
                    name='webhook_event_once',
                ),
                migrations.RemoveField(
                    model_name='webhooksource',
                    name='stores',
                ),
                migrations.RemoveField(
                    model_name='webhookevent',
                    name='source',
                ),
                migrations.DeleteModel(
                    name='StockLevel',
                ),
                migrations.DeleteModel(
                    name='WebhookEvent',
                ),
                migrations.DeleteModel(
                    name='WebhookSource',
                ),
            ],
        ),
    ]
