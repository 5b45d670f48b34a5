"""``{% translate %}`` and ``{% url %}`` remember their output per process
(clienteling.templatetags.steady): each language still gets its own words, and each
address its own arguments."""

from django.template import Context, Template
from django.utils.translation import override

from catalog.addresses import _address


def test_a_constant_text_is_translated_in_each_language_and_escaping():
    template = Template(
        '{% translate "Wishlist" %}|'
        '{% autoescape off %}{% translate "Wishlist" %}{% endautoescape %}'
    )
    for _ in range(2):  # the second time from what the nodes remember
        with override("fr"):
            assert template.render(Context()) == "Liste d’envies|Liste d’envies"
        with override("en"):
            assert template.render(Context()) == "Wishlist|Wishlist"


def test_a_variable_text_is_translated_each_time():
    template = Template("{% translate word %}")
    with override("fr"):
        assert template.render(Context({"word": "Wishlist"})) == "Liste d’envies"
        assert template.render(Context({"word": "<b>"})) == "&lt;b&gt;"


def test_each_address_has_its_own_arguments():
    template = Template(
        "{% url 'floor:card' customer_id=n %} {% url 'floor:consent_confirm' customer_id=n"
        ' purpose="recognition" action=a %}'
    )
    for time in range(2):
        hits = _address.cache_info().hits
        assert template.render(Context({"n": 7, "a": "grant"})) == (
            "/customers/7/ /customers/7/consents/recognition/grant/"
        )
        assert template.render(Context({"n": "8", "a": "withdraw"})) == (
            "/customers/8/ /customers/8/consents/recognition/withdraw/"
        )
        if time:  # the second time, each address is remembered
            assert _address.cache_info().hits == hits + 4
