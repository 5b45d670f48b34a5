"""Moves reservation, stocklevel here from the app that held them before (one room per feature).

The tables exist already: the model state is created over them, then each table (and
its auto-named indexes) takes this app's name. A fresh database gets the same result.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('clienteling', '0005_visit_autovacuum'),
        ('catalog', '0003_product_search_indexes'),
        ('orders', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Reservation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField(verbose_name='quantity')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='held until')),
                        ('status', models.CharField(choices=[('active', 'held'), ('released', 'released'), ('expired', 'expired'), ('fulfilled', 'left the store')], default='active', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('line', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reservation', to='orders.orderline')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.store')),
                        ('variant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.variant')),
                    ],
                    options={
                        'db_table': 'clienteling_reservation',
                        'verbose_name': 'reservation',
                        'verbose_name_plural': 'reservations',
                        'indexes': [models.Index(condition=models.Q(('status', 'active')), fields=['variant', 'store'], name='active_reservations'), models.Index(condition=models.Q(('expires_at__isnull', False), ('status', 'active')), fields=['expires_at'], name='expiring_holds')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='reservation_quantity_1'), models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', True), ('status', 'active')), models.Q(models.Q(('status', 'active'), _negated=True), ('closed_at__isnull', False)), _connector='OR'), name='reservation_closed_when_not_active')],
                    },
                ),
                migrations.CreateModel(
                    name='StockLevel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('on_hand', models.IntegerField(default=0, verbose_name='on hand')),
                        ('reserved', models.IntegerField(default=0, verbose_name='reserved')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stock', to='catalog.store', verbose_name='store')),
                        ('variant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stock', to='catalog.variant', verbose_name='variant')),
                    ],
                    options={
                        'db_table': 'catalog_stocklevel',
                        'verbose_name': 'stock level',
                        'verbose_name_plural': 'stock levels',
                        'constraints': [models.UniqueConstraint(fields=('variant', 'store'), name='one_stock_row_per_store'), models.CheckConstraint(condition=models.Q(('on_hand__gte', 0)), name='stock_on_hand_not_negative'), models.CheckConstraint(condition=models.Q(('reserved__gte', 0)), name='stock_reserved_not_negative'), models.CheckConstraint(condition=models.Q(('reserved__lte', models.F('on_hand'))), name='stock_reserved_within_on_hand')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='reservation', table=None),
        migrations.AlterModelTable(name='stocklevel', table=None),
    ]
