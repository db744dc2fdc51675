"""Admin forms for curating actors."""

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from actors.models import ActorKind


class PersonRoleFormSet(BaseInlineFormSet):
    """The roles on an actor's page: only a person holds one (checked against the kind being saved)."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.kind == ActorKind.PERSON:
            return
        if any(form.cleaned_data and not self._should_delete_form(form) for form in self.forms):
            raise ValidationError(
                "Only a person holds a role: set the kind to person, or remove these roles.", code="not_a_person"
            )
