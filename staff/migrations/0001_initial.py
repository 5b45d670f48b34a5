"""Moves staffprofile here from the app that held them before (one room per feature).

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
                    name='StaffProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('associate', 'Store associate'), ('manager', 'Store manager'), ('head_office', 'Head office')], max_length=20, verbose_name='role')),
                        ('stores', models.ManyToManyField(blank=True, help_text='An associate works in one store; a manager may oversee several.', related_name='staff', to='catalog.store', verbose_name='stores')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'clienteling_staffprofile',
                        'verbose_name': 'staff profile',
                        'verbose_name_plural': 'staff profiles',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='staffprofile', table=None),
    ]
