from wtforms import BooleanField, SubmitField

from network.membership.forms import ContactDetailsForm, PrivacyConsentForm


class WelcomeForm(ContactDetailsForm, PrivacyConsentForm):
    """The invitation's form: the member's details (shared with the sign-up), the charter when
    they have not accepted its current version, and the consent to the privacy notice when none
    is recorded (an imported member never gave it on the site)."""

    accept_charter = BooleanField("J'ai lu la charte du réseau et je m'engage à la respecter")
    submit = SubmitField("Enregistrer")

    def __init__(self, *args, charter_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.charter_required = charter_required

    def validate(self, extra_validators=None) -> bool:
        # Every field is checked at once, the charter too: all the errors show together.
        valid = super().validate(extra_validators)
        if self.charter_required and not self.accept_charter.data:
            self.accept_charter.errors = [*self.accept_charter.errors,
                                          "Cochez la case pour accepter la charte."]
            valid = False
        return valid
