"""The personal-data policy text the user agrees to at sign-up."""

from django.template.loader import render_to_string

from kabinet.core.utility import get_utility


def policy_text() -> str:
    return render_to_string("core/personal_data_policy.txt", {"utility": get_utility()})
