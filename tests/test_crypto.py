"""Personal data encrypted at rest (policy_portal.crypto): SM4-GCM where the installed OpenSSL
has it, AES-256-GCM otherwise, each value naming its version, algorithm and key."""

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

from policy_portal import crypto

OTHER_KEY = base64.b64encode(bytes(range(32))).decode()
THIRD_KEY = base64.b64encode(bytes(range(100, 132))).decode()


@pytest.fixture
def keys(settings):
    def use(value: str, hash_key: str | None = None):
        settings.FIELD_ENCRYPTION_KEYS = value
        if hash_key is not None:
            settings.FIELD_HASH_KEY = hash_key

    return use


ALGORITHMS = [
    pytest.param(
        "sm4",
        marks=pytest.mark.skipif(
            not crypto.SM4_GCM_AVAILABLE, reason="this OpenSSL has no SM4-GCM"
        ),
    ),
    "aes",
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_both_algorithms_round_trip(algorithm):
    token = crypto.encrypt("6228480000000000005", purpose="bank_account", algorithm=algorithm)

    assert token.startswith(f"v1:{algorithm}:")
    assert "6228480000000000005" not in token
    assert crypto.decrypt(token, purpose="bank_account") == "6228480000000000005"


def test_the_current_algorithm_is_sm4_where_openssl_has_it():
    expected = "sm4" if crypto.SM4_GCM_AVAILABLE else "aes"
    assert crypto.current_algorithm() == expected
    assert crypto.encrypt("13800138000", purpose="phone").split(":")[1] == expected


@pytest.mark.skipif(not crypto.SM4_GCM_AVAILABLE, reason="this OpenSSL has no SM4-GCM")
def test_sm4_gcm_is_the_standard_one_rfc_8998_vector():
    # RFC 8998, appendix A.1 (SM4-GCM).
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plain) + encryptor.finalize()

    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_the_same_value_encrypts_differently_each_time():
    first = crypto.encrypt("6228480000000000005", purpose="bank_account")
    assert first != crypto.encrypt("6228480000000000005", purpose="bank_account")


def test_the_empty_value_stays_empty():
    assert crypto.encrypt("", purpose="phone") == ""
    assert crypto.decrypt("", purpose="phone") == ""


def test_a_wrong_key_fails_loudly(keys):
    token = crypto.encrypt("6228480000000000005", purpose="bank_account")
    current_id = token.split(":")[2]
    keys(f"{current_id}:{OTHER_KEY}")

    with pytest.raises(crypto.FieldDecryptionError, match=current_id):
        crypto.decrypt(token, purpose="bank_account")


def test_a_key_no_longer_configured_fails_loudly(keys):
    token = crypto.encrypt("6228480000000000005", purpose="bank_account")
    keys(f"other:{OTHER_KEY}")

    with pytest.raises(crypto.FieldDecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        crypto.decrypt(token, purpose="bank_account")


def test_a_changed_byte_or_header_fails_loudly():
    token = crypto.encrypt("6228480000000000005", purpose="bank_account")
    body = bytearray(base64.b64decode(token.rsplit(":", 1)[1]))
    body[-1] ^= 1
    tampered = token.rsplit(":", 1)[0] + ":" + base64.b64encode(bytes(body)).decode()
    with pytest.raises(crypto.FieldDecryptionError):
        crypto.decrypt(tampered, purpose="bank_account")
    # The header is authenticated too: the same body under another algorithm's name fails.
    algorithm = token.split(":")[1]
    renamed = token.replace(f":{algorithm}:", ":aes:" if algorithm == "sm4" else ":sm4:", 1)
    with pytest.raises(crypto.FieldDecryptionError):
        crypto.decrypt(renamed, purpose="bank_account")


def test_a_value_moved_to_a_field_of_another_purpose_fails():
    token = crypto.encrypt("13800138000", purpose="phone")
    with pytest.raises(crypto.FieldDecryptionError):
        crypto.decrypt(token, purpose="bank_account")


def test_clear_text_where_a_ciphertext_belongs_fails_loudly():
    with pytest.raises(crypto.FieldDecryptionError):
        crypto.decrypt("6228480000000000005", purpose="bank_account")


def test_keys_rotate_the_first_one_encrypts_the_others_still_read(keys, settings):
    keys(f"old:{OTHER_KEY}")
    old = crypto.encrypt("6228480000000000005", purpose="bank_account")
    keys(f"new:{THIRD_KEY},old:{OTHER_KEY}")

    assert crypto.decrypt(old, purpose="bank_account") == "6228480000000000005"
    assert not crypto.is_current(old)
    new = crypto.encrypt("6228480000000000005", purpose="bank_account")
    assert new.split(":")[2] == "new" and crypto.is_current(new)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "k1",  # no key
        "k1:not base64!",
        f"k1:{base64.b64encode(b'short').decode()}",  # not 256 bits
        f"k1:{OTHER_KEY},k1:{THIRD_KEY}",  # one id twice
        f"bad id:{OTHER_KEY}",
    ],
)
def test_malformed_keys_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys(value, setting="FIELD_ENCRYPTION_KEYS")


def test_the_keyed_hash_finds_a_value_without_revealing_it(keys):
    first = crypto.keyed_hash("6228480000000000005", purpose="bank_account")

    assert first == crypto.keyed_hash("6228480000000000005", purpose="bank_account")
    assert first != crypto.keyed_hash("6228480000000000006", purpose="bank_account")
    assert first != crypto.keyed_hash("6228480000000000005", purpose="phone")
    assert "6228480000000000005" not in first
    assert crypto.hash_is_current(first)
    assert crypto.keyed_hash("", purpose="bank_account") == ""
    # Its own key: another hash key gives another hash, and the old one is no longer current.
    keys(crypto.settings.FIELD_ENCRYPTION_KEYS, hash_key=f"h2:{OTHER_KEY}")
    assert crypto.keyed_hash("6228480000000000005", purpose="bank_account") != first
    assert not crypto.hash_is_current(first)
