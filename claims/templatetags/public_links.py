"""`{% public_verdict_url workspace.slug verdict.pk %}`: the absolute address of a verdict's
public page (SITE_URL, as ClaimReview and the e-mails use), for the internal pages' links."""

from django import template

from claims.claimreview import verdict_public_url

register = template.Library()


@register.simple_tag
def public_verdict_url(slug: str, pk: int) -> str:
    return verdict_public_url(slug, pk)
