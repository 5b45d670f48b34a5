"""Consent becomes a ledger: where, how, by whom and with which words each grant or
withdrawal was recorded; on PostgreSQL a trigger refuses to edit or delete a row (only the
staff member's or the store's link may become empty, when they are deleted, and a
customer's whole record may go, which ``customers.apps`` announces to the trigger). The
shopper's privacy page: one-time codes and requests for an export or an erasure."""

import django.db.models.deletion
from django.db import migrations, models

LEDGER_FUNCTION = """
CREATE OR REPLACE FUNCTION customers_consent_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(NEW) - 'recorded_by_id' - 'store_id')
                = (to_jsonb(OLD) - 'recorded_by_id' - 'store_id')
            AND (NEW.recorded_by_id IS NULL OR NEW.recorded_by_id = OLD.recorded_by_id)
            AND (NEW.store_id IS NULL OR NEW.store_id = OLD.store_id) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'customers_consent is a ledger: a consent is never edited'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF current_setting('clienteling.customer_delete', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'customers_consent is a ledger: a consent is never deleted'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER customers_consent_ledger BEFORE UPDATE OR DELETE ON customers_consent
    FOR EACH ROW EXECUTE FUNCTION customers_consent_ledger();
"""

LEDGER_DROP = """
DROP TRIGGER IF EXISTS customers_consent_ledger ON customers_consent;
DROP FUNCTION IF EXISTS customers_consent_ledger();
"""


def backfill(apps, schema_editor):
    """Rows from before: the channel follows the source; the website and the app were
    the shopper's own doing unless a staff member is named."""
    Consent = apps.get_model("customers", "Consent")
    for source in ("store", "web", "app"):
        Consent.objects.filter(source=source).update(channel=source)
    Consent.objects.filter(source__in=("web", "app"), recorded_by__isnull=True).update(
        actor="shopper"
    )


def ledger_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LEDGER_FUNCTION)


def ledger_unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LEDGER_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_stock_and_webhooks_moved'),
        ('customers', '0005_cardview'),
    ]

    operations = [
        migrations.CreateModel(
            name='PrivacyCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_sha256', models.CharField(db_index=True, max_length=64, verbose_name='email SHA-256')),
                ('code_hash', models.CharField(max_length=64, verbose_name='code hash')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('expires_at', models.DateTimeField(db_index=True, verbose_name='expires')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used')),
            ],
            options={
                'verbose_name': 'privacy page code',
                'verbose_name_plural': 'privacy page codes',
            },
        ),
        migrations.AddField(
            model_name='consent',
            name='actor',
            field=models.CharField(choices=[('staff', 'a staff member'), ('shopper', 'the shopper'), ('system', 'a system (import)')], db_default='staff', max_length=10, verbose_name='recorded by whom'),
        ),
        migrations.AddField(
            model_name='consent',
            name='channel',
            field=models.CharField(blank=True, choices=[('web', 'web'), ('app', 'app'), ('store', 'store')], db_default='', max_length=10, verbose_name='channel'),
        ),
        migrations.AddField(
            model_name='consent',
            name='language',
            field=models.CharField(blank=True, db_default='', max_length=5, verbose_name='language of the wording'),
        ),
        migrations.AddField(
            model_name='consent',
            name='store',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.store', verbose_name='store'),
        ),
        migrations.AddField(
            model_name='consent',
            name='wording_version',
            field=models.CharField(blank=True, db_default='', help_text='The version of the words shown or read to the shopper (empty: unknown).', max_length=20, verbose_name='wording version'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='source',
            field=models.CharField(choices=[('store', 'at the counter'), ('shopper_page', "shopper's privacy page"), ('web', 'website'), ('app', 'mobile app'), ('support', 'customer service'), ('import', 'import')], max_length=20, verbose_name='source'),
        ),
        migrations.CreateModel(
            name='PrivacyRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('export', 'copy of my data (export)'), ('erasure', 'erasure')], max_length=10, verbose_name='request')),
                ('status', models.CharField(choices=[('received', 'received'), ('in_progress', 'in progress'), ('done', 'done'), ('refused', 'refused')], default='received', max_length=12, verbose_name='status')),
                ('source', models.CharField(choices=[('store', 'at the counter'), ('shopper_page', "shopper's privacy page"), ('web', 'website'), ('app', 'mobile app'), ('support', 'customer service'), ('import', 'import')], default='shopper_page', max_length=20, verbose_name='source')),
                ('requested_at', models.DateTimeField(verbose_name='requested')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='privacy_requests', to='customers.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'privacy request',
                'verbose_name_plural': 'privacy requests',
                'ordering': ['-requested_at'],
                'indexes': [models.Index(fields=['status', '-requested_at'], name='customers_p_status_9d9b7e_idx')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(ledger_guard, ledger_unguard),
    ]
