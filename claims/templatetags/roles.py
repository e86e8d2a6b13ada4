"""Template filters that read the models' permission rules, so templates never restate them."""

from django import template

register = template.Library()


@register.filter
def may_remove_comment(membership, comment) -> bool:
    """`{% if membership|may_remove_comment:comment %}`: Membership.can_remove_comment."""
    return membership.can_remove_comment(comment)
