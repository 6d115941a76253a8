"""Reads about contracts that are more than a filter."""

from django.shortcuts import get_object_or_404

from kabinet.contracts.models import Contract


def contract_for(user, uuid) -> Contract:
    """The contract if the user may see it; 404 for anyone else (never 403: a stranger
    learns nothing about whether it exists)."""
    contracts = Contract.objects.visible_to(user).select_related("party", "account")
    return get_object_or_404(contracts, uuid=uuid)


def can_act(user, contract: Contract) -> bool:
    """May the user pay, report and write on this contract (full rights)?"""
    return Contract.objects.writable_by(user).filter(pk=contract.pk).exists()
