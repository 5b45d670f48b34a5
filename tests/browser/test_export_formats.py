"""At tablet size, in French: the manager downloads the figures for Excel in French (the
format offered first) or with commas and decimal points."""

from pathlib import Path

from playwright.sync_api import expect

from staff.models import StaffProfile
from tests.browser.conftest import box_of, sign_in
from tests.factories import make_staff


def _download(page) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le CSV").click()
    return Path(download.value.path()).read_text(encoding="utf-8-sig")


def test_the_manager_downloads_for_excel_in_french_or_with_commas(page, live_server_url, store):
    manager = make_staff(StaffProfile.Role.MANAGER, store)
    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/dashboard/export/")

    choice = page.get_by_label("Format du fichier")
    expect(choice.locator("option:checked")).to_have_text(
        "Excel (France) : points-virgules, virgules décimales"
    )
    assert box_of(choice)["height"] >= 44
    header = _download(page).splitlines()[0]
    assert header.startswith("Jour;Code magasin;Magasin;")

    choice.select_option(label="Virgules, points décimaux")
    header = _download(page).splitlines()[0]
    assert header.startswith("Jour,Code magasin,Magasin,")
