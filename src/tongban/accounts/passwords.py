from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """A password must mix letters and digits (Django's validators catch length and common ones)."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_classes")

    def get_help_text(self):
        return "密码必须同时包含字母和数字。"
