"""Forms rendered once (``catalog.widgets.RenderedOnce``) render what Django would."""

import pytest
from django.utils import translation

from clientbook.forms import BirthDateForm, FollowUpForm
from floor.forms import NoteForm


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("form_class", [NoteForm, FollowUpForm, BirthDateForm])
def test_an_empty_form_rendered_once_renders_as_django_does(form_class, language):
    plain = type("Plain", (form_class,), {"bound_field_class": None})
    with translation.override(language):
        for _ in range(2):  # the second time from what was kept
            form, expected = form_class(), plain()
            for name in form.fields:
                assert str(form[name]) == str(expected[name])


def test_a_form_sent_back_renders_its_answer_and_errors():
    with translation.override("fr"):
        str(FollowUpForm()["note"])  # an empty one kept
        sent = FollowUpForm({"due_on": "2020-01-01", "note": "Rappeler <vite>"})
        assert not sent.is_valid()
        note, due_on = str(sent["note"]), str(sent["due_on"])
    assert 'value="Rappeler &lt;vite&gt;"' in note
    assert 'value="2020-01-01"' in due_on and 'aria-invalid="true"' in due_on
