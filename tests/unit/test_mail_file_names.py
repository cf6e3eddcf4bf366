"""Mail files written when no SMTP server is configured: only our own names are read back."""

import pytest

from surveys.outbox import mail_file_name, message_id_of_file


def test_a_mail_file_name_gives_back_its_message_id():
    assert message_id_of_file(mail_file_name(42)) == 42
    assert mail_file_name(42) == "00000042.eml"


@pytest.mark.parametrize(
    "name", ["²³.eml", "٤٢.eml", "42.txt", "42", ".eml", "4_2.eml", "notes.eml", "42.eml.bak"]
)
def test_any_other_file_in_the_mail_folder_is_left_alone(name):
    # "²" and "٤" are digits to str.isdigit() but "²" is no number to int().
    assert message_id_of_file(name) is None
