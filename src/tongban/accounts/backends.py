"""Log in with a phone number, a citizen ID number, an enterprise USCC or a staff login name."""

import re

from django.contrib.auth.backends import ModelBackend

from tongban.accounts.models import User
from tongban.core import pii


def find_user_by_identifier(identifier: str) -> User | None:
    value = pii.normalise(identifier)
    users = User.objects.select_related("citizen", "enterprise")
    if re.fullmatch(r"1\d{10}", value):
        return users.filter(phone_index=pii.blind_index(value, "phone")).first()
    if re.fullmatch(r"\d{17}[\dX]", value):
        found = users.filter(citizen__id_index=pii.blind_index(value, "citizen_id")).first()
        if found:
            return found
    if len(value) == 18:
        found = users.filter(enterprise__uscc=value).first()
        if found:
            return found
    return users.filter(login_name=identifier.strip()).first()


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
