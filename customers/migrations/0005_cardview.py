"""Moves cardview here from the app that held them before (one room per feature).

The tables exist already: the model state is created over them, then each table (and
its auto-named indexes) takes this app's name. A fresh database gets the same result.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0005_visit_autovacuum'),
        ('catalog', '0003_product_search_indexes'),
        ('customers', '0004_notes_by_store_day'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CardView',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('viewed_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='viewed at')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('store', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.store', verbose_name='from store')),
                        ('viewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='viewed by')),
                    ],
                    options={
                        'db_table': 'clienteling_cardview',
                        'verbose_name': 'card view',
                        'verbose_name_plural': 'card views (access log)',
                        'ordering': ['-viewed_at'],
                        'indexes': [models.Index(fields=['customer', '-viewed_at'], name='clienteling_custome_5b6e9e_idx')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='cardview', table=None),
        migrations.RenameIndex(model_name='cardview', new_name='customers_c_custome_c7d664_idx', old_name='clienteling_custome_5b6e9e_idx'),
    ]
