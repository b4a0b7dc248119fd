from wtforms import BooleanField, RadioField, SelectChoice, SubmitField

from network.membership.forms import ContactDetailsForm, PrivacyConsentForm

STAY, LEAVE = "reste", "quitte"


class RenewalForm(ContactDetailsForm, PrivacyConsentForm):
    """The yearly form: the member's details (shared with the sign-up) and their answer; the
    consent to the privacy notice too when none is recorded (imported members, members entered
    by an admin), asked with « je reste » only."""

    decision = RadioField("Votre réponse", choices=[
        SelectChoice(STAY, "Je reste dans le réseau"),
        SelectChoice(LEAVE, "Je quitte le réseau")])
    accept_charter = BooleanField("J'ai lu la nouvelle version de la charte et je m'engage à la "
                                  "respecter")
    submit = SubmitField("Envoyer ma réponse")

    # Nothing is pre-selected: the member says it. Their saved answer shows when they come back.
    SAVED_ANSWERS = {"renewed": STAY, "left": LEAVE}

    @classmethod
    def initial_data(cls, person, request=None) -> dict:
        data = super().initial_data(person)
        if request is not None and request.status in cls.SAVED_ANSWERS:
            data["decision"] = cls.SAVED_ANSWERS[request.status]
        return data

    def __init__(self, *args, charter_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.charter_required = charter_required

    def validate(self, extra_validators=None) -> bool:
        if self.decision.data == LEAVE:
            # Leaving needs no details: only the form's own token is checked.
            return self.csrf_token.validate(self) if self.meta.csrf else True
        # Every field is checked at once, the answer too: all the errors show together.
        valid = super().validate(extra_validators)
        if self.decision.data != STAY:
            self.decision.errors = ["Choisissez votre réponse."]
            valid = False
        if self.charter_required and not self.accept_charter.data:
            self.accept_charter.errors = list(self.accept_charter.errors) + [
                "Pour rester dans le réseau, acceptez la nouvelle version de la charte."]
            valid = False
        return valid
