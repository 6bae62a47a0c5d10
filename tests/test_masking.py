"""How bank accounts and phones read where they are not needed whole."""

import pytest

from policy_portal.masking import mask_account, mask_phone


@pytest.mark.parametrize(
    ("account", "masked"),
    [
        ("6228480000000000005", "6228 **** **** 0005"),
        ("6222020000000000001", "6222 **** **** 0001"),
        ("0310012345678901", "0310 **** **** 8901"),
        ("000123456789", "0001 **** **** 6789"),
        ("12345678", "**** **** 5678"),
        ("", ""),
    ],
)
def test_an_account_shows_its_first_and_last_four_digits_only(account, masked):
    assert mask_account(account) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138005", "138****8005"),
        ("023-67880000", "023****0000"),
        ("02363890000", "023****0000"),
        ("", ""),
    ],
)
def test_a_phone_shows_its_first_three_and_last_four(phone, masked):
    assert mask_phone(phone) == masked
