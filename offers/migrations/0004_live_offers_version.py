"""A token that changes with every write to the offers or what they list, in the same
transaction: processes that keep the live offers in memory compare it to theirs
(``offers.pricing.live_offers``). Statement triggers catch every write, bulk ones, updates
of querysets and cascades included."""

from django.db import migrations

SQL = """
CREATE TABLE offers_version (id smallint PRIMARY KEY CHECK (id = 1), token uuid NOT NULL);
INSERT INTO offers_version VALUES (1, gen_random_uuid());
CREATE FUNCTION offers_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO offers_version VALUES (1, gen_random_uuid())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$;
""" + "".join(
    f"""
CREATE TRIGGER offers_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION offers_version_bump();
"""
    for table in (
        "offers_offer",
        "offers_offer_products",
        "offers_offer_brands",
        "offers_offer_categories",
    )
)

REVERSE = """
DROP TRIGGER offers_version_bump ON offers_offer;
DROP TRIGGER offers_version_bump ON offers_offer_products;
DROP TRIGGER offers_version_bump ON offers_offer_brands;
DROP TRIGGER offers_version_bump ON offers_offer_categories;
DROP FUNCTION offers_version_bump();
DROP TABLE offers_version;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("offers", "0003_offer_financing")]

    operations = [migrations.RunPython(create, drop)]
