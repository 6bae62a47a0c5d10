import pytest
from django.core.exceptions import ValidationError

from enterprises.validators import (
    CHARSET,
    WEIGHTS,
    credit_code_check_character,
    normalize_credit_code,
    validate_credit_code,
)

from .factories import make_credit_code

# A real-format code (350100: Fuzhou) whose check character, 3, is correct.
KNOWN_VALID_CODE = "91350100M000100Y43"
# Codes published on business licences, with letter and digit check characters.
PUBLISHED_CODES = [
    KNOWN_VALID_CODE,
    "9144030071526726XG",
    "91330100716105852F",
    "914403001922038216",
    "91110000802100433B",
]


def refusal(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(value)
    return caught.value


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize("seed", range(200))
def test_check_character_makes_the_weighted_sum_divisible_by_31(seed):
    # GB 32100-2015 defines the check character by this congruence (its weight is 1); checking
    # it independently of the implementation's formula catches the edge cases 0 and Y.
    body = make_credit_code(seed)[:17]

    check = credit_code_check_character(body)

    weighted = sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    assert (weighted + CHARSET.index(check)) % 31 == 0


def test_check_character_of_known_code_is_computed_from_its_first_17_characters():
    assert credit_code_check_character(KNOWN_VALID_CODE[:17]) == "3"


@pytest.mark.parametrize("seed", range(20))
def test_generated_codes_pass(seed):
    validate_credit_code(make_credit_code(seed))


@pytest.mark.parametrize("wrong", ["0", "4", "A", "Y"])
def test_wrong_check_character_is_refused_with_checksum_message(wrong):
    error = refusal(KNOWN_VALID_CODE[:17] + wrong)

    assert error.code == "checksum"
    assert error.messages == ["统一社会信用代码校验位不正确，请核对后重新输入。"]


@pytest.mark.parametrize("value", [KNOWN_VALID_CODE[:17], KNOWN_VALID_CODE + "0", ""])
def test_wrong_length_is_refused_with_the_length_it_has(value):
    error = refusal(value)

    assert error.code == "length"
    assert error.messages == [f"统一社会信用代码应为18位，当前为{len(value)}位。"]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letter_is_refused_and_named(letter):
    # The check character cannot be computed for a letter outside the alphabet, so the
    # charset check must come first; put the letter in the body of an otherwise valid code.
    value = KNOWN_VALID_CODE[:8] + letter + KNOWN_VALID_CODE[9:]

    error = refusal(value)

    assert error.code == "charset"
    assert error.messages == [
        f"统一社会信用代码含有不允许的字符：{letter}（不使用I、O、Z、S、V）。"
    ]


def test_forbidden_letters_are_all_listed_once_in_order():
    value = "91350100SOO00100Y4"

    error = refusal(value)

    assert "：O、S（" in error.messages[0]


def test_lowercase_code_is_accepted_and_normalised_to_uppercase():
    lowercase = KNOWN_VALID_CODE.lower()

    validate_credit_code(lowercase)
    assert normalize_credit_code(lowercase) == KNOWN_VALID_CODE


def test_surrounding_spaces_are_ignored():
    validate_credit_code(f"  {KNOWN_VALID_CODE}\n")
    assert normalize_credit_code(f"  {KNOWN_VALID_CODE.lower()} ") == KNOWN_VALID_CODE


def test_lowercase_code_with_wrong_check_character_is_still_refused():
    error = refusal(KNOWN_VALID_CODE[:17].lower() + "a")

    assert error.code == "checksum"
