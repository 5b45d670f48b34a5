"""Django's ``{% translate %}`` and ``{% url %}``, remembering what cannot change within a
process: the translation of a constant text, per language, and an address, per view
name and plain (int or text) arguments. Loaded as builtins after Django's i18n library,
they replace its tags in every template (one that loads ``i18n`` itself gets Django's
again). A page renders dozens of each: Django looks a constant text up again on each use
(about 5 µs) and reverses each address anew (about 15 µs)."""

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.templatetags.i18n import TranslateNode, do_translate
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from catalog.addresses import address

register = template.Library()


class ConstantTranslateNode(TranslateNode):
    """``{% translate "text" %}`` (no filter, context, ``noop`` nor ``as``): rendered once
    per language and escaping, as Django's node renders it."""

    def __init__(self, *args):
        super().__init__(*args)
        self.rendered = {}

    def render(self, context):
        key = (get_language(), context.autoescape)
        try:
            return self.rendered[key]
        except KeyError:
            value = self.rendered[key] = super().render(context)
            return value


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = do_translate(parser, token)
    expression = node.filter_expression
    if (
        node.noop
        or node.asvar
        or node.message_context is not None
        or expression.filters
        or getattr(expression.var, "literal", None) is None
    ):
        return node
    return ConstantTranslateNode(expression, node.noop, node.asvar, node.message_context)


class SteadyURLNode(URLNode):
    """Django's ``URLNode`` whose address, for a view name and arguments that are ints or
    text, is reversed once per process (``catalog.addresses``)."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if isinstance(view_name, str) and all(
                type(value) is int or isinstance(value, str) for value in (*args, *kwargs.values())
            ):
                url = address(view_name, args, kwargs, current_app)
            else:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag("url")
def url(parser, token):
    node = url_tag(parser, token)
    return SteadyURLNode(node.view_name, node.args, node.kwargs, node.asvar)
