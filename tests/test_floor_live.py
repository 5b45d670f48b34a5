"""Tablets on the Floor page, through the real ASGI app and the Redis channel layer:
store isolation, resync on (re)connect, claims seen by every tablet, languages."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from clienteling.asgi import application
from floor.models import Visit
from integrations.models import WebhookSource
from staff.models import StaffProfile
from tests.factories import ConsentFactory, CustomerFactory, WebhookSourceFactory, make_staff
from tests.floor_helpers import post_signed, presence_payload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_hosts"),
]
Role = StaffProfile.Role


async def tablet(user, store, lang="fr"):
    """A signed-in tablet on ``store``'s Floor page; returns it with the list it got."""
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/stores/{store.code}/floor/?lang={lang}",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    first = await communicator.receive_from(timeout=3)
    return communicator, first


@database_sync_to_async
def consenting(**kw):
    customer = CustomerFactory(**kw)
    ConsentFactory(customer=customer)
    return customer


@database_sync_to_async
def signed_entry(store, customer, event="enter"):
    source = WebhookSourceFactory(key="beacons", kind=WebhookSource.Kind.BEACON)
    payload = presence_payload(store, customer.loyalty_number, event=event)
    return post_signed(Client(), "/api/presence/", source, payload)


async def test_a_card_reaches_the_tablets_of_its_store_and_never_another_store(
    associate, store, other_store
):
    lyon_associate = await database_sync_to_async(make_staff)(Role.ASSOCIATE, other_store)
    paris, _ = await tablet(associate, store)
    lyon, _ = await tablet(lyon_associate, other_store)
    camille = await consenting(first_name="Camille", last_name="Martin")

    response = await signed_entry(store, camille)

    assert response.status_code == 202
    html = await paris.receive_from(timeout=3)
    assert "Camille Martin" in html
    assert 'hx-swap-oob="afterbegin:#floor-clients"' in html
    assert await lyon.receive_nothing(timeout=0.5)
    await paris.disconnect()
    await lyon.disconnect()


async def test_on_every_connect_the_tablet_gets_the_whole_current_list(associate, store):
    camille = await consenting(first_name="Camille", last_name="Martin")
    await signed_entry(store, camille)  # nobody was connected: the push went nowhere

    communicator, first = await tablet(associate, store)
    assert 'id="floor-clients"' in first
    assert "Camille Martin" in first
    await communicator.disconnect()

    await signed_entry(store, camille, event="exit")
    communicator, first = await tablet(associate, store)  # reconnect after she left
    assert 'id="floor-clients"' in first
    assert "Camille Martin" not in first
    await communicator.disconnect()


async def test_a_claim_is_seen_by_every_tablet_of_the_store(associate, store):
    colleague = await database_sync_to_async(make_staff)(
        Role.ASSOCIATE, store, first_name="Hugo", last_name="Roux"
    )
    customer = await consenting(first_name="Camille", last_name="Martin")
    visit = await database_sync_to_async(Visit.objects.create)(
        store=store,
        customer=customer,
        source=Visit.Source.BEACON,
        arrived_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    mine, _ = await tablet(associate, store)
    theirs, _ = await tablet(colleague, store)

    client = Client()
    await database_sync_to_async(client.force_login)(associate)
    response = await database_sync_to_async(client.post)(
        f"/stores/{store.code}/floor/visits/{visit.pk}/claim/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    for communicator in (mine, theirs):
        html = await communicator.receive_from(timeout=3)
        assert f'id="visit-{visit.pk}"' in html
        assert "Avec Léa Moreau depuis" in html
        assert f'data-served-by="{associate.pk}"' in html
    await mine.disconnect()
    await theirs.disconnect()


async def test_each_tablet_gets_the_fragment_in_its_own_language(associate, store):
    colleague = await database_sync_to_async(make_staff)(Role.ASSOCIATE, store)
    french, _ = await tablet(associate, store, lang="fr")
    english, _ = await tablet(colleague, store, lang="en")
    camille = await consenting(first_name="Camille", last_name="Martin")

    await signed_entry(store, camille)

    assert "Je m’occupe de ce client" in await french.receive_from(timeout=3)
    assert "I'm with this client" in await english.receive_from(timeout=3)
    await french.disconnect()
    await english.disconnect()


async def test_tablets_reconnecting_together_share_renders_of_the_list_and_each_is_current(
    associate, store, monkeypatch
):
    import asyncio

    from floor import consumers

    renders = []
    render = consumers.floor_list_html

    def counted(store_id, language):
        renders.append(store_id)
        return render(store_id, language)

    monkeypatch.setattr(consumers, "floor_list_html", counted)
    camille = await consenting(first_name="Camille", last_name="Martin")
    await signed_entry(store, camille)

    tablets = await asyncio.gather(*(tablet(associate, store) for _ in range(8)))

    assert all("Camille Martin" in first for _communicator, first in tablets)
    assert len(renders) < 8
    # A client arriving after the burst is in the list of the next tablet to connect.
    lucas = await consenting(first_name="Lucas", last_name="Petit")
    await signed_entry(store, lucas)
    late, first = await tablet(associate, store)
    assert "Lucas Petit" in first
    for communicator, _first in [*tablets, (late, first)]:
        await communicator.disconnect()
