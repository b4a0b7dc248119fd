"""The sign-up form against any text: an answer, never a 500, and what is kept is what was typed."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from network.extensions import db
from network.inputs import has_control_characters
from network.membership.models import Person
from tests.factories import join_form

LIMITS = {"first_name": 100, "last_name": 100, "organisation": 200, "job_title": 200}
ADDRESSES = itertools.count()

# Any character but the surrogates (a browser cannot send them), control characters often.
TEXT = st.text(st.one_of(st.characters(exclude_categories=["Cs"]),
                         st.characters(codec="ascii", categories=["Cc"])), max_size=220)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(LIMITS)), text=TEXT)
def test_any_text_in_a_field_of_the_sign_up_gets_a_french_answer(client, field, text):
    email = f"propriete{next(ADDRESSES)}@exemple.fr"
    response = client.post("/rejoindre", data=join_form(email=email, **{field: text}))
    kept = text.strip()
    if has_control_characters(text):
        assert response.status_code == 400
        assert "caractères de contrôle" in response.text
    elif len(text) > LIMITS[field] or (field != "job_title" and not kept):
        assert response.status_code == 400
    else:
        assert response.status_code == 302, response.text
        person = db.session.scalar(select(Person).where(Person.email == email))
        assert (getattr(person, field) or "") == kept
