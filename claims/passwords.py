"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """New passwords stop at `max_length` characters.

    Django sets no upper bound, so the public reset form would store a password of megabytes
    (whatever fits in a request body), which every later log-in hashes again. Passphrases and
    password managers stay far below the limit.
    """

    def __init__(self, max_length: int = 1024):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password can be at most {self.max_length} characters long."
