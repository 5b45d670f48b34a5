"""The floor's, orders', staff's and figures' models moved to their own apps: this app
forgets them (their tables were renamed by the apps that took them).
"""

from django.db import migrations

# Content types (and so permissions and admin history) follow their models.
MOVED = [
    ("clienteling", "staff", "staffprofile"),
    ("catalog", "integrations", "webhooksource"),
    ("catalog", "integrations", "webhookevent"),
    ("catalog", "inventory", "stocklevel"),
    ("clienteling", "inventory", "reservation"),
    ("clienteling", "orders", "order"),
    ("clienteling", "orders", "orderline"),
    ("clienteling", "orders", "orderevent"),
    ("clienteling", "floor", "visit"),
    ("clienteling", "floor", "presenceevent"),
    ("clienteling", "customers", "cardview"),
    ("clienteling", "dashboard", "dailystorefigures"),
    ("clienteling", "dashboard", "dailyassociatefigures"),
]


def _relabel(apps, *, forwards):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old, new, model in MOVED:
        source, target = (old, new) if forwards else (new, old)
        content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps, schema_editor):
    _relabel(apps, forwards=True)


def content_types_backwards(apps, schema_editor):
    _relabel(apps, forwards=False)



class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('clienteling', '0005_visit_autovacuum'),
        ('staff', '0001_initial'),
        ('inventory', '0001_initial'),
        ('orders', '0001_initial'),
        ('floor', '0001_initial'),
        ('customers', '0005_cardview'),
        ('dashboard', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='cardview',
                    name='clienteling_custome_5b6e9e_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='dailyassociatefigures',
                    name='one_figures_row_per_associate_day',
                ),
                migrations.RemoveConstraint(
                    model_name='dailystorefigures',
                    name='one_figures_row_per_store_day',
                ),
                migrations.RemoveIndex(
                    model_name='order',
                    name='clienteling_store_i_52182d_idx',
                ),
                migrations.RemoveIndex(
                    model_name='order',
                    name='clienteling_pickup__b3ece5_idx',
                ),
                migrations.RemoveIndex(
                    model_name='order',
                    name='clienteling_custome_9bcc3d_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='order',
                    name='order_submitted_once',
                ),
                migrations.RemoveConstraint(
                    model_name='order',
                    name='order_has_pickup_store_or_address',
                ),
                migrations.RemoveConstraint(
                    model_name='order',
                    name='order_totals_add_up',
                ),
                migrations.RemoveIndex(
                    model_name='orderevent',
                    name='clienteling_order_i_04fb51_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='orderline',
                    name='order_line_quantity_1',
                ),
                migrations.RemoveConstraint(
                    model_name='orderline',
                    name='order_line_price_within_list',
                ),
                migrations.RemoveIndex(
                    model_name='presenceevent',
                    name='clienteling_store_i_ae955f_idx',
                ),
                migrations.RemoveIndex(
                    model_name='reservation',
                    name='active_reservations',
                ),
                migrations.RemoveIndex(
                    model_name='reservation',
                    name='expiring_holds',
                ),
                migrations.RemoveConstraint(
                    model_name='reservation',
                    name='reservation_quantity_1',
                ),
                migrations.RemoveConstraint(
                    model_name='reservation',
                    name='reservation_closed_when_not_active',
                ),
                migrations.RemoveField(
                    model_name='staffprofile',
                    name='stores',
                ),
                migrations.RemoveField(
                    model_name='staffprofile',
                    name='user',
                ),
                migrations.RemoveIndex(
                    model_name='visit',
                    name='open_visits_by_store',
                ),
                migrations.RemoveIndex(
                    model_name='visit',
                    name='clienteling_custome_e7a721_idx',
                ),
                migrations.RemoveIndex(
                    model_name='visit',
                    name='visits_by_store_arrival',
                ),
                migrations.RemoveConstraint(
                    model_name='visit',
                    name='visit_seen_after_arrival',
                ),
                migrations.RemoveConstraint(
                    model_name='visit',
                    name='visit_departs_after_arrival',
                ),
                migrations.RemoveConstraint(
                    model_name='visit',
                    name='one_open_visit_per_customer',
                ),
                migrations.RemoveConstraint(
                    model_name='visit',
                    name='one_open_visit_per_visitor',
                ),
                migrations.RemoveField(
                    model_name='cardview',
                    name='customer',
                ),
                migrations.RemoveField(
                    model_name='cardview',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='cardview',
                    name='viewer',
                ),
                migrations.RemoveField(
                    model_name='dailyassociatefigures',
                    name='associate',
                ),
                migrations.RemoveField(
                    model_name='dailyassociatefigures',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='dailystorefigures',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='order',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='order',
                    name='customer',
                ),
                migrations.RemoveField(
                    model_name='order',
                    name='pickup_store',
                ),
                migrations.RemoveField(
                    model_name='order',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='orderevent',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='orderevent',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='orderline',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='orderline',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='orderline',
                    name='variant',
                ),
                migrations.RemoveField(
                    model_name='presenceevent',
                    name='customer',
                ),
                migrations.RemoveField(
                    model_name='presenceevent',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='presenceevent',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='presenceevent',
                    name='visit',
                ),
                migrations.RemoveField(
                    model_name='presenceevent',
                    name='webhook_source',
                ),
                migrations.RemoveField(
                    model_name='reservation',
                    name='line',
                ),
                migrations.RemoveField(
                    model_name='reservation',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='reservation',
                    name='variant',
                ),
                migrations.DeleteModel(
                    name='StaffProfile',
                ),
                migrations.RemoveField(
                    model_name='visit',
                    name='attended_by',
                ),
                migrations.RemoveField(
                    model_name='visit',
                    name='customer',
                ),
                migrations.RemoveField(
                    model_name='visit',
                    name='store',
                ),
                migrations.DeleteModel(
                    name='CardView',
                ),
                migrations.DeleteModel(
                    name='DailyAssociateFigures',
                ),
                migrations.DeleteModel(
                    name='DailyStoreFigures',
                ),
                migrations.DeleteModel(
                    name='OrderEvent',
                ),
                migrations.DeleteModel(
                    name='Order',
                ),
                migrations.DeleteModel(
                    name='PresenceEvent',
                ),
                migrations.DeleteModel(
                    name='OrderLine',
                ),
                migrations.DeleteModel(
                    name='Reservation',
                ),
                migrations.DeleteModel(
                    name='Visit',
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
