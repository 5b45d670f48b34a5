"""Moves dailyassociatefigures, dailystorefigures here from the app that held them before (one room per feature).

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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DailyAssociateFigures',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('served_visits', models.PositiveIntegerField(default=0, verbose_name='visits served')),
                        ('median_time_to_serve', models.DurationField(blank=True, null=True, verbose_name='median time to serve')),
                        ('notes_written', models.PositiveIntegerField(default=0, verbose_name='notes written')),
                        ('offers_mentioned', models.PositiveIntegerField(default=0, verbose_name='offers mentioned')),
                        ('orders', models.PositiveIntegerField(default=0, verbose_name='orders for delivery')),
                        ('orders_value', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='orders value (EUR)')),
                        ('converted_visits', models.PositiveIntegerField(default=0, verbose_name='visits with an order')),
                        ('computed_at', models.DateTimeField(verbose_name='computed')),
                        ('associate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='associate')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.store', verbose_name='store')),
                    ],
                    options={
                        'db_table': 'clienteling_dailyassociatefigures',
                        'verbose_name': 'daily associate figures',
                        'verbose_name_plural': 'daily associate figures',
                        'ordering': ['-day', 'store', 'associate'],
                        'constraints': [models.UniqueConstraint(fields=('store', 'day', 'associate'), name='one_figures_row_per_associate_day')],
                    },
                ),
                migrations.CreateModel(
                    name='DailyStoreFigures',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('served_visits', models.PositiveIntegerField(default=0, verbose_name='visits served')),
                        ('median_time_to_serve', models.DurationField(blank=True, null=True, verbose_name='median time to serve')),
                        ('notes_written', models.PositiveIntegerField(default=0, verbose_name='notes written')),
                        ('offers_mentioned', models.PositiveIntegerField(default=0, verbose_name='offers mentioned')),
                        ('orders', models.PositiveIntegerField(default=0, verbose_name='orders for delivery')),
                        ('orders_value', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='orders value (EUR)')),
                        ('converted_visits', models.PositiveIntegerField(default=0, verbose_name='visits with an order')),
                        ('computed_at', models.DateTimeField(verbose_name='computed')),
                        ('recognised_visits', models.PositiveIntegerField(default=0, verbose_name='recognised visits')),
                        ('anonymous_visits', models.PositiveIntegerField(default=0, verbose_name='anonymous visits')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.store', verbose_name='store')),
                    ],
                    options={
                        'db_table': 'clienteling_dailystorefigures',
                        'verbose_name': 'daily store figures',
                        'verbose_name_plural': 'daily store figures',
                        'ordering': ['-day', 'store'],
                        'constraints': [models.UniqueConstraint(fields=('store', 'day'), name='one_figures_row_per_store_day')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='dailyassociatefigures', table=None),
        migrations.AlterModelTable(name='dailystorefigures', table=None),
    ]
