"""Moves visit, presenceevent here from the app that held them before (one room per feature).

The tables exist already: the model state is created over them, then each table (and
its auto-named indexes) takes this app's name. A fresh database gets the same result.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('clienteling', '0005_visit_autovacuum'),
        ('catalog', '0003_product_search_indexes'),
        ('customers', '0005_cardview'),
        ('integrations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Visit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('beacon', 'beacon'), ('wifi', 'in-store wifi'), ('app', 'app geofence'), ('checkin', 'self check-in'), ('scan', 'loyalty card scan'), ('search', 'associate search')], max_length=10, verbose_name='source')),
                        ('arrived_at', models.DateTimeField(verbose_name='arrived')),
                        ('last_seen_at', models.DateTimeField(verbose_name='last seen')),
                        ('departed_at', models.DateTimeField(blank=True, null=True, verbose_name='departed')),
                        ('attended_since', models.DateTimeField(blank=True, null=True, verbose_name='served since')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='served until')),
                        ('visitor_key', models.CharField(blank=True, default='', editable=False, help_text='A keyed hash of an unrecognised identifier, to count a visitor once.', max_length=64, verbose_name='visitor key')),
                        ('attended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='served by')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='customers.customer', verbose_name='customer')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='catalog.store', verbose_name='store')),
                    ],
                    options={
                        'db_table': 'clienteling_visit',
                        'verbose_name': 'visit',
                        'verbose_name_plural': 'visits',
                        'ordering': ['-arrived_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PresenceEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(choices=[('enter', 'entry'), ('exit', 'exit')], max_length=10, verbose_name='event')),
                        ('source', models.CharField(choices=[('beacon', 'beacon'), ('wifi', 'in-store wifi'), ('app', 'app geofence'), ('checkin', 'self check-in'), ('scan', 'loyalty card scan'), ('search', 'associate search')], max_length=10, verbose_name='source')),
                        ('event_id', models.CharField(blank=True, max_length=64, verbose_name='event id')),
                        ('occurred_at', models.DateTimeField(verbose_name='occurred')),
                        ('received_at', models.DateTimeField(auto_now_add=True, verbose_name='received')),
                        ('outcome', models.CharField(choices=[('pushed', 'card shown on the tablets'), ('anonymous', 'unknown shopper: counted, no card'), ('no_consent', 'no recognition consent: counted, no card'), ('duplicate', 'already in the store: visit updated, no push'), ('exit', 'left the store')], max_length=12, verbose_name='outcome')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.store', verbose_name='store')),
                        ('webhook_source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='integrations.webhooksource', verbose_name='webhook source')),
                        ('visit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='presence_events', to='floor.visit', verbose_name='visit')),
                    ],
                    options={
                        'db_table': 'clienteling_presenceevent',
                        'verbose_name': 'presence event',
                        'verbose_name_plural': 'presence events',
                        'ordering': ['-received_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['store', 'arrived_at'], include=('customer', 'attended_by', 'attended_since'), name='visits_by_store_arrival'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(condition=models.Q(('departed_at__isnull', True)), fields=['store', 'last_seen_at'], name='open_visits_by_store'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['customer', '-arrived_at'], name='clienteling_custome_e7a721_idx'),
                ),
                migrations.AddConstraint(
                    model_name='visit',
                    constraint=models.CheckConstraint(condition=models.Q(('last_seen_at__gte', models.F('arrived_at'))), name='visit_seen_after_arrival'),
                ),
                migrations.AddConstraint(
                    model_name='visit',
                    constraint=models.CheckConstraint(condition=models.Q(('departed_at__isnull', True), ('departed_at__gte', models.F('arrived_at')), _connector='OR'), name='visit_departs_after_arrival'),
                ),
                migrations.AddConstraint(
                    model_name='visit',
                    constraint=models.UniqueConstraint(condition=models.Q(('customer__isnull', False), ('departed_at__isnull', True)), fields=('store', 'customer'), name='one_open_visit_per_customer'),
                ),
                migrations.AddConstraint(
                    model_name='visit',
                    constraint=models.UniqueConstraint(condition=models.Q(('departed_at__isnull', True), models.Q(('visitor_key', ''), _negated=True)), fields=('store', 'visitor_key'), name='one_open_visit_per_visitor'),
                ),
                migrations.AddIndex(
                    model_name='presenceevent',
                    index=models.Index(fields=['store', '-received_at'], name='clienteling_store_i_ae955f_idx'),
                ),
            ],
        ),
        migrations.AlterModelTable(name='visit', table=None),
        migrations.AlterModelTable(name='presenceevent', table=None),
        migrations.RenameIndex(model_name='visit', new_name='floor_visit_custome_5fdbb6_idx', old_name='clienteling_custome_e7a721_idx'),
        migrations.RenameIndex(model_name='presenceevent', new_name='floor_prese_store_i_2481e5_idx', old_name='clienteling_store_i_ae955f_idx'),
    ]
