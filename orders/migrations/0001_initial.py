"""Moves order, orderevent, orderline here from the app that held them before (one room per feature).

The tables exist already: the model state is created over them, then each table (and
its auto-named indexes) takes this app's name. A fresh database gets the same result.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
import orders.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('clienteling', '0005_visit_autovacuum'),
        ('catalog', '0003_product_search_indexes'),
        ('customers', '0005_cardview'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Order',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(default=orders.models._order_reference, editable=False, max_length=20, unique=True, verbose_name='reference')),
                        ('idempotency_key', models.CharField(editable=False, max_length=64)),
                        ('mode', models.CharField(choices=[('delivery', 'Home delivery'), ('pickup', 'Pickup in store')], max_length=10, verbose_name='delivery mode')),
                        ('recipient', models.CharField(blank=True, max_length=160, verbose_name='recipient')),
                        ('street', models.CharField(blank=True, max_length=200, verbose_name='street')),
                        ('street_extra', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                        ('postcode', models.CharField(blank=True, max_length=5, validators=[django.core.validators.RegexValidator('^(0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$', 'A French postcode has five digits, e.g. 75002.', code='postcode')], verbose_name='postcode')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone')),
                        ('status', models.CharField(choices=[('created', 'Created'), ('confirmed', 'Confirmed'), ('ready', 'Ready for pickup'), ('shipped', 'Shipped'), ('collected', 'Collected'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='created', max_length=10, verbose_name='status')),
                        ('subtotal', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='list total (EUR)')),
                        ('discount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='discount (EUR)')),
                        ('total', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='total (EUR)')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='placed')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('confirmation_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmation sent')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='taken by')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='customers.customer', verbose_name='customer')),
                        ('pickup_store', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders_to_hand_over', to='catalog.store', verbose_name='pickup store')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders_taken', to='catalog.store', verbose_name='taken in')),
                    ],
                    options={
                        'db_table': 'clienteling_order',
                        'verbose_name': 'order',
                        'verbose_name_plural': 'orders',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='OrderEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Order placed'), ('confirmed', 'Confirmed'), ('ready', 'Ready for pickup'), ('shipped', 'Shipped'), ('collected', 'Collected'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled'), ('hold_expired', 'Pickup hold expired, stock released'), ('confirmation_sent', 'Confirmation email sent')], max_length=20, verbose_name='event')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='orders.order')),
                    ],
                    options={
                        'db_table': 'clienteling_orderevent',
                        'verbose_name': 'order event',
                        'verbose_name_plural': 'order events',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='OrderLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField(verbose_name='quantity')),
                        ('product_name', models.CharField(max_length=200, verbose_name='product')),
                        ('sku', models.CharField(max_length=40, verbose_name='SKU')),
                        ('list_price', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='list price')),
                        ('unit_price', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='unit price')),
                        ('applied_offers', models.JSONField(blank=True, default=list, verbose_name='offers applied')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.order')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.store', verbose_name='shipped from')),
                        ('variant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.variant', verbose_name='variant')),
                    ],
                    options={
                        'db_table': 'clienteling_orderline',
                        'verbose_name': 'order line',
                        'verbose_name_plural': 'order lines',
                        'ordering': ['pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='order',
                    index=models.Index(fields=['store', 'status', '-created_at'], name='clienteling_store_i_52182d_idx'),
                ),
                migrations.AddIndex(
                    model_name='order',
                    index=models.Index(fields=['pickup_store', 'status', '-created_at'], name='clienteling_pickup__b3ece5_idx'),
                ),
                migrations.AddIndex(
                    model_name='order',
                    index=models.Index(fields=['customer', 'status', '-created_at'], name='clienteling_custome_9bcc3d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='order',
                    constraint=models.UniqueConstraint(fields=('idempotency_key',), name='order_submitted_once'),
                ),
                migrations.AddConstraint(
                    model_name='order',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('mode', 'pickup'), ('pickup_store__isnull', False)), models.Q(('mode', 'delivery'), ('pickup_store__isnull', True), ('postcode__regex', '^(0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$'), models.Q(('street', ''), _negated=True), models.Q(('city', ''), _negated=True)), _connector='OR'), name='order_has_pickup_store_or_address'),
                ),
                migrations.AddConstraint(
                    model_name='order',
                    constraint=models.CheckConstraint(condition=models.Q(('discount__gte', 0), ('subtotal', django.db.models.expressions.CombinedExpression(models.F('total'), '+', models.F('discount'))), ('total__gte', 0)), name='order_totals_add_up'),
                ),
                migrations.AddIndex(
                    model_name='orderevent',
                    index=models.Index(fields=['order', 'at'], name='clienteling_order_i_04fb51_idx'),
                ),
                migrations.AddConstraint(
                    model_name='orderline',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='order_line_quantity_1'),
                ),
                migrations.AddConstraint(
                    model_name='orderline',
                    constraint=models.CheckConstraint(condition=models.Q(('unit_price__gte', 0), ('unit_price__lte', models.F('list_price'))), name='order_line_price_within_list'),
                ),
            ],
        ),
        migrations.AlterModelTable(name='order', table=None),
        migrations.AlterModelTable(name='orderevent', table=None),
        migrations.AlterModelTable(name='orderline', table=None),
        migrations.RenameIndex(model_name='order', new_name='orders_orde_store_i_510e34_idx', old_name='clienteling_store_i_52182d_idx'),
        migrations.RenameIndex(model_name='order', new_name='orders_orde_pickup__04da64_idx', old_name='clienteling_pickup__b3ece5_idx'),
        migrations.RenameIndex(model_name='order', new_name='orders_orde_custome_ebdb39_idx', old_name='clienteling_custome_9bcc3d_idx'),
        migrations.RenameIndex(model_name='orderevent', new_name='orders_orde_order_i_4449c6_idx', old_name='clienteling_order_i_04fb51_idx'),
    ]
