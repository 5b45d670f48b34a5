"""Moves webhooksource, webhookevent here from the app that held them before (one room per feature).

The tables exist already: the model state is created over them, then each table (and
its auto-named indexes) takes this app's name. A fresh database gets the same result.
"""

import django.db.models.deletion
import integrations.models
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('clienteling', '0005_visit_autovacuum'),
        ('catalog', '0003_product_search_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookSource',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(unique=True, verbose_name='key')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('kind', models.CharField(choices=[('beacon', 'beacons'), ('wifi', 'in-store wifi'), ('app', 'mobile app'), ('web', 'e-shop'), ('stock', 'store stock system')], max_length=10, verbose_name='kind')),
                        ('secret', models.CharField(default=integrations.models._new_secret, max_length=100, verbose_name='secret')),
                        ('rate_limit_per_minute', models.PositiveIntegerField(default=1200, verbose_name='requests per minute')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('stores', models.ManyToManyField(blank=True, help_text='The stores it may speak for; empty: every store.', related_name='+', to='catalog.store', verbose_name='stores')),
                    ],
                    options={
                        'db_table': 'catalog_webhooksource',
                        'verbose_name': 'webhook source',
                        'verbose_name_plural': 'webhook sources',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event_id', models.CharField(max_length=64)),
                        ('received_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='integrations.webhooksource')),
                    ],
                    options={
                        'db_table': 'catalog_webhookevent',
                        'verbose_name': 'webhook event',
                        'verbose_name_plural': 'webhook events',
                        'constraints': [models.UniqueConstraint(fields=('source', 'event_id'), name='webhook_event_once')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='webhooksource', table=None),
        migrations.AlterModelTable(name='webhookevent', table=None),
    ]
