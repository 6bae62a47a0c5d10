"""Properties of the unified social credit code check (GB 32100-2015).

The check character is computed here from the standard's own definition, not from
enterprises.validators: the alphabet is the digits and the capitals without I, O, Z, S, V; the
weight of position i (from 0) is 3^i mod 31; the check character makes the weighted sum of all
18 characters, the check character weighing 1, a multiple of 31.
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.districts import District
from enterprises.forms import EnterpriseRegistrationForm
from enterprises.validators import validate_credit_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
NOT_IN_THE_ALPHABET = "IOSVZ"


def check_character(body: str) -> str:
    weighted = sum(ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(body))
    return ALPHABET[-weighted % 31]


def is_valid(code: str) -> bool:
    code = code.strip().upper()
    return (
        len(code) == 18
        and all(char in ALPHABET for char in code)
        and check_character(code[:17]) == code[17]
    )


bodies = st.one_of(
    st.text(st.sampled_from(ALPHABET), min_size=17, max_size=17),
    # As issued: the registering authority and kind (91: an enterprise registered with market
    # regulation), a six-digit district code (50xxxx: Chongqing), a nine-character organisation code.
    st.builds(
        "{}{}{}{}".format,
        st.sampled_from(["1", "5", "9", "Y"]),
        st.sampled_from(["1", "2", "3", "9"]),
        st.from_regex(r"\A50[0-9]{4}\Z"),
        st.text(st.sampled_from(ALPHABET), min_size=9, max_size=9),
    ),
)
valid_codes = bodies.map(lambda body: body + check_character(body))
# Any text, with codes' own characters well represented, and some nearly right lengths.
texts = st.one_of(
    st.text(max_size=30),
    st.text(
        st.sampled_from(ALPHABET + ALPHABET.lower() + NOT_IN_THE_ALPHABET + " \t\n"), max_size=20
    ),
    st.text(st.sampled_from(ALPHABET), min_size=16, max_size=19),
)
quick = settings(max_examples=300, deadline=None)


def test_the_check_character_here_agrees_with_published_codes():
    for code in ["91350100M000100Y43", "9144030071526726XG", "91110000802100433B"]:
        assert check_character(code[:17]) == code[17]


@quick
@given(code=valid_codes, spaces=st.sampled_from(["", " ", "\t", "\n "]), lower=st.booleans())
def test_a_code_with_its_check_character_is_accepted_however_typed(code, spaces, lower):
    validate_credit_code(spaces + (code.lower() if lower else code) + spaces)


@quick
@given(code=valid_codes, data=st.data())
def test_one_wrong_character_is_refused(code, data):
    # One character changed into another of the alphabet always changes the weighted sum by a
    # non-multiple of 31 (31 is prime, no weight is 0), so no single typo gets through.
    position = data.draw(st.integers(0, 17), label="position")
    typo = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != code[position]), label="typo")
    mistyped = code[:position] + typo + code[position + 1 :]

    with pytest.raises(ValidationError) as refused:
        validate_credit_code(mistyped)
    assert refused.value.code == "checksum"


@quick
@given(code=valid_codes, data=st.data())
def test_a_letter_outside_the_alphabet_is_refused_as_such(code, data):
    position = data.draw(st.integers(0, 17), label="position")
    letter = data.draw(st.sampled_from(NOT_IN_THE_ALPHABET + NOT_IN_THE_ALPHABET.lower()))

    with pytest.raises(ValidationError) as refused:
        validate_credit_code(code[:position] + letter + code[position + 1 :])
    assert refused.value.code == "charset"


@quick
@given(code=valid_codes, data=st.data())
def test_two_neighbours_swapped_are_refused(code, data):
    position = data.draw(st.integers(0, 16), label="position")
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped == code:
        return

    with pytest.raises(ValidationError):
        validate_credit_code(swapped)


@quick
@given(code=valid_codes, data=st.data())
def test_a_character_missing_or_added_is_refused_by_length(code, data):
    position = data.draw(st.integers(0, 17), label="position")
    extra = data.draw(st.sampled_from(ALPHABET), label="extra")

    for wrong in (
        code[:position] + code[position + 1 :],
        code[:position] + extra + code[position:],
    ):
        with pytest.raises(ValidationError) as refused:
            validate_credit_code(wrong)
        assert refused.value.code == "length"


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_any_text_is_accepted_exactly_when_it_is_a_valid_code(text):
    try:
        validate_credit_code(text)
    except ValidationError as refused:
        assert refused.code in {"length", "charset", "checksum"}
        assert not is_valid(text)
    else:
        assert is_valid(text)


REGISTRATION = {
    "name": "重庆测试制造有限公司",
    "district": District.YUBEI,
    "industry": "equipment",
    "scale": "medium",
    "contact_name": "张三",
    "contact_phone": "13800138000",
    "bank_name": "",
    "bank_account": "",
}


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(valid_codes, texts))
def test_the_registration_form_takes_exactly_the_valid_codes(text):
    form = EnterpriseRegistrationForm(data={**REGISTRATION, "credit_code": text})

    assert form.is_valid() is is_valid(text), form.errors
    if form.is_valid():
        assert form.cleaned_data["credit_code"] == text.strip().upper()
