"""The page sweep's own rules stay true to the URLconf: every page it leaves out by name
still exists (a renamed page is not left out silently), and each has its reason."""

from django.urls import get_resolver

from tests.browser.test_page_sweep import NOT_PAGES, PARAMETERS, named_urls


def test_every_url_left_out_of_the_sweep_exists_and_says_why():
    names = {name for name, _params in named_urls(get_resolver())}
    assert set(NOT_PAGES) <= names, set(NOT_PAGES) - names
    assert all(len(reason) > 10 for reason in NOT_PAGES.values())


def test_the_sweep_fills_only_parameters_that_urls_take():
    used = {param for _name, params in named_urls(get_resolver()) for param in params}
    assert set(PARAMETERS) <= used, set(PARAMETERS) - used
